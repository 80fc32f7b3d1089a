"""Run the real ansible-playbook as a subprocess and read its recap: the one way integration tests drive Ansible."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)


@dataclasses.dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    recap: dict[str, dict[str, int]]

    def hosts(self, key: str) -> list[str]:
        """Hosts whose recap counter `key` (changed, failed, unreachable, ...) is not zero."""
        return sorted(h for h, counts in self.recap.items() if counts[key])

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def ansible_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build" / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    env.update(extra)
    return env


def keep_output(output: str) -> None:
    """With WAC_PLAYBOOK_OUTPUT_DIR set (scripts/matrix.sh sets it), keep a copy of an ansible-playbook run's output
    there, so that the matrix can count the DEPRECATION WARNING lines of every run of a release."""
    folder = os.environ.get("WAC_PLAYBOOK_OUTPUT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    handle, _name = tempfile.mkstemp(prefix="ansible-playbook-", suffix=".log", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(output)


def run_playbook(
    playbook: str | Path,
    *args: str,
    inventory: str | Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> PlaybookRun:
    """Run `ansible-playbook` on a playbook path (or a name under playbooks/) and parse the PLAY RECAP."""
    path = Path(playbook)
    if not path.is_absolute() and not path.exists():
        path = PLAYBOOKS / path
    command = [str(Path(sys.executable).with_name("ansible-playbook")), str(path), *args]
    if inventory is not None:
        command += ["-i", str(inventory)]
    proc = subprocess.run(
        command, capture_output=True, text=True, env=env or ansible_env(), cwd=cwd, timeout=timeout, check=False
    )
    keep_output(proc.stdout + proc.stderr)
    recap = {
        m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(proc.stdout)
    }
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, recap)
