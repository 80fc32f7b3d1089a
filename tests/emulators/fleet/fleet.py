"""The simulated management PCs of a fleet: addresses, credentials, generation, script log, faults.

A :class:`PC` is what ``ops.run_script(pc, script, stdin, session)`` receives. It knows nothing about HTTP or SSH:
``server.py`` serves it, ``shells.py`` keeps its WinRS shells, ``psrp.py`` its PowerShell runspace pools and
``ssh.py`` its SSH server. :meth:`PC.execute` turns a command line (WinRS, or an SSH exec request) plus its stdin into
a script run by the fleet's script runner (``ops.run_script`` unless another is given), and :meth:`PC.run` runs a
script text as it is (a PSRP pipeline), each as the logon (:class:`~tests.emulators.fleet.session.Session`) of the
connection that sent it, and logs it. The fleet's connection (winrm, psrp or ssh) and authentication only shape its
inventory (inventory.py) and what its listeners accept.
"""

from __future__ import annotations

import codecs
import dataclasses
import ipaddress
import json
import logging
import os
import random
import re
import secrets
import threading
import time
import typing as t
from collections import Counter
from pathlib import Path

from .commandline import STDIN_SCRIPT, decode_command_line
from .faults import default_faults, forward_to_model
from .gateway_model import GENERATIONS
from .inventory import Files, check, host_variables, ini_line
from .session import Session, local_session

log = logging.getLogger(__name__)

DEFAULT_USER = "wac-admin"
DOMAIN_SUFFIX = "fleet.wac.test"
# The marker line that routes a script, among its first non-empty lines (Ansible or the collection may put a line
# such as ``Set-StrictMode -Version Latest`` before it).
_OP_MARKER = re.compile(r"^\s*#\s*wac\.fleet operation:\s*([A-Za-z0-9_.-]+)\s*$")
_MARKER_SEARCH_LINES = 8

# Every PC runs the same few scripts (the collection's inputs travel on stdin, not in the script), each decoded anew
# from its command line: the log keeps one copy of each distinct text for the whole fleet, not one per script run
# (10,000 PCs x 7 runs of a 7 KB script would be 500 MB). Bounded: texts past the first _SHARED_SCRIPTS_MAX are kept
# per run, as before.
_SHARED_SCRIPTS: dict[str, str] = {}
_SHARED_SCRIPTS_MAX = 512
_shared_scripts_lock = threading.Lock()


def shared_text(script: str) -> str:
    """The fleet's one copy of this script text (equal, and the same object for every PC that ran it)."""
    with _shared_scripts_lock:
        kept = _SHARED_SCRIPTS.get(script)
        if kept is None and len(_SHARED_SCRIPTS) < _SHARED_SCRIPTS_MAX:
            kept = _SHARED_SCRIPTS[script] = script
    return kept if kept is not None else script


ScriptRunner = t.Callable[["PC", str, str, Session], tuple[int, str, str]]
ModelFactory = t.Callable[["PC"], t.Any]

# Every fleet of one process shares the NTLM user file (pyspnego reads it from the environment), so the default
# password is one per process: fleets started side by side in one test session never disagree about it.
_PROCESS_PASSWORD = "Wac" + secrets.token_hex(12)


def operation_of(script: str) -> str | None:
    """The operation named by the ``# wac.fleet operation: <name>`` marker among the first non-empty lines of
    ``script`` (the one routing rule of the emulator: WinRS, PSRP and SSH commands alike)."""
    lines = [line for line in script.splitlines() if line.strip()]
    for line in lines[:_MARKER_SEARCH_LINES]:
        match = _OP_MARKER.match(line)
        if match:
            return match.group(1)
    return None


def _codec(codepage: int) -> str:
    name = "utf-8" if codepage == 65001 else f"cp{codepage}"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def default_script_runner(pc: PC, script: str, stdin: str, session: Session) -> tuple[int, str, str]:
    from . import ops  # the gateway side, written apart from the protocol

    return ops.run_script(pc, script, stdin, session)


def default_model_factory(pc: PC) -> t.Any:
    from .gateway_model import GatewayModel

    options = {"accounts": {pc.user: pc.password}, **pc.model_options}  # the PC's account signs in to its gateway
    report = options.pop("doctor_report", None)
    if report is not None:  # a PC replaying a gateway doctor report (doctor_replay.py)
        return GatewayModel.from_doctor(report, **options)
    return GatewayModel(pc.generation, pc.name, pc.fqdn, **options)


