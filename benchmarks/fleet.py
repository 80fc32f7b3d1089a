"""Fleet-scale benchmark of register_wac.yml against the emulated tenant and fleet, next to its floor.

    python benchmarks/fleet.py --gateways N [--forks 25] [--connection winrm-ntlm] [--runs 3] [--output-dir D]
        [--strategy linear] [--no-naive] [--floor both|rerun] [--no-gc-freeze]

Starts the emulated tenant and N emulated gateways (their CLIs, as subprocesses), then, ``--runs`` times on a
fresh tenant and fleet: runs playbooks/register_wac.yml (first run) and again (re-run), and, in the same
repetition, the floor of each: a playbook of ``ansible.builtin.raw`` no-op tasks over the same fleet and forks,
as many per gateway as the busiest gateway ran WinRM commands in that run. Graph requests and writes come from the
tenant's request log, WinRM commands and restarts from the fleet's per-PC counters. ``--connection`` picks how
Ansible reaches the gateways (benchmarks/connections.py: winrm with NTLM, Kerberos or CredSSP, psrp, ssh); the floor
uses the same connection. Once at the end it runs the naive playbook (benchmarks/naive_register.yml: every host
reads the shared app and writes it back with its URI).

Progress goes to stderr; the last line on stdout is one JSON object (the fleet-scale issue's shape): timings are
medians over the repetitions, counts the worst repetition. Everything else (each repetition, WS-Management
operations per gateway, the scripts a few gateways ran, the naive run, logs) is in D/benchmark.json and D/*.log.
Run it from the environment of ``. scripts/bootstrap.sh``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import typing as t
from contextlib import ExitStack
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import playbooks, results
from benchmarks.connections import CONNECTIONS, Setup
from benchmarks.emulators import FleetControl, Tenant, start
from benchmarks.proctree import cpu_seconds, peak_rss_kb
from benchmarks.report import load, run_main, say, write_result

SAMPLE_HOSTS = 3  # gateways whose script sequence goes to benchmark.json (one per generation: round-robin)


def profile(run: dict[str, t.Any]) -> dict[str, t.Any]:
    """Where a playbook run's time went: CPU seconds of controller and emulators, controller memory, each task."""
    return {"cpu_s": run["cpu_s"], "controller_peak_pss_mb": round(run["controller_peak_pss_kb"] / 1024, 1),
            "controller_peak_rss_sum_mb": round(run["controller_peak_rss_sum_kb"] / 1024, 1),
            "task_seconds": run["tasks"]}


