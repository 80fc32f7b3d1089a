"""The benchmark's Ansible side: its working folder (ansible.cfg, group_vars), the floor playbook, and
``ansible-playbook`` runs timed and with the controller's peak memory sampled."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import typing as t
from pathlib import Path

from tests.emulators.tenant.clients import entra_connection

from .proctree import TreePeakSampler
from .results import parse_recap

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "playbooks" / "register_wac.yml"
NAIVE = Path(__file__).resolve().with_name("naive_register.yml")
CALLBACKS = Path(__file__).resolve().with_name("callback_plugins")  # task_times: per-task wall time
NOOP = "# wac.fleet operation: noop"


def write_config(work: Path, tenant: dict[str, t.Any], forks: int, strategy: str, gateways: int = 0,
                 gc_freeze: bool = True) -> None:
    """ansible.cfg and group_vars as scripts/demo.py writes them (custom cloud pointing at the emulated tenant).
    ``gateways``: the fleet's size; past 20 apps' worth of server-mode gateways (20 x 256 redirect URIs, the role's
    default ``entra_app_max_apps``) the apps allowed grow with it: 40 for 10,000 gateways. ``gc_freeze``: enable
    the wac.fleet.gc_freeze callback (README, "Large fleets"), for the playbook and its floor alike."""
    (work / "ansible.cfg").write_text(
        "[defaults]\n"
        "inventory = inventory.ini\n"
        f"callbacks_enabled = wac.fleet.fleet_report, task_times{', wac.fleet.gc_freeze' if gc_freeze else ''}\n"
        f"callback_plugins = {CALLBACKS}\n"
        f"forks = {forks}\n"
        f"strategy = {strategy}\n"
        "host_key_checking = False\n"
        "retry_files_enabled = False\n"
    )
    group_vars = work / "group_vars"
    group_vars.mkdir(exist_ok=True)
    settings = {
        "gateway_proxy_state": "present",
        "gateway_proxy_address": "http://proxy.contoso.test:3128",
        "gateway_proxy_bypass_list": ["*.contoso.test"],
        "gateway_restart_delay": 1,
        "entra_app_connection": entra_connection(tenant),
    }
    if gateways > 20 * 256:
        settings["entra_app_max_apps"] = -(-gateways // 256)
    (group_vars / "wac_gateways.yml").write_text("---\n" + json.dumps(settings, indent=2) + "\n")


def write_floor(work: Path, tasks: int) -> Path:
    """A playbook of ``tasks`` raw no-op WinRM commands per host: the least Ansible can do over WinRM."""
    path = work / f"floor_{tasks}.yml"
    lines = [
        "---",
        f"- name: Floor, {tasks} raw no-op WinRM commands per gateway",
        "  hosts: wac_gateways",
        "  gather_facts: false",
        "  tasks:",
    ]
    for number in range(1, tasks + 1):
        lines += [f"    - name: No-op {number}",
                  f"      ansible.builtin.raw: {json.dumps(NOOP)}",
                  "      changed_when: false"]
    path.write_text("\n".join(lines) + "\n")
    return path


def environment(work: Path, secret: str) -> dict[str, str]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(work / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               AZURE_CLIENT_SECRET=secret)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(ROOT / ".build" / "collections"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(work: Path, name: str, playbook: Path, env: dict[str, str], *args: str) -> dict[str, t.Any]:
    """Run one playbook in ``work``; its output goes to ``<name>.log``. Wall time, recap, rc, controller peak."""
    log = work / f"{name}.log"
    times = work / f"{name}.tasks.json"
    env = dict(env, WAC_FLEET_REPORT_DIR=str(work / "reports" / name), WAC_BENCH_TASK_TIMES=str(times))
    with log.open("w") as out:
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        process = subprocess.Popen(["ansible-playbook", str(playbook), *args], cwd=work, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
        with TreePeakSampler(process.pid) as sampler:
            rc = process.wait()
        wall = time.monotonic() - started
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (used.ru_utime - cpu.ru_utime) + (used.ru_stime - cpu.ru_stime)
    return {"name": name, "wall_s": round(wall, 2), "controller_cpu_s": round(cpu_s, 2),
            "controller_main_cpu_s": round(sampler.main_cpu_s, 2), "rc": rc,
            "recap": parse_recap(log.read_text()),
            "controller_peak_pss_kb": sampler.peak_pss_kb, "controller_peak_rss_sum_kb": sampler.peak_rss_kb,
            "log": str(log), "tasks": json.loads(times.read_text())["tasks"] if times.exists() else None}
