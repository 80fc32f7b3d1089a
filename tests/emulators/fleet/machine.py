"""The Windows primitives of one simulated management PC, as the gateway scripts touch them: registry keys and
values, files with an access-control list, Windows services (a clock-driven state machine with a start type),
processes and certificate stores. No WAC knowledge here (``gateway_model.py`` builds a gateway on top), no protocol.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

RUNNING, STOP_PENDING, STOPPED, START_PENDING = "Running", "StopPending", "Stopped", "StartPending"
SERVICE_STATES = (RUNNING, STOP_PENDING, STOPPED, START_PENDING)
START_TYPES = ("Automatic", "Manual", "Disabled")  # ServiceController.StartType as Get-Service reports it
PROGRAM_FILES = r"C:\Program Files"
PROGRAM_DATA = r"C:\ProgramData"
# What a new file gets from its folder when nothing sets its ACL: the folders under Program Files grant
# Administrators and SYSTEM full control and Users read (Windows defaults); NetworkService has no entry of its own.
INHERITED_ACL = frozenset({"BUILTIN\\Administrators:FullControl", "NT AUTHORITY\\SYSTEM:FullControl",
                           "BUILTIN\\Users:ReadAndExecute"})
NETWORK_SERVICE_FULL = "NT AUTHORITY\\NETWORK SERVICE:FullControl"


class MachineError(Exception):
    """What PowerShell would throw (the message is what the script's catch block reports)."""


class Service:
    """A Windows service: a state machine whose pending states end by the model's clock."""

    def __init__(self, name: str, clock: Callable[[], float], state: str = RUNNING, start_type: str = "Automatic"):
        if start_type not in START_TYPES:
            raise ValueError(f"unknown start type {start_type!r}")
        self.name = name
        self.start_type = start_type
        self._clock = clock
        self._state = state
        self._until = 0.0
        self.never_starts = False
        self.started_at = clock() if state == RUNNING else None

    def state(self) -> str:
        now = self._clock()
        if self._state == STOP_PENDING and now >= self._until:
            self._state = STOPPED
        if self._state == START_PENDING and now >= self._until and not self.never_starts:
            self._state = RUNNING
            self.started_at = self._until
        return self._state

    def stop(self, delay: float) -> None:
        if self.state() in (RUNNING, START_PENDING):
            self._state, self._until = STOP_PENDING, self._clock() + delay
            self.started_at = None

    def start(self, delay: float) -> None:
        if self.state() == STOPPED:
            self._state, self._until = START_PENDING, self._clock() + delay

    def force(self, state: str) -> None:
        """Put the service in a state at once (drift injected by a test)."""
        if state not in SERVICE_STATES:
            raise ValueError(f"unknown service state {state!r}")
        self._state, self._until = state, float("inf") if state.endswith("Pending") else 0.0
        self.started_at = self._clock() if state == RUNNING else None


class File:
    __slots__ = ("acl", "text")

    def __init__(self, text: str, acl: frozenset[str]):
        self.text = text
        self.acl = acl


class Machine:
    """Registry, files, services, processes and certificate stores of one PC. Thread-safe (one re-entrant lock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.lock = threading.RLock()
        self.registry: dict[str, dict] = {}
        self.files: dict[str, File] = {}
        self.file_versions: dict[str, str] = {}
        self.services: dict[str, Service] = {}
        self.processes: set[str] = set()
        self.certificates: dict[str, dict[str, str]] = {}  # store path (lower) -> {thumbprint: subject}

    # ---------------------------------------------------------------------------------------------- registry
    def registry_values(self, key: str) -> dict | None:
        with self.lock:
            values = self.registry.get(key.lower())
            return dict(values) if values is not None else None

    def registry_set(self, key: str, name: str, value) -> None:
        with self.lock:
            values = self.registry.get(key.lower())
            if values is None:
                raise MachineError(f"Cannot find path '{key}' because it does not exist.")
            values[name] = value

    def registry_create_key(self, key: str) -> None:
        """``New-Item -Path <key> -Force``: the key exists afterwards (its values kept if it already did)."""
        with self.lock:
            self.registry.setdefault(key.lower(), {})

    def registry_remove(self, key: str, name: str) -> None:
        with self.lock:
            values = self.registry.get(key.lower())
            if values is not None:
                values.pop(name, None)

    # ---------------------------------------------------------------------------------------------- files
    @staticmethod
    def expand(path: str) -> str:
        return path.replace("%ProgramFiles%", PROGRAM_FILES).replace("%ProgramData%", PROGRAM_DATA)

    def file_read(self, path: str) -> str | None:
        with self.lock:
            record = self.files.get(path.lower())
            return record.text if record else None

    def file_exists(self, path: str) -> bool:
        with self.lock:
            return path.lower() in self.files

    def file_acl(self, path: str) -> frozenset[str] | None:
        with self.lock:
            record = self.files.get(path.lower())
            return record.acl if record else None

    def file_write(self, path: str, text: str) -> None:
        """``[IO.File]::WriteAllText`` / ``Set-Content`` on an existing file: truncated and rewritten in place, so it
        keeps its security descriptor."""
        with self.lock:
            record = self.files.get(path.lower())
            if record is None:
                raise MachineError(f"Could not find a part of the path '{path}'.")
            record.text = text

    def file_create(self, path: str, text: str, acl: frozenset[str] = INHERITED_ACL) -> None:
        """A new file: its ACL is what it inherits from its folder unless one is given."""
        with self.lock:
            self.files[path.lower()] = File(text, frozenset(acl))

    def file_move(self, source: str, destination: str) -> None:
        """``Move-Item -Force`` within a volume: the destination is replaced by the source file, ACL included."""
        with self.lock:
            record = self.files.pop(source.lower(), None)
            if record is None:
                raise MachineError(f"Cannot find path '{source}' because it does not exist.")
            self.files[destination.lower()] = record

    def file_version(self, path: str) -> str | None:
        return self.file_versions.get(path.lower())

    # ---------------------------------------------------------------------------------------------- services
    def add_service(self, name: str, state: str = RUNNING, start_type: str = "Automatic") -> Service:
        service = Service(name, self.clock, state, start_type)
        self.services[name] = service
        return service

    def service_state(self, name: str) -> str | None:
        with self.lock:
            service = self.services.get(name)
            return service.state() if service else None

    def service_start_type(self, name: str) -> str | None:
        service = self.services.get(name)
        return service.start_type if service else None

    def service(self, name: str) -> Service:
        service = self.services.get(name)
        if service is None:
            raise MachineError(f"Cannot find any service with service name '{name}'.")
        return service

    # ---------------------------------------------------------------------------------------------- certificates
    def add_certificate(self, store: str, thumbprint: str, subject: str) -> None:
        with self.lock:
            self.certificates.setdefault(store.lower(), {})[thumbprint.upper()] = subject

    def find_certificate(self, store: str, thumbprint: str) -> str | None:
        """``Get-Item Cert:\\<store>\\<thumbprint>``: the certificate's subject, or None."""
        with self.lock:
            return self.certificates.get(store.lower(), {}).get(thumbprint.upper())
