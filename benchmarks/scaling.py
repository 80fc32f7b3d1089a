"""How the controller-side parts of a run grow with the fleet, without running a fleet: each part timed (CPU) at
several sizes, so that whatever grows faster than the fleet shows as a cost per gateway that rises with N.

    python benchmarks/scaling.py [--sizes 1000,3000,10000]

Parts, each at every size N (JSON on stdout, per part and N: CPU seconds in all and milliseconds a gateway):

- ``ansible_vars_per_task``: ansible-core's linear strategy computes every host's variables for every task
  (``VariableManager.get_vars`` with the play's host lists, as ``StrategyModule.run`` calls it); not the
  collection's code, measured because it sets the floor of every per-host task;
- ``hostvars_read``: ``hostvars[host]`` of every gateway, what the fleet_gateways and registration_pending filters do
  once a run;
- ``shard_plan``: ``plan_shards`` of N server-mode gateways, a first run (no app yet) and a re-run (N / 256 apps);
- ``fleet_report``: the fleet_report callback's model: every gateway's results recorded, then the summary and its
  JSON, Markdown, JUnit and table forms, once with every gateway changed and once with every gateway failed;
- ``emulator_log``: the fleet emulator's memory per PC after 7 script runs (its script log), in KiB.

Run it from the environment of ``. scripts/bootstrap.sh``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import typing as t
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]


def timed(function: t.Callable[[], t.Any]) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def figures(seconds: float, n: int) -> dict[str, float]:
    return {"cpu_s": round(seconds, 3), "ms_per_gateway": round(seconds / n * 1000, 4)}


def ansible_parts(n: int) -> dict[str, t.Any]:
    from ansible import context
    from ansible.inventory.manager import InventoryManager
    from ansible.module_utils.common.collections import ImmutableDict
    from ansible.parsing.dataloader import DataLoader
    from ansible.playbook.play import Play
    from ansible.vars.manager import VariableManager

    context.CLIARGS = ImmutableDict(connection="local", forks=1, check=False, diff=False, verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        hosts_file = Path(folder, "hosts.ini")
        hosts_file.write_text("[wac_gateways]\n" + "".join(
            f"wac-{i:05d} ansible_host=127.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}\n" for i in range(n)))
        loader = DataLoader()
        inventory = InventoryManager(loader=loader, sources=[str(hosts_file)])
        variables = VariableManager(loader=loader, inventory=inventory)
        source = {"hosts": "wac_gateways", "gather_facts": False, "tasks": [{"ansible.builtin.debug": {"msg": "x"}}]}
        play = Play().load(source, variable_manager=variables, loader=loader)
        task = play.get_tasks()[0][0]
        hosts = inventory.get_hosts(play.hosts)
        names = [h.name for h in hosts]
        for host in hosts:
            variables.set_host_facts(host.name, {"wac_gateway": {"redirect_uris": [f"https://{host.name}:6516"]}})
        per_task = timed(lambda: [variables.get_vars(play=play, host=h, task=task, _hosts=names, _hosts_all=names)
                                  for h in hosts])
        read = timed(lambda: [variables.get_vars(host=h, include_hostvars=False) for h in hosts])
    return {"ansible_vars_per_task": figures(per_task, n), "hostvars_read": figures(read, n)}


def shard_plan(n: int) -> dict[str, t.Any]:
    from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import DesiredApp
    from ansible_collections.wac.fleet.plugins.plugin_utils._entra_shards import Gateway, plan_shards

    desired = DesiredApp(redirect_uris_mode="additive", move_web_to_spa=True)
    gateways = [Gateway(f"wac-{i:05d}", (f"https://wac-{i:05d}.fleet.wac.test:6516",)) for i in range(n)]
    max_apps = -(-n // 256) + 1
    plans = []
    first = timed(lambda: plans.append(plan_shards({}, gateways, desired, max_apps=max_apps, unique_name="u")))
    plan = plans[0]
    apps = {i: {"appId": f"app-{i}", "spa": {"redirectUris": a["redirect_uris"]}} for i, a in plan.apps.items()}
    registered = [Gateway(g.name, g.redirect_uris, f"app-{plan.gateways[g.name]}") for g in gateways]
    rerun = timed(lambda: plan_shards(apps, registered, desired, max_apps=max_apps, unique_name="u"))
    return {"first": figures(first, n), "rerun": figures(rerun, n), "apps": len(plan.apps)}


def fleet_report(n: int) -> dict[str, t.Any]:
    from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_report import FleetReport

    out = {}
    for status in ("changed", "failed"):
        report = FleetReport()

        def build(report=report, status=status) -> None:
            report.add_hosts([f"wac-{i:05d}" for i in range(n)])
            for i in range(n):
                host = f"wac-{i:05d}"
                report.record(host, "wac.fleet.gateway_info", "ok", {
                    "generation": "modern", "redirect_uris": [f"https://{host}:6516"],
                    "ansible_facts": {"wac_gateway": {"registration": {"readable": True}}}})
                report.record(host, "wac.fleet.gateway_registration", status, {"msg": "x", "registration": {}})
            summary = report.summary()
            json.dumps(summary)
            report.markdown(summary)
            report.junit(summary)
            report.table(summary)

        out[status] = figures(timed(build), n)
    return out


def emulator_log(n: int, runs: int = 7) -> dict[str, t.Any]:
    from tests.emulators.fleet.fleet import Fleet

    script = (ROOT / "plugins" / "plugin_utils" / "scripts" / "gateway_info.ps1").read_text()
    fleet = Fleet(n, base_address="127.60.0.1", generations=["classic_server", "modern"])
    gc.collect()
    before = _rss_kb()
    for pc in fleet.pcs.values():
        for _run in range(runs):
            pc.run("".join(script), "{}")  # a new string each time, as decoded from a command line
    gc.collect()
    return {"scripts_per_pc": runs, "kib_per_pc": round((_rss_kb() - before) / n, 1)}


def _rss_kb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/scaling.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="fleet sizes N (default 1000,3000,10000)")
    args = parser.parse_args(argv)
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()
    result: dict[str, t.Any] = {}
    for n in (int(size) for size in args.sizes.split(",")):
        result[str(n)] = {**ansible_parts(n), "shard_plan": shard_plan(n), "fleet_report": fleet_report(n),
                          "emulator_log": emulator_log(min(n, 2000))}
        print(f"N={n}: {json.dumps(result[str(n)])}", file=sys.stderr, flush=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
