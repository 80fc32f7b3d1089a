"""Run an emulated fleet of WAC management PCs until SIGTERM/SIGINT.

    python -m tests.emulators.fleet --count 20 --endpoints-file fleet.json --inventory fleet.ini \\
        [--scheme http|https] [--transport ntlm|basic] [--generations classic_server,classic_desktop,modern] \\
        [--base-address 127.0.1.1] [--port N] [--control-port N] [--seed S] [--state-dir D] \\
        [--from-doctor REPORT.json ...]

Once every listener is up it writes the endpoints file (JSON, see docs/development.md) and the inventory (INI, group
``wac_gateways``); it exits 0 on SIGTERM or SIGINT. ``--from-doctor`` (repeatable) makes the first PCs replay gateway
doctor reports (doctor_replay.py); ``--count`` then defaults to their number.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from . import doctor_replay
from .fleet import GENERATIONS, Fleet
from .server import FleetServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulators.fleet", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=None,
                        help="number of simulated PCs (default 3, or the number of --from-doctor reports)")
    parser.add_argument("--endpoints-file", type=Path, required=True, help="JSON file written once ready")
    parser.add_argument("--inventory", type=Path, required=True, help="Ansible INI inventory written once ready")
    parser.add_argument("--scheme", choices=["http", "https"], default="http")
    parser.add_argument("--transport", choices=["ntlm", "basic"], default="ntlm")
    parser.add_argument(
        "--generations", default=",".join(GENERATIONS),
        help="comma-separated generations assigned round-robin (default: all three)",
    )
    parser.add_argument("--base-address", default="127.0.1.1", help="address of the first PC (default 127.0.1.1)")
    parser.add_argument("--port", type=int, default=None, help="listener port (default 5985 http, 5986 https)")
    parser.add_argument("--control-port", type=int, default=0, help="control API port on 127.0.0.1 (default: free)")
    parser.add_argument("--seed", type=int, default=None, help="makes the generated password reproducible")
    parser.add_argument("--state-dir", type=Path, default=None, help="where the CA is kept (default: a temp dir)")
    parser.add_argument("--from-doctor", action="append", type=Path, default=[], metavar="REPORT",
                        help="a gateway doctor report (JSON) the next PC replays; repeat for more")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def _raise_file_limit(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * count + 256))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


async def serve(args: argparse.Namespace, state_dir: Path) -> None:
    reports = [doctor_replay.load(path) for path in args.from_doctor]
    generations = [g.strip() for g in args.generations.split(",") if g.strip()]
    count = args.count or 3
    if reports:
        count, generations = doctor_replay.fleet_layout(reports, args.count, generations)
    fleet = Fleet(
        count,
        scheme=args.scheme,
        transport=args.transport,
        generations=generations,
        base_address=args.base_address,
        port=args.port,
        seed=args.seed,
    )
    doctor_replay.attach(fleet, reports)
    server = FleetServer(fleet, state_dir, control_port=args.control_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    try:
        server.write_files(args.endpoints_file, args.inventory)
        logging.getLogger(__name__).info(
            "%d PCs from %s:%d (%s/%s), control API %s",
            len(fleet), args.base_address, fleet.port, args.scheme, args.transport, server.control_url,
        )
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    _raise_file_limit(args.count or max(3, len(args.from_doctor)))
    own_state = args.state_dir is None
    state_dir = Path(tempfile.mkdtemp(prefix="wac-fleet-")) if own_state else args.state_dir
    try:
        asyncio.run(serve(args, state_dir))
    except (OSError, ValueError) as exc:
        print(f"fleet emulator: {exc}", file=sys.stderr)
        return 1
    finally:
        if own_state:
            shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