class PC:
    """One simulated management PC (a WAC gateway of one generation) on its own loopback address."""

    def __init__(
        self,
        name: str,
        address: str,
        port: int,
        *,
        scheme: str,
        transport: str,
        user: str,
        password: str,
        generation: str,
        script_runner: ScriptRunner,
        model_factory: ModelFactory,
        model_options: dict[str, t.Any] | None = None,
        connection: str = "winrm",
        realm: str | None = None,
        ssh_port: int = 22,
    ) -> None:
        self.name = name
        self.address = address
        self.port = port
        self.scheme = scheme
        self.transport = transport
        self.connection = connection
        self.realm = realm  # the Kerberos realm the PC is joined to (its keys are in KRB5_KTNAME), or None
        self.ssh_port = ssh_port
        self.user = user
        self.password = password
        self.generation = generation
        self.fqdn = f"{name}.{DOMAIN_SUFFIX}"
        self.model_options = dict(model_options or {})
        self.faults: dict[str, t.Any] = default_faults()
        self.log: list[dict[str, t.Any]] = []  # one entry per script run, see execute()
        self.requests: Counter[str] = Counter()  # WS-Management operations served, by name (Create, Receive...)
        self.lock = threading.RLock()  # held around every script run and every model access from outside
        self._script_runner = script_runner
        self._model_factory = model_factory
        self._model: t.Any = None

    def __repr__(self) -> str:
        return f"<PC {self.name} {self.scheme}://{self.address}:{self.port} {self.generation}>"

    @property
    def model(self) -> t.Any:
        """The gateway state model, created on first use."""
        if self._model is None:
            with self.lock:
                if self._model is None:
                    self._model = self._model_factory(self)
                    forward_to_model(self.faults, self._model)
        return self._model

    @property
    def has_model(self) -> bool:
        return self._model is not None

    def reset(self) -> None:
        """Back to a fresh PC: no faults, empty logs, a new model on next use."""
        with self.lock:
            self.faults = default_faults()
            self.log.clear()
            self.requests.clear()
            self._model = None

    def endpoint(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "address": self.address,
            "port": self.port,
            "scheme": self.scheme,
            "transport": self.transport,
            "connection": self.connection,
            "realm": self.realm,
            "ssh_port": self.ssh_port if self.connection == "ssh" else None,
            "user": self.user,
            "password": self.password,
            "generation": self.generation,
        }

    def execute(
        self, command_line: str, stdin: bytes, codepage: int = 437, session: Session | None = None, via: str = "winrs"
    ) -> tuple[int, bytes, bytes]:
        """Run one command line (blocking; called from a worker thread) as ``session`` and log it."""
        encoding = _codec(codepage)
        stdin_text = stdin.decode(encoding, errors="replace")
        script = decode_command_line(command_line)
        if script is STDIN_SCRIPT:
            script, stdin_text = stdin_text, ""
        rc, stdout, stderr = self.run(str(script), stdin_text, session, via)
        return rc, stdout.encode(encoding, errors="replace"), stderr.encode(encoding, errors="replace")

    def run(
        self, script: str, stdin_text: str, session: Session | None = None, via: str = "psrp"
    ) -> tuple[int, str, str]:
        """Run one script text with its input (blocking) as ``session`` and log it: (rc, stdout, stderr) as text.
        ``via`` (winrs, psrp, ssh) is logged with it."""
        session = session or local_session(self.user)
        with self.lock:
            started = time.time()
            try:
                rc, stdout, stderr = self._script_runner(self, script, stdin_text, session)
            except Exception as exc:  # a broken router must show as a failed command, never as success
                rc, stdout, stderr = 1, "", f"fleet emulator: script runner raised {type(exc).__name__}: {exc}\r\n"
            self.log.append(
                {
                    "time": started,
                    "duration": round(time.time() - started, 6),
                    "op": operation_of(script),
                    "session": {"user": session.user, "auth": session.auth, "delegated": session.delegated},
                    "via": via,
                    "script": shared_text(script),
                    "stdin": stdin_text,
                    "rc": rc,
                    "stdout": stdout,
                    "stderr": stderr,
                }
            )
        log.debug("%s: %s rc=%s", self.name, self.log[-1]["op"] or "(no marker)", rc)
        return rc, stdout, stderr


def addresses(base: str, count: int) -> list[str]:
    """``count`` loopback addresses from ``base`` on, skipping host parts .0 and .255."""
    first = ipaddress.IPv4Address(base)
    if not first.is_loopback:
        raise ValueError(f"base address {base} is not in 127.0.0.0/8")
    result: list[str] = []
    current = first
    while len(result) < count:
        if not current.is_loopback:
            raise ValueError(f"{count} addresses from {base} do not fit in 127.0.0.0/8")
        if int(current) & 0xFF not in (0, 255):
            result.append(str(current))
        current += 1
    return result


