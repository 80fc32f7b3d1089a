"""Playbooks run as AWX runs a job: ``ansible-runner run`` (process isolation off) over a private data dir laid out
as AWX lays it out, and job slices as AWX makes them.

AWX (awx/main/tasks/jobs.py, ``RunJob``) gives ansible-runner a private data dir holding:

- ``inventory/hosts``: an executable script printing the inventory as JSON (``Inventory.get_script_data``: one key
  per group with ``hosts``, ``children`` and ``vars``, and ``_meta.hostvars``); for a job slice only that slice's
  hosts. The inventory itself is what an inventory sync imported, ``ansible-inventory --list --export`` of the
  source, which is how it is made here;
- ``env/extravars`` (the job's extra variables), ``env/envvars`` (environment: credential injectors, the job
  template's and settings' extra environment), ``env/cmdline`` (``--forks`` and the like), ``env/settings``;
- ``project/``: the project's checkout, the working folder of the run;
- ``artifacts/<ident>/``: written by ansible-runner: ``rc``, ``status``, ``stdout``, ``job_events/*.json``.

Job slicing (``Inventory.get_sliced_hosts``): the inventory's hosts ordered by name, slice ``n`` of ``K`` (1-based)
takes ``hosts[n - 1::K]``: host ``i`` goes to slice ``i mod K``.

    job = AwxJob.prepare(folder, inventory, extravars={...}, envvars={...}, forks=25)
    run = job.run()                      # blocks; or job.start() then job.finish()
    run.rc, run.status, run.events, run.report, run.recap
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.ansible_run import STRIPPED_PREFIXES

ROOT = Path(__file__).resolve().parents[2]
REGISTER = "playbooks/register_wac.yml"


def export_inventory(inventory: Path, env: dict[str, str]) -> dict[str, t.Any]:
    """``ansible-inventory --list --export`` of an inventory source: what an AWX inventory sync imports (groups with
    their vars, hosts with theirs)."""
    command = [str(Path(sys.executable).with_name("ansible-inventory")), "-i", str(inventory), "--list", "--export"]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=300).stdout
    return json.loads(out)


def inventory_hosts(data: dict[str, t.Any]) -> list[str]:
    """Every host of an inventory JSON, ordered by name (AWX's Host model orders by name)."""
    names = set(data.get("_meta", {}).get("hostvars", {}))
    for group, body in data.items():
        if group != "_meta" and isinstance(body, dict):
            names.update(body.get("hosts") or [])
    return sorted(names)


def slice_inventory(data: dict[str, t.Any], number: int, count: int) -> dict[str, t.Any]:
    """The inventory of job slice ``number`` of ``count`` (1-based): host i of the name-ordered hosts when
    ``i mod count == number - 1``; groups keep their vars and children, with only that slice's hosts."""
    if not 1 <= number <= count:
        raise ValueError(f"slice number must be within 1..{count}, not {number}")
    keep = set(inventory_hosts(data)[number - 1::count])
    sliced: dict[str, t.Any] = {}
    for group, body in data.items():
        if group == "_meta":
            hostvars = body.get("hostvars", {})
            sliced["_meta"] = {"hostvars": {h: v for h, v in hostvars.items() if h in keep}}
        else:
            sliced[group] = {**body, "hosts": [h for h in body.get("hosts") or [] if h in keep]}
            if not sliced[group]["hosts"]:
                del sliced[group]["hosts"]
    return sliced


def slices(data: dict[str, t.Any], count: int) -> list[dict[str, t.Any]]:
    return [slice_inventory(data, number, count) for number in range(1, count + 1)]


@dataclass
class JobRun:
    """What ansible-runner left in ``artifacts/<ident>``."""

    artifacts: Path
    rc: int
    status: str
    wall_s: float
    stdout: str
    events: list[dict[str, t.Any]] = field(default_factory=list)

    @property
    def recap(self) -> dict[str, dict[str, int]]:
        """Per host, the counters of the ``playbook_on_stats`` event (ok, changed, failures, dark, skipped, ...)."""
        stats = [e for e in self.events if e.get("event") == "playbook_on_stats"]
        if not stats:
            return {}
        data = stats[-1]["event_data"]
        hosts = set()
        for key in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored", "processed"):
            hosts.update(data.get(key) or {})
        return {h: {key: (data.get(key) or {}).get(h, 0) for key in ("ok", "changed", "failures", "dark", "skipped")}
                for h in hosts}

    def hosts(self, key: str) -> list[str]:
        return sorted(h for h, counts in self.recap.items() if counts[key])

    @property
    def report(self) -> dict[str, t.Any] | None:
        """The wac.fleet.fleet_report of the job, from the job's artifacts."""
        path = self.artifacts / "wac_fleet_report" / "report.json"
        return json.loads(path.read_text()) if path.exists() else None


class AwxJob:
    """One job (or job slice) in its private data dir."""

    def __init__(self, folder: Path, ident: str) -> None:
        self.folder, self.ident = folder, ident
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    @classmethod
    def prepare(cls, folder: Path, inventory: dict[str, t.Any], *, extravars: dict[str, t.Any] | None = None,
                envvars: dict[str, str] | None = None, forks: int = 25, ident: str = "1",
                project: Path = ROOT, machine: tuple[str, str] | None = None) -> AwxJob:
        """Lay out ``folder`` as AWX does for a job over ``inventory`` (JSON as from :func:`export_inventory`,
        or a slice of it). ``project``: the checkout copied to ``project/`` (its playbooks/ folder: the collection
        itself comes from the collections path, as in an execution environment). ``machine``: a Machine
        credential's user name and password, which AWX passes as ``-u <user> --ask-pass`` on the command line and
        the password as the answer to Ansible's ``SSH password:`` prompt in env/passwords (RunJob.build_args,
        build_passwords and get_password_prompts)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "inventory").mkdir(exist_ok=True)
        script = folder / "inventory" / "hosts"
        # The form AWX writes: a script that prints the JSON (RunJob.build_inventory).
        script.write_text("#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\n"
                          f"print({json.dumps(inventory)!r})\n")
        script.chmod(0o700)
        env = folder / "env"
        env.mkdir(exist_ok=True)
        # YAML files; JSON is YAML (ansible-runner reads them with a YAML loader).
        (env / "extravars").write_text(json.dumps(extravars or {}, indent=1) + "\n")
        (env / "envvars").write_text(json.dumps(envvars or {}, indent=1) + "\n")
        cmdline = f"--forks {forks}"
        if machine is not None:
            user, password = machine
            cmdline += f" -u {shlex.quote(user)} --ask-pass"
            (env / "passwords").write_text(json.dumps({r"SSH password:\s*?$": password}) + "\n")
        (env / "cmdline").write_text(cmdline + "\n")
        (env / "settings").write_text(json.dumps({"suppress_ansible_output": True, "pexpect_timeout": 5}) + "\n")
        env.chmod(0o700)
        target = folder / "project"
        if not target.exists():
            shutil.copytree(project / "playbooks", target / "playbooks")
        return cls(folder, ident)

    @property
    def artifacts(self) -> Path:
        return self.folder / "artifacts" / self.ident

    def command(self, playbook: str) -> list[str]:
        # No --process-isolation: AWX runs the job inside its execution environment container; here, on this host.
        return [str(Path(sys.executable).with_name("ansible-runner")), "run", str(self.folder), "-p", playbook,
                "--ident", self.ident]

    def start(self, env: dict[str, str], playbook: str = REGISTER) -> AwxJob:
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command(playbook), env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        return self

    def finish(self, timeout: float = 600) -> JobRun:
        assert self.process is not None, "start() first"
        try:
            output = self.process.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            output = self.process.communicate()[0]
            raise AssertionError(f"ansible-runner did not end within {timeout} s:\n{output[-3000:]}") from None
        wall = time.monotonic() - self.started
        return self.collect(self.process.returncode, wall, output)

    def run(self, env: dict[str, str], playbook: str = REGISTER, timeout: float = 600) -> JobRun:
        return self.start(env, playbook).finish(timeout)

    def collect(self, rc: int, wall: float, output: str) -> JobRun:
        artifacts = self.artifacts
        events = []
        folder = artifacts / "job_events"
        if folder.is_dir():
            for path in folder.glob("*.json"):
                events.append(json.loads(path.read_text()))
        events.sort(key=lambda e: e.get("counter", 0))
        stdout = (artifacts / "stdout").read_text() if (artifacts / "stdout").exists() else output
        status = (artifacts / "status").read_text().strip() if (artifacts / "status").exists() else "missing"
        return JobRun(artifacts, rc, status, round(wall, 2), stdout, events)


def runner_env(base: dict[str, str]) -> dict[str, str]:
    """The environment of the ansible-runner process: the caller's, less what the job's env/envvars and cmdline set
    (a job sees only what AWX gives it): the prefixes the tests' playbook runner strips, and the collection's own."""
    env = {k: v for k, v in base.items() if not k.startswith((*STRIPPED_PREFIXES, "WAC_FLEET_"))}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env
