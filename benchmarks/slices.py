"""AWX job slicing at fleet scale: register_wac.yml as K ansible-runner jobs started at the same moment, one per
slice AWX makes (host i of the name-ordered inventory in slice i mod K), against one emulated tenant and fleet.

    python benchmarks/slices.py --gateways N [--slices 1,2,4] [--forks 25] [--output-dir D] [--no-alone]
        [--generations classic_server,modern] [--base-address 127.0.100.1]

For each K, on a tenant and fleet reset to fresh: a first run of all K slices at once, then a re-run of all K at
once; then (K > 1, unless --no-alone) slice 1 alone, first run and re-run, on a fresh tenant and fleet: what one of
K controllers, each running its slice on its own cores, would take. Every job is ``ansible-runner run`` over a
private data dir laid out as AWX does (tests/integration/awx_jobs.py), process isolation off, each with ``--forks``.

Per slice: wall time, CPU seconds of the ansible-runner tree (``wait4``: the job and every process it reaped),
peak PSS of its process tree, its Entra step's wall time (from the job events), hosts changed and failed. Per
phase: wall time of all slices together (first start to last end), Graph requests and writes (tenant log), the
fleet's apps against their limits, the redirect URIs the slices' fleet reports list that no app holds. The last line
on stdout is one JSON object (the summary); D/slices.json holds everything, D/<phase>-slice-<n>/ each job's private
data dir and artifacts. Run it from the environment of ``. scripts/bootstrap.sh``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import playbooks, results
from benchmarks.emulators import FleetControl, Tenant, start
from benchmarks.proctree import TreePeakSampler, peak_rss_kb
from benchmarks.report import load, run_main, say, write_result
from tests.integration.awx_jobs import REGISTER, AwxJob, export_inventory, inventory_hosts, runner_env, slices

ENTRA_STEP = "wac.fleet.entra_fleet_apps"


class Slice:
    """One ansible-runner job, waited for with ``os.wait4`` (its CPU, children included) while its tree's memory
    is sampled."""

    def __init__(self, job: AwxJob, env: dict[str, str]) -> None:
        self.job, self.env = job, env
        self.rusage: t.Any = None
        self.status = 0
        self.wall = 0.0

    def start(self) -> None:
        self.log = (self.job.folder / "runner.log").open("w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.job.command(REGISTER), env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.sampler = TreePeakSampler(self.process.pid).__enter__()
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        _pid, status, self.rusage = os.wait4(self.process.pid, 0)
        self.wall = time.monotonic() - self.started
        self.process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again

    def finish(self) -> dict[str, t.Any]:
        self.thread.join()
        self.sampler.__exit__(None, None, None)
        self.log.close()
        run = self.job.collect(self.process.returncode, self.wall, "")
        recap = run.recap
        entra = [e["created"] for e in run.events if (e.get("event_data") or {}).get("resolved_action") == ENTRA_STEP
                 and e["event"] in ("runner_on_start", "runner_on_ok", "runner_on_failed")]
        return {"ident": self.job.ident, "rc": run.rc, "status": run.status, "wall_s": run.wall_s,
                "cpu_s": round(self.rusage.ru_utime + self.rusage.ru_stime, 1),
                "peak_pss_mb": round(self.sampler.peak_pss_kb / 1024, 1),
                "hosts": len(recap), "changed": len(run.hosts("changed")),
                "failed": len(set(run.hosts("failures")) | set(run.hosts("dark"))),
                "entra_step_s": round(_seconds(max(entra)) - _seconds(min(entra)), 2) if len(entra) >= 2 else None,
                "report": run.report}


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class SliceBench:
    def __init__(self, work: Path, tenant: Tenant, fleet: FleetControl, inventory: dict[str, t.Any],
                 envvars: dict[str, str], forks: int) -> None:
        self.work, self.tenant, self.fleet = work, tenant, fleet
        self.inventory, self.envvars, self.forks = inventory, envvars, forks
        self.env = runner_env(os.environ)

    def phase(self, name: str, parts: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        """Every part as its own job, all started at once; their figures and the tenant's afterwards."""
        seq = self.tenant.last_seq()
        jobs = [Slice(AwxJob.prepare(self.work / f"{name}-slice-{n}", part, envvars=self.envvars, forks=self.forks,
                                     ident=f"{name}-{n}"), self.env) for n, part in enumerate(parts, start=1)]
        started = time.monotonic()
        for job in jobs:
            job.start()
        figures = [job.finish() for job in jobs]
        wall = time.monotonic() - started
        graph = results.graph_summary(self.tenant.log_since(seq))
        applications = self.tenant.applications()
        apps = results.fleet_apps(applications)
        report = {"gateways": [row for f in figures for row in ((f.pop("report") or {}).get("gateways") or [])]}
        outcome = {"wall_s": round(wall, 2), "slices": figures,
                   "failed": sum(f["failed"] for f in figures), "changed": sum(f["changed"] for f in figures),
                   "hosts": sum(f["hosts"] for f in figures),
                   "graph_requests": graph["graph_requests"], "graph_writes": graph["graph_writes"],
                   "graph_by_method": graph["graph_by_method"], "apps": apps,
                   "apps_over_limit": sum(1 for a in apps if a["redirect_uris"] > a["limit"]),
                   "redirect_uris_missing": results.redirect_uris_missing(report, applications),
                   "load": load()}
        say(f"{name}: {outcome['wall_s']} s, slices {[f['wall_s'] for f in figures]} s, failed {outcome['failed']}, "
            f"changed {outcome['changed']}, graph {graph['graph_requests']} ({graph['graph_writes']} writes), "
            f"apps {[a['redirect_uris'] for a in apps]}, cpu s {[f['cpu_s'] for f in figures]}, load {load()}")
        return outcome

    def reset(self) -> None:
        self.tenant.reset()
        self.fleet.reset()

    def measure(self, count: int, alone: bool) -> dict[str, t.Any]:
        parts = slices(self.inventory, count)
        self.reset()
        measured = {"slices": count, "first": self.phase(f"k{count}-first", parts),
                    "rerun": self.phase(f"k{count}-rerun", parts)}
        if alone and count > 1:
            self.reset()
            measured["alone"] = {"first": self.phase(f"k{count}-alone-first", parts[:1]),
                                 "rerun": self.phase(f"k{count}-alone-rerun", parts[:1])}
        return measured