class Fleet:
    """The PCs of one emulated fleet and the files that describe it (endpoints JSON, Ansible inventory)."""

    def __init__(
        self,
        count: int = 1,
        *,
        scheme: str = "http",
        transport: str = "ntlm",
        generations: t.Sequence[str] | None = None,
        base_address: str = "127.0.1.1",
        port: int | None = None,
        user: str = DEFAULT_USER,
        password: str | None = None,
        seed: int | None = None,
        script_runner: ScriptRunner | None = None,
        model_factory: ModelFactory | None = None,
        model_options: dict[str, t.Any] | None = None,
        connection: str = "winrm",
        realm: str | None = None,
        ssh_port: int = 22,
        kinit_mode: str = "managed",
        delegation: bool = False,
    ) -> None:
        if count < 1:
            raise ValueError("a fleet has at least one PC")
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be http or https, not {scheme!r}")
        check(connection, transport, scheme, realm)
        if kinit_mode not in ("managed", "manual"):
            raise ValueError(f"kinit_mode must be managed or manual, not {kinit_mode!r}")
        gens = list(generations or GENERATIONS)
        for gen in gens:
            if gen not in GENERATIONS:
                raise ValueError(f"unknown generation {gen!r} (known: {', '.join(GENERATIONS)})")
        self.scheme = scheme
        self.transport = transport
        self.connection = connection
        self.realm = realm
        self.ssh_port = ssh_port
        self.kinit_mode = kinit_mode
        self.delegation = delegation
        self.files = Files()  # set by the server once its CA and SSH keys exist
        self.port = port or (5986 if scheme == "https" else 5985)
        self.user = user
        self.password = password or (
            "Wac" + "".join(random.Random(seed).choices("0123456789abcdef", k=24)) if seed is not None
            else _PROCESS_PASSWORD
        )
        width = max(4, len(str(count)))
        self.pcs: dict[str, PC] = {}
        self._by_address: dict[tuple[str, int], PC] = {}
        for index, address in enumerate(addresses(base_address, count)):
            pc = PC(
                f"wac-{index + 1:0{width}d}",
                address,
                self.port,
                scheme=scheme,
                transport=transport,
                user=user,
                password=self.password,
                generation=gens[index % len(gens)],
                script_runner=script_runner or default_script_runner,
                model_factory=model_factory or default_model_factory,
                model_options=model_options,
                connection=connection,
                realm=realm,
                ssh_port=ssh_port,
            )
            self.pcs[pc.name] = pc
            self._by_address[(address, self.port)] = pc

    def __len__(self) -> int:
        return len(self.pcs)

    def at(self, address: str, port: int) -> PC | None:
        return self._by_address.get((address, port))

    def endpoints(self, control_url: str, ca_bundle: str | None) -> dict[str, t.Any]:
        return {
            "ca_bundle": ca_bundle,
            "control_url": control_url,
            "hosts": [pc.endpoint() for pc in self.pcs.values()],
        }

    def inventory(self, ca_bundle: str | None) -> str:
        """An INI inventory: group ``wac_gateways``, one line per PC with its connection variables (inventory.py), and
        one group per generation (``wac_gateways_modern``, ...), as an admin who knows which PCs run which would keep
        them (proxy credentials, for one, can be set by the collection on v2 gateways only)."""
        files = dataclasses.replace(self.files, ca_bundle=ca_bundle)
        lines = ["[wac_gateways]"]
        for pc in self.pcs.values():
            variables = host_variables(pc, files, kinit_mode=self.kinit_mode, delegation=self.delegation)
            lines.append(ini_line(pc.name, variables))
        for generation in GENERATIONS:
            members = [pc.name for pc in self.pcs.values() if pc.generation == generation]
            if members:
                lines += ["", f"[wac_gateways_{generation}]", *members]
        return "\n".join(lines) + "\n"

    def write_files(
        self, control_url: str, ca_bundle: str | None, endpoints_file: Path | None, inventory: Path | None
    ) -> None:
        """Write the endpoints file and the inventory atomically (readers never see half a file)."""
        if endpoints_file:
            _write_atomic(Path(endpoints_file), json.dumps(self.endpoints(control_url, ca_bundle), indent=2) + "\n")
        if inventory:
            _write_atomic(Path(inventory), self.inventory(ca_bundle))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)
