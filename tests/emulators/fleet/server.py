"""The listeners of a fleet: one aiohttp server, one listening socket per PC address, one event loop.

``POST /wsman`` on ``<pc address>:5985`` (http) or ``:5986`` (https): the PC is found by the local address the
client connected to; authentication state is kept per TCP connection (NTLM, Kerberos, CredSSP; auth.py); bodies are
decrypted and replies (faults included) encrypted when the client used WinRM message encryption. The resource URI
picks the service: WinRS (shells.py) for ``.../windows/shell/cmd``, PowerShell remoting (psrp.py) for
``.../powershell/Microsoft.PowerShell``. A fleet whose connection is ssh also serves SSH on every PC (ssh.py).
Transport-level faults (refuse, delay, auth_fail) act here. Scripts run on worker threads so a slow script never
stalls the other PCs.
"""

from __future__ import annotations

import asyncio
import logging
import typing as t
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web
from multidict import CIMultiDict

from . import auth, encryption, faults, psrp, wsman
from .fleet import PC, Fleet
from .inventory import Files
from .session import Session
from .shells import WinRS
from .ssh import SSHService
from .tls import FleetTLS

log = logging.getLogger(__name__)

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
SERVER_HEADER = "Microsoft-HTTPAPI/2.0"
KEEPALIVE_SECONDS = 120  # HTTP.sys idle connection timeout: NTLM sessions live as long as their connection


