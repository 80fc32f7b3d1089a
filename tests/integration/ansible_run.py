"""The one runner of ``ansible-playbook`` in the tests: a real subprocess, its environment, its PLAY RECAP.

    run = run_playbook("register_wac.yml", "--check", env=ansible_env(...), cwd=work)   # waits
    run = start(path, "-i", inventory, env=..., cwd=...)   # runs in the background (races, interrupts, reading
    ...                                                    # its output as it comes: run.wait(on_line=...))
    run.wait(timeout=180)
    run.rc, run.stdout, run.stderr, run.output, run.recap, run.hosts("changed")
    run.data, run.result(task, host), run.changed(host)    # with the results_json stdout callback (callback_plugins/)

Every run's environment is :func:`ansible_env`: the caller's without its ``AZURE_*``, ``ANSIBLE_*`` (and managed
identity) variables, so that what a developer's shell sets never reaches a test's playbook.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
COLLECTIONS = ROOT / ".build" / "collections"
STRIPPED_PREFIXES = ("AZURE_", "ANSIBLE_", "IDENTITY_", "MSI_", "IMDS_")
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)


def ansible_env(**extra: str | None) -> dict[str, str]:
    """The environment of a test's ansible-playbook; ``extra`` on top (a value None drops the variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIPPED_PREFIXES)}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        PYTHONPATH=str(COLLECTIONS),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP: {host: {ok, changed, unreachable, failed, skipped, rescued, ignored}}."""
    return {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(stdout)}


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


class PlaybookRun:
    """One ansible-playbook process: started by :func:`start`, ended by :meth:`wait`."""

    def __init__(self, process: subprocess.Popen, name: str | None = None):
        self.process = process
        self.name = name
        self.rc: int | None = None
        self.stdout = ""
        self.stderr = ""
        self.recap: dict[str, dict[str, int]] = {}

    def wait(self, timeout: float = 300, on_line=None, then: Sequence[Callable[[], None]] = ()) -> PlaybookRun:
        """Wait for the end (killing the process after ``timeout`` seconds: an AssertionError); ``on_line`` is
        called with each line of standard output as it comes; each of ``then`` is called in turn when ``timeout``
        passes without the end, and the wait starts again, before the kill."""
        out: list[str] = []
        err: list[str] = []

        def read_stdout():
            for line in self.process.stdout:
                out.append(line)
                if on_line is not None:
                    on_line(line)

        readers = [threading.Thread(target=read_stdout, daemon=True),
                   threading.Thread(target=lambda: err.append(self.process.stderr.read()), daemon=True)]
        for reader in readers:
            reader.start()
        timed_out = False
        for step in (*then, None):
            try:
                self.process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                if step is not None:
                    step()
                    continue
                self.process.kill()
                self.process.wait()
                timed_out = True
        for reader in readers:
            reader.join(30)
        self.rc, self.stdout, self.stderr = self.process.returncode, "".join(out), "".join(err)
        self.recap = parse_recap(self.stdout)
        keep_output(self.output)
        if timed_out:
            raise AssertionError(f"ansible-playbook did not end within {timeout} s:\n{self.stdout[-3000:]}\n"
                                 f"{self.stderr[-3000:]}")
        return self

    def interrupt(self, signum: int, *, group: bool = False, grace: float = 60) -> PlaybookRun:
        """Stop the run as a user or a CI does, and wait for its end: ``signum`` (to the whole process group with
        ``group``, as Ctrl-C reaches it); if the run has not ended ``grace`` seconds later, the same signal once more
        (a user's second Ctrl-C), then SIGTERM (a CI's cancel); past those, the kill and an AssertionError.
        ``self.signals`` lists what was sent. ansible-core can miss the first one: a worker stopped by SIGINT before
        it sent its result leaves the main process waiting (ansible/ansible#29124)."""
        self.signals: list[int] = []

        def send(number: int) -> Callable[[], None]:
            def step() -> None:
                self.signals.append(number)
                if group:
                    os.killpg(self.process.pid, number)
                else:
                    self.process.send_signal(number)
            return step

        send(signum)()
        return self.wait(grace, then=(send(signum), send(signal.SIGTERM)))

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def hosts(self, key: str) -> list[str]:
        """Hosts whose recap counter `key` (changed, failed, unreachable, ...) is not zero."""
        return sorted(h for h, counts in self.recap.items() if counts[key])

    # The output of the results_json stdout callback (tests/integration/callback_plugins/results_json.py).
    @property
    def data(self) -> dict:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(f"ansible-playbook gave no JSON (rc {self.rc}):\n{self.stdout[-3000:]}\n"
                                 f"{self.stderr[-3000:]}") from exc

    @property
    def stats(self) -> dict:
        return self.data["stats"]

    def result(self, task_name: str, host: str) -> dict:
        for play in self.data["plays"]:
            for task in play["tasks"]:
                if task["task"]["name"] == task_name and host in task["hosts"]:
                    return task["hosts"][host]
        raise KeyError(f"no result of task {task_name!r} for {host}")

    def changed(self, host: str) -> int:
        return self.stats[host]["changed"]


def playbook_path(playbook: str | Path) -> Path:
    """A playbook's path, or a name under playbooks/."""
    path = Path(playbook)
    return path if path.is_absolute() or path.exists() else PLAYBOOKS / path


def start(playbook: str | Path, *args: str, inventory: str | Path | None = None, env: dict[str, str] | None = None,
          cwd: Path | None = None, name: str | None = None) -> PlaybookRun:
    """Start ``ansible-playbook`` in its own session (so that a test can signal its process group)."""
    command = [str(Path(sys.executable).with_name("ansible-playbook")), str(playbook_path(playbook)), *args]
    if inventory is not None:
        command += ["-i", str(inventory)]
    process = subprocess.Popen(command, cwd=cwd, env=env or ansible_env(), text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    return PlaybookRun(process, name)


def run_playbook(playbook: str | Path, *args: str, inventory: str | Path | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300,
                 name: str | None = None) -> PlaybookRun:
    """Run ``ansible-playbook`` to its end."""
    return start(playbook, *args, inventory=inventory, env=env, cwd=cwd, name=name).wait(timeout)
