"""The fleet emulator inside a test process: a background thread with its own event loop, and pytest fixtures.

``wac_fleet`` (function scope) and ``wac_fleet_module`` (module scope) are factories::

    def test_x(wac_fleet):
        fleet = wac_fleet(count=5, scheme="https", generations=["modern"])
        fleet.endpoints          # the endpoints-file dict (docs/development.md)
        fleet.endpoints_path     # that file, in tmp_path
        fleet.inventory_path     # the INI inventory (group wac_gateways), in tmp_path
        fleet.pcs["wac-0001"]    # the PC objects (model, faults, log)
        wac_fleet(from_doctor=["report.json"])  # the first PCs replay gateway doctor reports (doctor_replay.py)
        fleet.log("wac-0001")    # decoded scripts run on that PC
        fleet.set_faults("wac-0002", refuse=True)

        kerberos = wac_fleet(3, transport="kerberos", kerberos=kerberos_realm)   # PCs joined to the test realm
        ssh = wac_fleet(3, connection="ssh", transport="key")                   # also an SSH server on each PC

Every fleet started through a factory is stopped at teardown. Fleets get distinct address ranges (127.<200+>.x.1,
per process and per fleet) on the standard ports, so they never collide with each other or with a CLI fleet on
127.0.1.1. Register them for a whole test tree with ``from tests.emulators.fleet.fixture import wac_fleet``
in a conftest.py.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import socket
import threading
import typing as t
from pathlib import Path

import pytest

from . import doctor_replay
from .fleet import PC, Fleet
from .server import FleetServer

_allocation_lock = threading.Lock()
_ADDRESS_ATTEMPTS = 5
_next_block = 0


def _second_octets() -> tuple[int, int]:
    """The second octets fleets of this process may use: 200-249, or WAC_FLEET_SECOND_OCTETS ("low-high", a part of
    it), which scripts/matrix.sh gives each of the pytest runs it starts at the same time."""
    value = os.environ.get("WAC_FLEET_SECOND_OCTETS", "200-249")
    low, _sep, high = value.partition("-")
    low_n, high_n = int(low), int(high or low)
    if not 200 <= low_n <= high_n <= 249:
        raise ValueError(f"WAC_FLEET_SECOND_OCTETS must be a range within 200-249, got {value!r}")
    return low_n, high_n


def allocate_base_address(count: int) -> str:
    """A base address whose ``count`` PCs overlap no other fleet of this process (nor, likely, of a parallel one)."""
    global _next_block
    blocks = -(-count // 254)  # whole third-octet blocks of 254 usable addresses
    with _allocation_lock:
        first = _next_block
        _next_block += blocks
    low, high = _second_octets()
    second_octet = low + (os.getpid() % (high - low + 1))
    start = int(ipaddress.IPv4Address(f"127.{second_octet}.0.0")) + (first % 255) * 256 + 1
    return str(ipaddress.IPv4Address(start))


def ssh_port(address: str) -> int:
    """22, Win32-OpenSSH's port, where this process may bind it on ``address`` (root, and no sshd listening on every
    address); else 2222."""
    with socket.socket() as probe:
        try:
            probe.bind((address, 22))
        except OSError:
            return 2222
    return 22


class RunningFleet:
    """A fleet served from a background thread; ``stop()`` ends it."""

    def __init__(
        self, fleet: Fleet, state_dir: Path, *, endpoints_file: Path | None = None, inventory: Path | None = None
    ) -> None:
        self.fleet = fleet
        self.server = FleetServer(fleet, state_dir)
        self.endpoints_path = endpoints_file
        self.inventory_path = inventory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopped: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="wac-fleet", daemon=True)

    def start(self, timeout: float = 120.0) -> RunningFleet:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the fleet emulator did not start in time")
        if self._error is not None:
            self._thread.join(5)
            raise RuntimeError(f"the fleet emulator failed to start: {self._error}") from self._error
        self.server.write_files(self.endpoints_path, self.inventory_path)
        return self

    def _run(self) -> None:
        asyncio.run(self._main())  # also cancels whatever is still running at the end (slow replies)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            await self.server.stop()
            self._ready.set()
            return
        self._ready.set()
        await self._stopped.wait()
        await self.server.stop()

    def stop(self) -> None:
        if self._thread.is_alive() and self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(30)

    def call(self, coroutine: t.Coroutine[t.Any, t.Any, t.Any], timeout: float = 30.0) -> t.Any:
        """Run a coroutine on the fleet's loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("the fleet is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    @property
    def endpoints(self) -> dict[str, t.Any]:
        return self.fleet.endpoints(self.server.control_url, self.server.ca_bundle)

    @property
    def pcs(self) -> dict[str, PC]:
        return self.fleet.pcs

    @property
    def control_url(self) -> str:
        return self.server.control_url

    @property
    def ca_bundle(self) -> str:
        return self.server.ca_bundle

    def log(self, name: str) -> list[dict[str, t.Any]]:
        pc = self.fleet.pcs[name]
        with pc.lock:
            return list(pc.log)

    def set_faults(self, name: str, **changes: t.Any) -> dict[str, t.Any]:
        return self.call(self.server.set_faults(name, changes))

    def reset(self) -> None:
        self.call(self.server.reset())