class FleetServer:
    """Serves a :class:`Fleet`; ``start()``/``stop()`` on the loop that runs it."""

    def __init__(
        self, fleet: Fleet, state_dir: Path, *, control_host: str = "127.0.0.1", control_port: int = 0,
        max_workers: int = 16,
    ) -> None:
        self.fleet = fleet
        self.state_dir = Path(state_dir)
        self.tls = FleetTLS([pc.address for pc in fleet.pcs.values()], self.state_dir)
        auth.CREDENTIALS.register(fleet.user, fleet.password)
        self.control_host = control_host
        self.control_port = control_port
        self.control_url = ""
        self.winrs: dict[str, WinRS] = {
            pc.name: WinRS(f"{pc.scheme}://{pc.address}:{pc.port}/wsman", self._executor_for(pc))
            for pc in fleet.pcs.values()
        }
        self.psrp: dict[str, psrp.PSRP] = {
            pc.name: psrp.PSRP(f"{pc.scheme}://{pc.address}:{pc.port}/wsman", self._runner_for(pc))
            for pc in fleet.pcs.values()
        }
        self.ssh = SSHService(fleet, self.state_dir / "ssh", self._ssh_execute) if fleet.connection == "ssh" else None
        if self.ssh is not None:
            fleet.files = Files(known_hosts=str(self.ssh.known_hosts_path),
                                ssh_private_key=str(self.ssh.private_key_path))
        self._connections: weakref.WeakKeyDictionary[t.Any, auth.ConnectionAuth] = weakref.WeakKeyDictionary()
        self._sites: dict[str, web.TCPSite] = {}
        self._runner: web.AppRunner | None = None
        self._control_runner: web.AppRunner | None = None
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="wac-fleet-script")

    @property
    def ca_bundle(self) -> str:
        return str(self.tls.ca_path)

    def _executor_for(self, pc: PC) -> t.Callable[[str, bytes, int, Session], t.Awaitable[tuple[int, bytes, bytes]]]:
        async def execute(command_line: str, stdin: bytes, codepage: int, session: Session) -> tuple[int, bytes, bytes]:
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, pc.execute, command_line, stdin, codepage, session
            )

        return execute

    def _runner_for(self, pc: PC) -> psrp.Runner:
        async def run(script: str, stdin_text: str, session: Session) -> tuple[int, str, str]:
            return await asyncio.get_running_loop().run_in_executor(
                self._pool, pc.run, script, stdin_text, session, "psrp"
            )

        return run

    async def _ssh_execute(self, pc: PC, command: str, stdin: bytes, session: Session) -> tuple[int, bytes, bytes]:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, pc.execute, command, stdin, 437, session, "ssh"
        )

    async def start(self) -> None:
        from .control import control_app

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, keepalive_timeout=KEEPALIVE_SECONDS, shutdown_timeout=2.0
        )
        await self._runner.setup()
        for pc in self.fleet.pcs.values():
            await self._listen(pc)
        if self.ssh is not None:
            await self.ssh.start()
        self._control_runner = web.AppRunner(control_app(self), access_log=None, handle_signals=False)
        await self._control_runner.setup()
        control = web.TCPSite(self._control_runner, self.control_host, self.control_port)
        await control.start()
        self.control_url = f"http://{self.control_host}:{control.port}"  # the bound port when asked for port 0

    async def stop(self) -> None:
        if self.ssh is not None:
            await self.ssh.stop()
        if self._control_runner:
            await self._control_runner.cleanup()
        if self._runner:
            await self._runner.cleanup()
        self._sites.clear()
        for winrs in self.winrs.values():
            winrs.clear()
        for pools in self.psrp.values():
            pools.clear()
        await asyncio.sleep(0)  # let cancelled commands finish unwinding
        self._pool.shutdown(wait=False, cancel_futures=True)

    def write_files(self, endpoints_file: Path | None, inventory: Path | None) -> None:
        self.fleet.write_files(self.control_url, self.ca_bundle, endpoints_file, inventory)

    async def _listen(self, pc: PC) -> None:
        if pc.name in self._sites or self._runner is None:
            return
        ssl_context = self.tls.ssl_context if pc.scheme == "https" else None
        site = web.TCPSite(self._runner, pc.address, pc.port, ssl_context=ssl_context, backlog=64)
        await site.start()
        self._sites[pc.name] = site

    async def _unlisten(self, pc: PC) -> None:
        site = self._sites.pop(pc.name, None)
        if site is not None:
            await site.stop()

    async def set_faults(self, name: str, changes: dict[str, t.Any]) -> dict[str, t.Any]:
        """Validate and apply fault changes to one PC; returns its faults."""
        pc = self.fleet.pcs[name]
        clean = faults.validate(changes)
        with pc.lock:
            pc.faults.update(clean)
            if pc.has_model:
                faults.forward_to_model(pc.faults, pc.model)
        if "refuse" in clean:
            await (self._unlisten(pc) if clean["refuse"] else self._listen(pc))
            if self.ssh is not None:
                await (self.ssh.unlisten(pc) if clean["refuse"] else self.ssh.listen(pc))
        return dict(pc.faults)

    async def reset(self) -> None:
        """Every PC back to fresh: faults off (listening again), logs and shells empty, models recreated."""
        for pc in self.fleet.pcs.values():
            pc.reset()
            self.winrs[pc.name].clear()
            self.psrp[pc.name].clear()
            await self._listen(pc)
            if self.ssh is not None:
                await self.ssh.listen(pc)

    def _connection(self, request: web.Request) -> auth.ConnectionAuth:
        transport = request.transport
        state = self._connections.get(transport)
        if state is None:
            state = auth.ConnectionAuth()
            self._connections[transport] = state
        return state

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        pc = self.fleet.at(sockname[0], sockname[1]) if sockname else None
        if pc is None:
            return web.Response(status=404, headers={"Server": SERVER_HEADER})
        if pc.faults["refuse"]:  # a connection opened before the PC went away: drop it
            request.transport.abort()
            return web.Response(status=503)  # never sent: the connection is gone
        if pc.faults["delay"]:
            await asyncio.sleep(pc.faults["delay"])
            if request.transport is None:  # the client gave up meanwhile
                return web.Response(status=408)
        if request.path.rstrip("/").lower() != "/wsman":
            return web.Response(status=404, headers={"Server": SERVER_HEADER})
        if request.method != "POST":
            return web.Response(status=405, headers={"Server": SERVER_HEADER, "Allow": "POST"})
        body = await request.read()
        if request.transport is None:  # the client went away while sending
            return web.Response(status=408)
        conn = self._connection(request)
        bindings = self.tls.channel_bindings() if pc.scheme == "https" else None
        result = auth.authenticate(pc, request.headers.get("Authorization"), conn, bindings)
        if isinstance(result, auth.Challenge):
            headers = CIMultiDict({"Server": SERVER_HEADER, "Content-Length": "0"})
            for value in result.www_authenticate:
                headers.add("WWW-Authenticate", value)
            log.debug("%s: 401 (%s)", pc.name, result.reason)
            return web.Response(status=401, headers=headers)
        identity = result
        headers = {"Server": SERVER_HEADER}
        if identity.answer:  # the acceptor's last token (Kerberos mutual authentication), sent once
            headers["WWW-Authenticate"], identity.answer = identity.answer, None
        protocol = encryption.encryption_protocol(request.headers.get("Content-Type", ""))
        encrypted = protocol is not None
        if encrypted:
            if identity.context is None or protocol not in encryption.PROTOCOLS:
                return web.Response(status=400, headers={"Server": SERVER_HEADER})
            try:
                message = encryption.unwrap(body, identity.context)
            except encryption.EncryptionError as exc:
                log.debug("%s: 400 (%s)", pc.name, exc)
                return web.Response(status=400, headers={"Server": SERVER_HEADER})
        else:
            message = body
            if not message:  # the empty POST pywinrm sends to finish NTLM before encrypting
                return web.Response(status=200, headers={**headers, "Content-Length": "0"})
            if pc.scheme == "http" and pc.transport != "basic":  # AllowUnencrypted=false
                conn.identity = None
                return web.Response(status=401, headers={"Server": SERVER_HEADER, "WWW-Authenticate": "Negotiate"})
        reply, status = await self._serve(pc, message, identity.session())
        if encrypted:
            return web.Response(
                status=status, body=encryption.wrap(reply, identity.context, protocol),
                headers={**headers, "Content-Type": encryption.content_type(protocol)},
            )
        return web.Response(status=status, body=reply, headers={**headers, "Content-Type": SOAP_CONTENT_TYPE})

    async def _serve(self, pc: PC, message: bytes, session: Session) -> tuple[bytes, int]:
        relates_to = None
        try:
            request = wsman.parse_request(message)
            relates_to = request.message_id
            pc.requests[request.action.rsplit("/", 1)[-1]] += 1
            if request.resource_uri.rstrip("/").lower() == psrp.RESOURCE_URI:
                return await self.psrp[pc.name].handle(request, session), 200
            return await self.winrs[pc.name].handle(request, session), 200
        except wsman.Fault as fault:
            return wsman.fault_envelope(fault, relates_to, pc.fqdn), fault.http_status
