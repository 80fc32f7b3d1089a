"""Helpers of the Entra integration tests: run real ansible-playbook processes against the emulated tenant and
read back every task's registered result."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.emulators.tenant.clients import entra_connection
from tests.integration.ansible_run import PlaybookRun, start

PLAYBOOK_TIMEOUT = 180


def connection(endpoints: dict, identity: str = "admin", **extra) -> dict:
    """module_defaults for group/wac.fleet.entra pointing at the emulator as the given test identity."""
    return entra_connection(endpoints, identity, with_secret=True, **extra)


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


def start_playbook(tmp_path: Path, tasks: list[dict], defaults: dict | None = None, *, args=(), env=None,
                   name: str = "play", hosts: str = "localhost",
                   inventory: str = "localhost,") -> tuple[PlaybookRun, Path]:
    """Start it in the background; returns (the run, the path of its results file for :func:`registered`)."""
    path, results = write_playbook(tmp_path, tasks, defaults, name, hosts)
    return start(path, "-i", inventory, *args, env=env, cwd=tmp_path, name=name), results


def registered(run: PlaybookRun, results: Path) -> dict:
    """{task name: registered result} of an ended run."""
    if not results.exists():
        raise AssertionError(f"playbook did not finish (rc={run.rc}):\n{run.output}")
    return json.loads(results.read_text())


def run_playbook(tmp_path: Path, tasks: list[dict], defaults: dict | None = None,
                 **options) -> tuple[PlaybookRun, dict]:
    """Run it to its end; returns (the run, {task name: registered result})."""
    run, results = start_playbook(tmp_path, tasks, defaults, **options)
    run.wait(PLAYBOOK_TIMEOUT)
    return run, registered(run, results)


def methods(entries: list[dict]) -> dict:
    counts: dict = {}
    for entry in entries:
        counts[entry["method"]] = counts.get(entry["method"], 0) + 1
    return dict(sorted(counts.items()))