class Bench:
    """The playbook runs of one benchmark, each measured from the emulators' logs and counters."""

    def __init__(self, work: Path, tenant: Tenant, fleet: FleetControl, env: dict[str, str],
                 emulator_pids: dict[str, int], reply_delay: float = 0.0,
                 register_playbook: Path = playbooks.REGISTER, floors: tuple[str, ...] = ("first", "rerun")) -> None:
        self.work, self.tenant, self.fleet, self.env = work, tenant, fleet, env
        self.floors = floors
        self.emulator_pids = emulator_pids
        self.reply_delay = reply_delay
        self.register_playbook = register_playbook
        self.controller_peak_kb = 0  # PSS of the register runs' ansible-playbook tree (see proctree.py)
        self.controller_peak_rss_sum_kb = 0

    def playbook(self, name: str, playbook: Path, *args: str) -> dict[str, t.Any]:
        cpu = {name: cpu_seconds(pid) for name, pid in self.emulator_pids.items()}
        run = playbooks.run(self.work, name, playbook, self.env, *args)
        run["cpu_s"] = {"controller": run["controller_cpu_s"], "controller_main_process": run["controller_main_cpu_s"],
                        **{name: round(cpu_seconds(pid) - cpu[name], 2) for name, pid in self.emulator_pids.items()}}
        run["failed_hosts"] = results.failed_hosts(run["recap"], self.fleet.names)
        say(f"{name}: {run['wall_s']} s, rc {run['rc']}, failed on {len(run['failed_hosts'])}, "
            f"cpu s {run['cpu_s']}, load {load()}")
        return run

    def register(self, name: str) -> dict[str, t.Any]:
        seq, before = self.tenant.last_seq(), self.fleet.counters()
        run = self.playbook(name, self.register_playbook)
        self.controller_peak_kb = max(self.controller_peak_kb, run["controller_peak_pss_kb"])
        self.controller_peak_rss_sum_kb = max(self.controller_peak_rss_sum_kb, run["controller_peak_rss_sum_kb"])
        entries = self.tenant.log_since(seq)
        graph = results.graph_summary(entries)
        graph["tenant_calls"] = [f"{e['method']} {e['path']} {e['status']}" for e in entries]
        delta = results.fleet_delta(before, self.fleet.counters())
        report = self.work / "reports" / name / "report.json"
        applications = self.tenant.applications()
        missing = results.redirect_uris_missing(json.loads(report.read_text()) if report.exists() else None,
                                                applications)
        samples = {}
        for host in self.fleet.names[:SAMPLE_HOSTS]:
            scripts = self.fleet.log(host)[before[host]["scripts"]:]
            samples[host] = [{"op": e["op"], "rc": e["rc"], "duration": e["duration"]} for e in scripts]
        return {"wall_s": run["wall_s"], "failed": len(run["failed_hosts"]), "failed_hosts": run["failed_hosts"][:20],
                "rc": run["rc"], "changed_hosts": sum(1 for r in run["recap"].values() if r["changed"]),
                "redirect_uris_missing": missing, "apps": results.fleet_apps(applications), **graph, **delta,
                **profile(run), "sample_scripts": samples}

    def floor(self, name: str, tasks: int) -> dict[str, t.Any]:
        before = self.fleet.counters()
        run = self.playbook(name, playbooks.write_floor(self.work, tasks))
        delta = results.fleet_delta(before, self.fleet.counters())
        return {"tasks": tasks, "wall_s": run["wall_s"], "failed": len(run["failed_hosts"]), **profile(run),
                "wsman_per_host_mean": delta["wsman_per_host_mean"],
                "winrm_commands_per_host": delta["winrm_commands_per_host"]}

    def repetition(self, number: int) -> dict[str, t.Any]:
        self.tenant.reset()
        self.fleet.reset()
        if self.reply_delay:
            self.fleet.set_delay(self.reply_delay)
        phases = {}
        for phase in ("first", "rerun"):
            phases[phase] = self.register(f"{phase}-{number}")
        for phase, measured in phases.items():
            if phase not in self.floors:
                measured["floor"] = measured["floor_wall_s"] = None
                continue
            floor = self.floor(f"floor-{phase}-{number}", results.floor_tasks(measured))
            if floor["failed"]:
                say(f"WARNING: the floor of {phase}-{number} failed on {floor['failed']} hosts: not a floor")
            measured["floor"] = floor
            measured["floor_wall_s"] = floor["wall_s"]
        return phases

    def naive(self) -> dict[str, t.Any]:
        app = self.tenant.create_app("wac-fleet-benchmark-naive")
        uris = {name: f"https://{name}.fleet.wac.test:6516" for name in self.fleet.names}
        variables = {
            "naive_token_url": self.tenant.token_url,
            "naive_graph_url": self.tenant.endpoints["graph_url"],
            "naive_graph_scope": self.tenant.endpoints["graph_scope"],
            "naive_client_id": self.tenant.admin["client_id"],
            "naive_ca_bundle": self.tenant.endpoints["ca_bundle"],
            "naive_app_object_id": app["id"],
            "naive_redirect_uris": uris,
        }
        (self.work / "naive_vars.json").write_text(json.dumps(variables, indent=2))
        seq = self.tenant.last_seq()
        run = self.playbook("naive", playbooks.NAIVE, "-e", "@naive_vars.json")
        graph = results.graph_summary(self.tenant.log_since(seq))
        final = set(self.tenant.get_app(app["id"])["spa"]["redirectUris"])
        return {"wall_s": run["wall_s"], "failed": len(run["failed_hosts"]), **graph, **profile(run),
                "redirect_uris_lost": len(set(uris.values()) - final)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python benchmarks/fleet.py", description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, required=True, help="emulated gateways (management PCs)")
    parser.add_argument("--forks", type=int, default=25, help="Ansible forks for every playbook run (default 25)")
    parser.add_argument("--connection", choices=list(CONNECTIONS), default="winrm-ntlm",
                        help="how Ansible reaches the gateways (default winrm-ntlm: winrm, NTLM, HTTP)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; timings are their median (default 3)")
    parser.add_argument("--output-dir", type=Path, default=None, help="logs and benchmark.json (default: a temp dir)")
    parser.add_argument("--playbook", type=Path, default=playbooks.REGISTER,
                        help="the register playbook to measure (default playbooks/register_wac.yml)")
    parser.add_argument("--strategy", default="linear", help="Ansible strategy plugin for every run (default linear)")
    parser.add_argument("--generations", default="classic_server,modern",
                        help="gateway generations, assigned round-robin (default classic_server,modern: server mode, "
                             "so every gateway needs its own redirect URI and 1,000 gateways need 4 apps)")
    parser.add_argument("--base-address", default="127.0.100.1",
                        help="first gateway's loopback address (default 127.0.100.1, apart from the demo's fleet)")
    parser.add_argument("--reply-delay", type=float, default=0.0,
                        help="hold back every WinRM reply this many seconds, like a network and Windows (default 0)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive playbook (its figures become null)")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="without the wac.fleet.gc_freeze callback (for the playbook and the floor alike)")
    parser.add_argument("--floor", choices=("both", "rerun"), default="both",
                        help="whose floor to run: both runs' (default) or only the re-run's (a fleet so big that the "
                             "first run's floor would double the time; the first run's floor and ratio become null)")
    args = parser.parse_args(argv)
    if args.gateways < 1 or args.forks < 1 or args.runs < 1:
        parser.error("--gateways, --forks and --runs must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = (args.output_dir or Path(tempfile.mkdtemp(prefix="wac-fleet-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"output in {work}; load {load()}")
    details: dict[str, t.Any] = {"gateways": args.gateways, "forks": args.forks, "strategy": args.strategy,
                                 "gc_freeze": not args.no_gc_freeze,
                                 "connection": args.connection, "runs": args.runs, "reply_delay": args.reply_delay,
                                 "generations": args.generations,
                                 "playbook": str(args.playbook), "load_start": load()}
    with ExitStack() as stack:
        started = time.monotonic()
        setup = Setup(args.connection, work)
        stack.callback(setup.stop)
        tenant_emu = start(stack, "tests.emulators.tenant", work / "tenant.json", work / "tenant.log")
        fleet_emu = start(stack, "tests.emulators.fleet", work / "fleet.json", work / "fleet.log",
                          "--count", str(args.gateways), "--inventory", str(work / "inventory.ini"),
                          "--base-address", args.base_address, "--generations", args.generations,
                          *setup.fleet_args(), env=setup.env)
        setup.join(fleet_emu.endpoints)
        details["emulators_start_s"] = round(time.monotonic() - started, 2)
        tenant, fleet = Tenant(tenant_emu.endpoints), FleetControl(fleet_emu.endpoints)
        playbooks.write_config(work, tenant.endpoints, args.forks, args.strategy, args.gateways,
                               gc_freeze=not args.no_gc_freeze)
        environment = {**playbooks.environment(work, tenant.admin["client_secret"]), **setup.env}
        bench = Bench(work, tenant, fleet, environment,
                      {"fleet_emulator": fleet_emu.pid, "tenant_emulator": tenant_emu.pid}, args.reply_delay,
                      args.playbook.resolve(), ("first", "rerun") if args.floor == "both" else ("rerun",))
        repetitions = []
        for number in range(1, args.runs + 1):
            repetitions.append(bench.repetition(number))
        naive = {"graph_requests": None, "redirect_uris_lost": None} if args.no_naive else bench.naive()
        emulator_peak_kb = peak_rss_kb(fleet_emu.pid)
        details.update(repetitions=repetitions, naive=naive, load_end=load(),
                       tenant_peak_rss_mb=round(peak_rss_kb(tenant_emu.pid) / 1024, 1),
                       controller_peak_rss_sum_mb=round(bench.controller_peak_rss_sum_kb / 1024, 1))
    summary = results.result(args.gateways, args.forks, repetitions, naive, bench.controller_peak_kb, emulator_peak_kb)
    summary["connection"] = args.connection
    summary["gc_freeze"] = not args.no_gc_freeze
    return write_result(work / "benchmark.json", details, summary)


if __name__ == "__main__":
    run_main(main)