def summary(gateways: int, forks: int, measured: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    rows = []
    for m in measured:
        row = {"slices": m["slices"]}
        for phase in ("first", "rerun"):
            p = m[phase]
            row[phase] = {"wall_s": p["wall_s"], "slice_wall_s": [s["wall_s"] for s in p["slices"]],
                          "slice_cpu_s": [s["cpu_s"] for s in p["slices"]],
                          "slice_peak_pss_mb": [s["peak_pss_mb"] for s in p["slices"]],
                          "entra_step_s": [s["entra_step_s"] for s in p["slices"]],
                          "failed": p["failed"], "changed": p["changed"], "graph_requests": p["graph_requests"],
                          "graph_writes": p["graph_writes"], "apps": [a["redirect_uris"] for a in p["apps"]],
                          "apps_over_limit": p["apps_over_limit"], "redirect_uris_missing": p["redirect_uris_missing"]}
            if "alone" in m:
                row[phase]["one_controller_of_k_wall_s"] = m["alone"][phase]["wall_s"]
        rows.append(row)
    return {"gateways": gateways, "forks_per_slice": forks, "by_slices": rows}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python benchmarks/slices.py", description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", type=int, required=True, help="emulated gateways")
    parser.add_argument("--slices", default="1,2,4", help="the job slice counts K to measure (default 1,2,4)")
    parser.add_argument("--forks", type=int, default=25, help="forks of every job (default 25)")
    parser.add_argument("--output-dir", type=Path, default=None, help="private data dirs, slices.json (default: temp)")
    parser.add_argument("--generations", default="classic_server,modern",
                        help="gateway generations, round-robin (default: server mode, a redirect URI each)")
    parser.add_argument("--base-address", default="127.0.100.1", help="first gateway's loopback address")
    parser.add_argument("--no-alone", action="store_true",
                        help="skip slice 1 of K alone (the time of one of K controllers)")
    args = parser.parse_args(argv)
    args.slice_counts = [int(k) for k in args.slices.split(",")]
    if args.gateways < 1 or args.forks < 1 or any(k < 1 or k > args.gateways for k in args.slice_counts):
        parser.error("--gateways and --forks must be positive, every K within 1..gateways")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = (args.output_dir or Path(tempfile.mkdtemp(prefix="wac-fleet-slices-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"output in {work}; load {load()}")
    details: dict[str, t.Any] = {"gateways": args.gateways, "forks": args.forks, "slices": args.slice_counts,
                                 "generations": args.generations, "load_start": load()}
    with ExitStack() as stack:
        empty = work / "krb5-none.conf"
        empty.write_text("[libdefaults]\n dns_lookup_kdc = false\n dns_lookup_realm = false\n")
        tenant_emu = start(stack, "tests.emulators.tenant", work / "tenant.json", work / "tenant.log")
        fleet_emu = start(stack, "tests.emulators.fleet", work / "fleet.json", work / "fleet.log",
                          "--count", str(args.gateways), "--inventory", str(work / "inventory.ini"),
                          "--base-address", args.base_address, "--generations", args.generations,
                          env={"KRB5_CONFIG": str(empty)})
        tenant, fleet = Tenant(tenant_emu.endpoints), FleetControl(fleet_emu.endpoints)
        playbooks.write_config(work, tenant.endpoints, args.forks, "linear", args.gateways)
        secret = tenant.admin["client_secret"]
        inventory = export_inventory(work / "inventory.ini", playbooks.environment(work, secret))
        assert len(inventory_hosts(inventory)) == args.gateways
        envvars = {"AZURE_CLIENT_SECRET": secret, "ANSIBLE_CALLBACKS_ENABLED": "wac.fleet.fleet_report",
                   "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH",
                                                              str(playbooks.ROOT / ".build" / "collections")),
                   "WAC_FLEET_PROGRESS_EVERY": "250", "KRB5_CONFIG": str(empty)}
        bench = SliceBench(work, tenant, fleet, inventory, envvars, args.forks)
        measured = [bench.measure(k, not args.no_alone) for k in args.slice_counts]
        details.update(measured=measured, load_end=load(),
                       fleet_emulator_peak_rss_mb=round(peak_rss_kb(fleet_emu.pid) / 1024, 1),
                       tenant_emulator_peak_rss_mb=round(peak_rss_kb(tenant_emu.pid) / 1024, 1))
    result = summary(args.gateways, args.forks, measured)
    result["fleet_emulator_peak_rss_mb"] = details["fleet_emulator_peak_rss_mb"]
    return write_result(work / "slices.json", details, result)


if __name__ == "__main__":
    run_main(main)
