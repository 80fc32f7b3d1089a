"""Measure a big fleet: start-up time, one WinRM request per PC, resident memory.

    python -m tests.emulators.fleet.scale [--count 1000] [--scheme http] [--transport ntlm] [--workers 16]

Starts the fleet in this process (background thread), then from a thread pool opens and deletes one shell on
every PC with pywinrm (NTLM handshake + encrypted Create + Delete), builds every PC's gateway model, and prints
JSON with the timings and the RSS (of this process, clients included) at each step.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import winrm

from .fixture import start_fleet


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_request(endpoint: dict, ca_bundle: str) -> None:
    protocol = winrm.Protocol(
        f"{endpoint['scheme']}://{endpoint['address']}:{endpoint['port']}/wsman",
        transport=endpoint["transport"],
        username=endpoint["user"],
        password=endpoint["password"],
        ca_trust_path=ca_bundle,
    )
    protocol.close_shell(protocol.open_shell())


def measure(count: int, scheme: str = "http", transport: str = "ntlm", workers: int = 16) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * count + 256)), hard))
    result: dict = {"count": count, "scheme": scheme, "transport": transport, "rss_mb_before": round(rss_mb(), 1)}
    with tempfile.TemporaryDirectory() as directory:
        started = time.monotonic()
        fleet = start_fleet(Path(directory), count, scheme=scheme, transport=transport)
        result["startup_seconds"] = round(time.monotonic() - started, 2)
        result["rss_mb_started"] = round(rss_mb(), 1)
        try:
            hosts = fleet.endpoints["hosts"]
            started = time.monotonic()
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(lambda host: one_request(host, fleet.ca_bundle), hosts))
            result["requests_seconds"] = round(time.monotonic() - started, 2)
            result["rss_mb_after_requests"] = round(rss_mb(), 1)
            result["pcs_served"] = sum(1 for pc in fleet.pcs.values() if pc.requests["Create"] == 1)
            try:
                for pc in fleet.pcs.values():
                    pc.model  # noqa: B018 - builds every gateway model
                result["rss_mb_with_models"] = round(rss_mb(), 1)
            except ImportError:
                result["rss_mb_with_models"] = None
        finally:
            fleet.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulators.fleet.scale")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--scheme", choices=["http", "https"], default="http")
    parser.add_argument("--transport", choices=["ntlm", "basic"], default="ntlm")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.scheme, args.transport, args.workers), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
