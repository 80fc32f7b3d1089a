"""Helpers of the Entra integration tests: run real ansible-playbook processes against the emulated tenant and
read back every task's registered result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.emulators.tenant.clients import entra_connection

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".build" / "collections"
PLAYBOOK_TIMEOUT = 180


def connection(endpoints: dict, identity: str = "admin", **extra) -> dict:
    """module_defaults for group/wac.fleet.entra pointing at the emulator as the given test identity."""
    return entra_connection(endpoints, identity, with_secret=True, **extra)


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "ANSIBLE_", "IDENTITY_", "MSI_", "IMDS_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_DEPRECATION_WARNINGS": "false",
        "PYTHONPATH": str(COLLECTIONS),
    })
    env.update(extra)
    return env


def write_playbook(tmp_path: Path, tasks: list[dict], defaults: dict | None, name: str = "play",
                   hosts: str = "localhost") -> tuple[Path, Path]:
    """A play on localhost; every task registers `r<i>` and never stops the play; a last task writes all
    results to a JSON file. Tasks are dicts with `name` and the module call (and optional keywords)."""
    results = tmp_path / f"{name}-results.json"
    body = []
    for index, task in enumerate(tasks):
        task = dict(task)
        task.setdefault("ignore_errors", True)
        task["register"] = f"r{index}"
        body.append(task)
    names = {t["name"]: f"r{i}" for i, t in enumerate(tasks)}
    collect = "{" + ", ".join(f'{json.dumps(n)}: {reg} | default(None)' for n, reg in names.items()) + "}"
    body.append({"name": "write results", "ansible.builtin.copy": {
        "content": "{{ " + collect + " | to_json }}", "dest": str(results)}, "check_mode": False, "diff": False,
        "delegate_to": "localhost", "run_once": True, "vars": {"ansible_connection": "local"}})
    play = {"hosts": hosts, "gather_facts": False,
            "vars": {"ansible_python_interpreter": sys.executable}, "tasks": body}
    if hosts == "localhost":
        play["connection"] = "local"
    if defaults is not None:
        play["module_defaults"] = {"group/wac.fleet.entra": defaults}
    path = tmp_path / f"{name}.yml"
    path.write_text(json.dumps([play], indent=1))  # JSON is YAML
    return path, results


def run_playbook(tmp_path: Path, tasks: list[dict], defaults: dict | None = None, *, args=(), env=None,
                 name: str = "play", wait=True, hosts: str = "localhost", inventory: str = "localhost,"):
    """Run it; returns (completed process, {task name: registered result})."""
    path, results = write_playbook(tmp_path, tasks, defaults, name, hosts)
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", inventory, str(path), *args]
    process = subprocess.Popen(cmd, cwd=tmp_path, env=env or clean_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    if not wait:
        return process, results
    out = process.communicate(timeout=PLAYBOOK_TIMEOUT)[0]
    return finish(process, out, results)


def finish(process, out: str, results: Path):
    process.stdout_text = out
    data = json.loads(results.read_text()) if results.exists() else {}
    if not results.exists():
        raise AssertionError(f"playbook did not finish (rc={process.returncode}):\n{out}")
    return process, data


def methods(entries: list[dict]) -> dict:
    counts: dict = {}
    for entry in entries:
        counts[entry["method"]] = counts.get(entry["method"], 0) + 1
    return dict(sorted(counts.items()))
