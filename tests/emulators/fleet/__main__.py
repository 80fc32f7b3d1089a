"""Run an emulated fleet of WAC management PCs until SIGTERM/SIGINT.

    python -m tests.emulators.fleet --count 20 --endpoints-file fleet.json --inventory fleet.ini \\
        [--scheme http|https] [--connection winrm|psrp|ssh] [--transport ntlm|basic|kerberos|credssp|password|key] \\
        [--realm REALM] [--kinit-mode managed|manual] [--delegation] [--ssh-port N] \\
        [--generations classic_server,classic_desktop,modern] \\
        [--base-address 127.0.1.1] [--port N] [--control-port N] [--seed S] [--state-dir D] \\
        [--from-doctor REPORT.json ...]

Once every listener is up it writes the endpoints file (JSON, see docs/development.md) and the inventory (INI, group
``wac_gateways``); it exits 0 on SIGTERM or SIGINT. ``--realm`` joins the PCs to a Kerberos realm whose keys are in
the keytab named by ``KRB5_KTNAME`` (the realm of tests/emulators/kdc.py: its ``env``); the caller adds the PCs'
service principals to it (``Realm.add_services``), before or after the start. ``--from-doctor`` (repeatable) makes
the first PCs replay gateway doctor reports (doctor_replay.py); ``--count`` then defaults to their number.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
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
    parser.add_argument("--connection", choices=["winrm", "psrp", "ssh"], default="winrm",
                        help="the Ansible connection the inventory uses (default winrm; ssh also serves SSH)")
    parser.add_argument("--transport", choices=["ntlm", "basic", "kerberos", "credssp", "password", "key"],
                        default=None, help="authentication (default ntlm, for ssh password)")
    parser.add_argument("--realm", default=None, help="Kerberos realm the PCs are joined to (keys in KRB5_KTNAME)")
    parser.add_argument("--kinit-mode", choices=["managed", "manual"], default="managed",
                        help="winrm Kerberos: kinit with the inventory password (managed) or a ticket cache (manual)")
    parser.add_argument("--delegation", action="store_true", help="Kerberos: the inventory asks for delegation")
    parser.add_argument("--ssh-port", type=int, default=None,
                        help="SSH port of every PC (default 22 as root, else 2222)")
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
    transport = args.transport or ("password" if args.connection == "ssh" else "ntlm")
    ssh_port = args.ssh_port or (22 if os.geteuid() == 0 else 2222)
    fleet = Fleet(
        count,
        scheme=args.scheme,
        transport=transport,
        connection=args.connection,
        realm=args.realm,
        ssh_port=ssh_port,
        kinit_mode=args.kinit_mode,
        delegation=args.delegation,
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
            "%d PCs from %s:%d (%s %s/%s), control API %s",
            len(fleet), args.base_address, fleet.port, args.connection, args.scheme, transport, server.control_url,
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
