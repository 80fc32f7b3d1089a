"""Pure bookkeeping of the fleet benchmark: what a phase cost (from the emulators' logs and counters), and the
one JSON object the benchmark prints (medians of the repetitions' timings, the worst of their counts)."""

from __future__ import annotations

import math
import re
import statistics
import typing as t
from collections import Counter

GRAPH_PREFIX = "/v1.0"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RECAP = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                   r"\s+failed=(?P<failed>\d+)", re.MULTILINE)


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    """``PLAY RECAP`` lines of ansible-playbook's output: host -> ok, changed, unreachable, failed."""
    fields = ("ok", "changed", "unreachable", "failed")
    return {m["host"]: {k: int(m[k]) for k in fields} for m in RECAP.finditer(output)}


def failed_hosts(recap: dict[str, dict[str, int]], expected: t.Iterable[str]) -> list[str]:
    """Hosts that failed, were unreachable, or are missing from the recap altogether."""
    return sorted(h for h in expected if h not in recap or recap[h]["failed"] or recap[h]["unreachable"])


def graph_summary(entries: t.Iterable[dict[str, t.Any]]) -> dict[str, t.Any]:
    """Requests of one phase from the tenant's request log: Graph (``/v1.0``) requests and writes, sign-in
    (token, discovery) requests, and Graph requests by method and status."""
    entries = list(entries)
    graph = [e for e in entries if e["path"] == GRAPH_PREFIX or e["path"].startswith(GRAPH_PREFIX + "/")]
    return {
        "graph_requests": len(graph),
        "graph_writes": sum(1 for e in graph if e["method"] in WRITE_METHODS),
        "login_requests": len(entries) - len(graph),
        "graph_by_method": dict(sorted(Counter(e["method"] for e in graph).items())),
        "graph_throttled": sum(1 for e in graph if e["status"] == 429),
    }


def fleet_delta(before: dict[str, dict[str, t.Any]], after: dict[str, dict[str, t.Any]]) -> dict[str, t.Any]:
    """What one phase did on the PCs, from the fleet's per-PC counters before and after it.

    ``winrm_commands_per_host`` is the most commands any PC ran (the per-gateway targets are per gateway);
    ``restarts`` counts the PCs whose gateway service was started during the phase."""
    scripts, wsman, restarted = [], Counter(), 0
    for name, now in after.items():
        then = before.get(name, {"scripts": 0, "wsman": {}, "service_starts": 0})
        scripts.append(now["scripts"] - then["scripts"])
        wsman.update({op: n - then["wsman"].get(op, 0) for op, n in now["wsman"].items()})
        restarted += now["service_starts"] > then["service_starts"]
    hosts = max(len(scripts), 1)
    return {
        "winrm_commands_per_host": max(scripts, default=0),
        "winrm_commands_per_host_min": min(scripts, default=0),
        "winrm_commands_per_host_mean": round(sum(scripts) / hosts, 2),
        "winrm_commands_total": sum(scripts),
        "wsman_per_host_mean": {op: round(n / hosts, 2) for op, n in sorted(wsman.items()) if n},
        "restarts": restarted,
    }


def floor_tasks(phase: dict[str, t.Any]) -> int:
    """Raw no-op tasks per host the floor must run for a phase: as many as the busiest PC ran commands (at least
    one, so that a phase that ran nothing still costs Ansible's start-up)."""
    return max(1, int(phase["winrm_commands_per_host"]))


def median(values: t.Iterable[float]) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return round(statistics.median(values), 2) if values else float("nan")


def combine_phase(runs: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """One phase (``first`` or ``rerun``) over the repetitions: median wall times and ratio (the ratio of each
    repetition's own pair, so that load on the shared machine hits both sides of a ratio alike), worst counts."""
    floored = [r for r in runs if r.get("floor_wall_s")]  # --floor rerun: the first run has no floor (None)
    return {
        "wall_s": median(r["wall_s"] for r in runs),
        "floor_wall_s": median(r["floor_wall_s"] for r in floored) if floored else None,
        "ratio": median(r["wall_s"] / r["floor_wall_s"] for r in floored) if floored else None,
        "graph_requests": max(r["graph_requests"] for r in runs),
        "graph_writes": max(r["graph_writes"] for r in runs),
        "graph_by_method": max((r["graph_by_method"] for r in runs), key=lambda m: sum(m.values())),
        "apps": max((r.get("apps") or [] for r in runs), key=len),
        "redirect_uris_missing": max((r.get("redirect_uris_missing") or 0) for r in runs),
        "winrm_commands_per_host": max(r["winrm_commands_per_host"] for r in runs),
        "restarts": max(r["restarts"] for r in runs),
        "failed": max(r["failed"] for r in runs),
    }


def result(gateways: int, forks: int, repetitions: list[dict[str, t.Any]], naive: dict[str, t.Any],
           controller_peak_kb: int, emulator_peak_kb: int) -> dict[str, t.Any]:
    """The benchmark's JSON object, in the shape of the fleet-scale issue."""
    return {
        "gateways": gateways,
        "forks": forks,
        "first": combine_phase([r["first"] for r in repetitions]),
        "rerun": combine_phase([r["rerun"] for r in repetitions]),
        "naive": {"graph_requests": naive["graph_requests"], "redirect_uris_lost": naive["redirect_uris_lost"]},
        "controller_peak_rss_mb": round(controller_peak_kb / 1024, 1),
        "emulator_peak_rss_mb": round(emulator_peak_kb / 1024, 1),
    }


def redirect_uris_missing(report: dict[str, t.Any] | None, applications: list[dict[str, t.Any]]) -> int | None:
    """How many redirect URIs the gateways need (the fleet report's ``redirect_uris`` per gateway) no application
    of the tenant has on any platform; None without a report to compare with."""
    if not report or not report.get("gateways"):
        return None
    needed = {uri for row in report["gateways"] for uri in row.get("redirect_uris") or []}
    present = {uri for app in applications for platform in ("spa", "web", "publicClient")
               for uri in (app.get(platform) or {}).get("redirectUris") or []}
    return len(needed - present)


def fleet_apps(applications: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    """The apps the fleet registers to (tagged wac.fleet:managed), by unique name: redirect URIs on every platform
    together against the limit of the app's sign-in audience (256, or 100 with personal Microsoft accounts)."""
    limits = {"AzureADMyOrg": 256, "AzureADMultipleOrgs": 256}
    rows = []
    for app in applications:
        if "wac.fleet:managed" not in (app.get("tags") or []):
            continue
        uris = sum(len((app.get(p) or {}).get("redirectUris") or []) for p in ("spa", "web", "publicClient"))
        rows.append({"unique_name": app.get("uniqueName"), "redirect_uris": uris,
                     "limit": limits.get(app.get("signInAudience"), 100)})
    return sorted(rows, key=lambda r: (len(r["unique_name"] or ""), r["unique_name"] or ""))
