"""The SSH server of the PCs (Win32-OpenSSH as Windows ships it, its default shell set to Windows PowerShell): asyncssh.

Each PC listens on its own address (port 22 by default; ``ssh_port`` for another). Authentication by password or by
key, both as the PC's administrator (``user``, ``DOMAIN\\user`` or ``user@domain`` all name it, as Win32-OpenSSH
accepts). An exec request runs as ``powershell.exe -c "<command>"`` would (``DefaultShell`` =
Windows PowerShell, Ansible's "Windows SSH" guide): Ansible's ``ssh`` connection with ``ansible_shell_type=powershell``
sends ``PowerShell ... -EncodedCommand <b64>`` and the command's standard input, so the command line is decoded and
routed exactly as a WinRS command (commandline.py, :meth:`PC.execute`); the command starts at once, or once its
standard input ended if PowerShell reads it (:func:`reads_stdin`). An interactive shell is not offered.

The logon of each connection (session.py): a password logon has the user's credentials and can use them again
(``ssh-password``, delegated); a key logon has none (``ssh-key``): Microsoft Learn, "Key-based authentication in
OpenSSH for Windows": "A remote session opened via key based authentication does not have associated user
credentials and hence is not capable of outbound authentication as the user, this is by design." Ansible's
"Windows SSH" guide: credential delegation Key no, Password yes ("works like WinRM CredSSP").

The host key and the client key are made per fleet: ``known_hosts`` (every PC's address and port) and
``id_ed25519`` (the client's private key, whose public half every PC authorizes) are written to the state folder
for the inventory. Faults act here as on WinRM: ``refuse`` stops the PC's listener and drops its connections,
``auth_fail`` rejects every credential, ``delay`` holds each command back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import typing as t
from pathlib import Path

import asyncssh

from .auth_common import user_matches
from .commandline import STDIN_SCRIPT, decode_command_line
from .session import Session

if t.TYPE_CHECKING:
    from .fleet import PC, Fleet

log = logging.getLogger(__name__)
_INPUT = re.compile(r"\$input\b", re.IGNORECASE)
_INLINE_INPUT = re.compile(r"^\$inputJson = '", re.MULTILINE)
Executor = t.Callable[["PC", str, bytes, Session], t.Awaitable[tuple[int, bytes, bytes]]]


class _Logon(asyncssh.SSHServer):
    """One SSH connection to one PC: who logged on, and how."""

    def __init__(self, service: SSHService, pc: PC) -> None:
        self.service = service
        self.pc = pc
        self.auth: str | None = None
        self.user = ""
        self.connection: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.connection = conn
        self.service.connections.setdefault(self.pc.name, set()).add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.connection is not None:
            self.service.connections.get(self.pc.name, set()).discard(self.connection)

    def begin_auth(self, username: str) -> bool:
        self.user = username
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self.pc.faults["auth_fail"] or not user_matches(self.pc, username) or password != self.pc.password:
            return False
        self.auth = "ssh-password"
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self.pc.faults["auth_fail"] or not user_matches(self.pc, username):
            return False
        if key.public_data != self.service.client_key.public_data:
            return False
        self.auth = "ssh-key"
        return True


class SSHService:
    """The SSH listeners of a fleet. ``execute(pc, command_line, stdin, session)`` runs a command off the loop."""

    def __init__(self, fleet: Fleet, state_dir: Path, execute: Executor) -> None:
        self.fleet = fleet
        self._execute = execute
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519", comment="wac.fleet emulator client")
        state_dir.mkdir(parents=True, exist_ok=True)
        self.private_key_path = state_dir / "id_ed25519"
        self.private_key_path.write_bytes(b"")
        os.chmod(self.private_key_path, 0o600)  # ssh refuses a private key others can read
        self.private_key_path.write_bytes(self.client_key.export_private_key())
        self.known_hosts_path = state_dir / "known_hosts"
        host_key = self.host_key.export_public_key().decode().strip()
        self.known_hosts_path.write_text("".join(
            f"{_known_host(pc.address, pc.ssh_port)} {host_key}\n" for pc in fleet.pcs.values()))
        self.acceptors: dict[str, asyncssh.SSHAcceptor] = {}
        self.connections: dict[str, set[asyncssh.SSHServerConnection]] = {}

    async def start(self) -> None:
        for pc in self.fleet.pcs.values():
            await self.listen(pc)

    async def stop(self) -> None:
        for pc in self.fleet.pcs.values():
            await self.unlisten(pc)

    async def listen(self, pc: PC) -> None:
        if pc.name in self.acceptors:
            return
        self.acceptors[pc.name] = await asyncssh.listen(
            pc.address, pc.ssh_port, server_factory=lambda: _Logon(self, pc), server_host_keys=[self.host_key],
            process_factory=lambda process: self._run(pc, process), encoding=None, allow_scp=False,
            x11_forwarding=False, agent_forwarding=False, line_editor=False, reuse_address=True,
        )

    async def unlisten(self, pc: PC) -> None:
        acceptor = self.acceptors.pop(pc.name, None)
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
        for conn in list(self.connections.pop(pc.name, set())):
            conn.abort()

    async def _run(self, pc: PC, process: asyncssh.SSHServerProcess) -> None:
        logon = t.cast(_Logon, process.get_extra_info("connection").get_owner())
        session = Session.for_auth(logon.user, logon.auth or "ssh-key")
        try:
            if process.command is None:
                process.stderr.write(b"wac.fleet emulator: no interactive shell here; send a command\r\n")
                process.exit(1)
                return
            stdin = await process.stdin.read() if reads_stdin(process.command) else b""
            if pc.faults["delay"]:
                await asyncio.sleep(pc.faults["delay"])
            rc, stdout, stderr = await self._execute(pc, process.command, stdin, session)
            process.stdout.write(stdout)
            process.stderr.write(stderr)
            process.exit(rc & 0xFFFFFFFF if rc < 0 else rc)
        except (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged, ConnectionError):
            process.exit(1)


def reads_stdin(command: str) -> bool:
    """Whether PowerShell reads the command's standard input to its end: the script comes on it (``-Command -``) or
    enumerates ``$input``. PowerShell reads it lazily, so any other command runs at once and ends even though its
    standard input stays open (Ansible's ssh connection leaves it open, on a pty, when it sends no data). The emulator
    runs no PowerShell, so it takes a script that mentions ``$input`` as reading it, unless the script carries its
    input in a ``$inputJson = '...'`` line: the gateway scripts read ``$input`` only when they have no such literal
    (gateway_info.ps1), as ops.py reads their input."""
    script = decode_command_line(command)
    if script is STDIN_SCRIPT:
        return True
    return bool(_INPUT.search(str(script))) and not _INLINE_INPUT.search(str(script))


def _known_host(address: str, port: int) -> str:
    return address if port == 22 else f"[{address}]:{port}"