def start_fleet(directory: Path, count: int | None = None, *, kerberos: t.Any = None,
                **options: t.Any) -> RunningFleet:
    """Start a fleet in the background writing ``endpoints.json`` and ``inventory.ini`` into ``directory``.

    ``options`` are those of :class:`Fleet` (scheme, transport, connection, generations, base_address, port, user,
    password, seed, script_runner, model_factory, model_options, ssh_port, kinit_mode, delegation), and
    ``from_doctor``: gateway doctor reports (paths or dicts) the first PCs replay (``count`` then defaults to their
    number, otherwise to 3); ``base_address`` defaults to a fresh private range. ``kerberos`` (a
    :class:`tests.emulators.kdc.Realm`, whose variables are set in this process) joins the PCs to that realm: their
    service principals and the user's principal are added to it.
    """
    directory = Path(directory)
    reports = [doctor_replay.load(item) if isinstance(item, str | Path) else item
               for item in options.pop("from_doctor", None) or []]
    if reports:
        count, options["generations"] = doctor_replay.fleet_layout(reports, count, options.get("generations"))
    count = count or 3
    if kerberos is not None:
        options["realm"] = kerberos.name
    chosen, port_given = "base_address" in options, "ssh_port" in options
    for attempt in range(_ADDRESS_ATTEMPTS):
        if not chosen:
            options["base_address"] = allocate_base_address(count)
        if options.get("connection") == "ssh" and not port_given:
            options["ssh_port"] = ssh_port(options["base_address"])
        fleet = Fleet(count, **options)
        doctor_replay.attach(fleet, reports)
        if kerberos is not None:
            kerberos.add_services(pc.fqdn for pc in fleet.pcs.values())
            kerberos.add_user(fleet.user, fleet.password)
        running = RunningFleet(fleet, directory / "state", endpoints_file=directory / "endpoints.json",
                               inventory=directory / "inventory.ini")
        try:
            return running.start()
        except RuntimeError as exc:
            # Another process on this machine (a parallel test run) has a fleet on this range: take the next one.
            in_use = isinstance(exc.__cause__, OSError) and exc.__cause__.errno == errno.EADDRINUSE
            if chosen or not in_use or attempt == _ADDRESS_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class _Factory:
    def __init__(self, directory: t.Callable[[], Path]) -> None:
        self._directory = directory
        self.started: list[RunningFleet] = []

    def __call__(self, count: int | None = None, **options: t.Any) -> RunningFleet:
        running = start_fleet(self._directory(), count, **options)
        self.started.append(running)
        return running

    def stop_all(self) -> None:
        for running in reversed(self.started):
            running.stop()


@pytest.fixture
def wac_fleet(tmp_path: Path) -> t.Iterator[_Factory]:
    """Factory of fleets living for one test (files under the test's ``tmp_path``)."""
    counter = iter(range(1_000_000))
    factory = _Factory(lambda: tmp_path / f"fleet{next(counter)}")
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def wac_fleet_module(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[_Factory]:
    """Factory of fleets shared by the tests of one module."""
    factory = _Factory(lambda: tmp_path_factory.mktemp("fleet"))
    yield factory
    factory.stop_all()
