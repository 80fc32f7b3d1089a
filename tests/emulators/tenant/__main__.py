"""python -m tests.emulators.tenant --endpoints-file F [--port 0] [--page-size N] [--auto-approve-device]
[--state-dir D]: serve the emulated tenant until SIGTERM/SIGINT; once ready, write F (JSON, the format of
docs/development.md, "Entra emulator endpoints file"). CA, certificates, PFX and the federated token file go to
--state-dir (default: the directory `<F>.d` next to F)."""

import argparse
import json
import os
import signal
import sys
import threading

from .runner import TenantServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulators.tenant", description=__doc__)
    parser.add_argument("--endpoints-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--auto-approve-device", action="store_true")
    parser.add_argument("--state-dir")
    args = parser.parse_args(argv)

    endpoints_file = os.path.abspath(args.endpoints_file)
    state_dir = args.state_dir or endpoints_file + ".d"
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = TenantServer(state_dir, host=args.host, port=args.port, page_size=args.page_size,
                          auto_approve_device=args.auto_approve_device).start()
    try:
        tmp = endpoints_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(server.endpoints, handle, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, endpoints_file)  # appears complete or not at all
        print(f"entra tenant emulator ready: {server.endpoints['authority']}", file=sys.stderr, flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
