"""What one WinRM command costs the controller, with and without a new connection (profiling aid).

    python benchmarks/winrm_costs.py [--iterations 40] [--transport ntlm|basic] [--scheme http|https]

Against one emulated PC (the fleet emulator's CLI, as a subprocess), with pywinrm as Ansible's ``winrm``
connection uses it, it times three things and prints them as JSON (milliseconds per iteration: wall, CPU of this
process, CPU of the emulator):

- ``task``: what every Ansible task on a WinRM host does: a new connection (NTLM handshake), Create a shell, run
  one script (Command, Receive, Signal), Delete the shell;
- ``script_on_open_shell``: one more script on a shell already open, what a second script in the same action
  plugin costs;
- ``connection``: connection, handshake, Create and Delete alone (``task`` minus the script).
The per-task cost of Ansible itself (forking a worker, templating, the result's trip back) comes on top; compare
with a floor run of benchmarks/fleet.py (controller CPU seconds per host and task).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import winrm

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.emulators import start
from benchmarks.playbooks import NOOP
from benchmarks.proctree import cpu_seconds

ARGS = ["-NoProfile", "-NonInteractive", "-EncodedCommand", base64.b64encode(NOOP.encode("utf-16-le")).decode()]


def protocol(host: dict, ca_bundle: str | None) -> winrm.Protocol:
    return winrm.Protocol(f"{host['scheme']}://{host['address']}:{host['port']}/wsman", transport=host["transport"],
                          username=host["user"], password=host["password"],
                          server_cert_validation="validate" if host["scheme"] == "https" else "ignore",
                          ca_trust_path=ca_bundle)


def run_script(client: winrm.Protocol, shell: str) -> None:
    command = client.run_command(shell, "PowerShell", ARGS)
    _out, _err, rc = client.get_command_output(shell, command)
    client.cleanup_command(shell, command)
    if rc != 0:
        raise RuntimeError(f"the no-op script failed with rc {rc}")


def timed(iterations: int, emulator_pid: int, body) -> dict[str, float]:
    wall, cpu, server = time.perf_counter(), time.process_time(), cpu_seconds(emulator_pid)
    for _i in range(iterations):
        body()
    scale = 1000 / iterations
    return {"wall_ms": round((time.perf_counter() - wall) * scale, 2),
            "client_cpu_ms": round((time.process_time() - cpu) * scale, 2),
            "emulator_cpu_ms": round((cpu_seconds(emulator_pid) - server) * scale, 2)}


def measure(iterations: int, scheme: str, transport: str, base_address: str) -> dict:
    with tempfile.TemporaryDirectory() as directory, ExitStack() as stack:
        work = Path(directory)
        emulator = start(stack, "tests.emulators.fleet", work / "fleet.json", work / "fleet.log", "--count", "1",
                         "--inventory", str(work / "inventory.ini"), "--scheme", scheme, "--transport", transport,
                         "--base-address", base_address)
        host, ca_bundle = emulator.endpoints["hosts"][0], emulator.endpoints["ca_bundle"]

        def task() -> None:
            client = protocol(host, ca_bundle)
            shell = client.open_shell()
            run_script(client, shell)
            client.close_shell(shell)

        def connection() -> None:
            client = protocol(host, ca_bundle)
            client.close_shell(client.open_shell())

        task()  # warm-up: imports, first handshake
        result = {"scheme": scheme, "transport": transport, "iterations": iterations,
                  "task": timed(iterations, emulator.pid, task),
                  "connection": timed(iterations, emulator.pid, connection)}
        client = protocol(host, ca_bundle)
        shell = client.open_shell()
        result["script_on_open_shell"] = timed(iterations, emulator.pid, lambda: run_script(client, shell))
        client.close_shell(shell)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/winrm_costs.py", description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--scheme", choices=["http", "https"], default="http")
    parser.add_argument("--transport", choices=["ntlm", "basic"], default="ntlm")
    parser.add_argument("--base-address", default="127.0.99.1")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.iterations, args.scheme, args.transport, args.base_address)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
