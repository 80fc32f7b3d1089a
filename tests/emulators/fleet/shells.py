"""The Windows Remote Shell (WinRS) service of one PC: what Create, Command, Send, Receive, Signal and Delete do.

A command runs once its standard input is complete: on the Send that carries ``End="true"``, or on the first Receive
when the client sent no stdin (Ansible sends stdin right after Command, before any Receive). Receive waits for the
command up to the request's OperationTimeout and then answers the WSManFault 2150858793 (operation timed out), the
way Windows does; pywinrm and Ansible retry it.
"""

from __future__ import annotations

import asyncio
import base64
import time
import typing as t
import uuid

from . import wsman
from .session import Session
from .wsman import NS, Action, child, element

MAX_SHELLS_PER_USER = 30  # the WinRM service default (MaxShellsPerUser)
DEFAULT_IDLE_TIMEOUT = 7200.0  # seconds a shell nobody uses survives (IdleTimeout default)
STATUS_CONTROL_C_EXIT = -1073741510  # 0xC000013A
Executor = t.Callable[[str, bytes, int, Session], t.Awaitable[tuple[int, bytes, bytes]]]


def _new_id() -> str:
    return str(uuid.uuid4()).upper()


class Command:
    def __init__(self, command_line: str) -> None:
        self.id = _new_id()
        self.command_line = command_line
        self.stdin = bytearray()
        self.stdin_closed = False
        self.task: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()
        self.result: tuple[int, bytes, bytes] | None = None

    @property
    def started(self) -> bool:
        return self.task is not None


class Shell:
    def __init__(self, session: Session, codepage: int, idle_timeout: float) -> None:
        self.id = _new_id()
        self.session = session
        self.owner = session.user
        self.codepage = codepage
        self.idle_timeout = idle_timeout
        self.last_used = time.monotonic()
        self.commands: dict[str, Command] = {}

    @property
    def idle(self) -> bool:
        return time.monotonic() - self.last_used > self.idle_timeout


def _quota_exceeded(user: str) -> wsman.Fault:
    return wsman.Fault(
        "s:Receiver",
        "w:QuotaLimit",
        2150859173,
        f"The WS-Management service cannot process the request. This user ({user}) is allowed a maximum number of"
        f" {MAX_SHELLS_PER_USER} concurrent shells, which has been exceeded. Close existing shells or raise the quota"
        " for this user.",
    )


class WinRS:
    """The shells of one PC. ``execute(command_line, stdin, codepage, session)`` runs a command (off the event loop)
    as the logon that created its shell."""

    def __init__(self, endpoint_url: str, execute: Executor) -> None:
        self.endpoint_url = endpoint_url
        self._execute = execute
        self.shells: dict[str, Shell] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # running commands, also those of deleted shells

    def clear(self) -> None:
        """Forget every shell, cancelling the commands still running."""
        for task in list(self._tasks):
            task.cancel()
        self.shells.clear()

    async def handle(self, request: wsman.Request, session: Session) -> bytes:
        if request.resource_uri.rstrip("/").lower() != wsman.CMD_RESOURCE_URI:
            raise wsman.Fault(
                "s:Sender",
                "w:DestinationUnreachable",
                2150858752,
                "The WS-Management service cannot process the request. The service cannot find the resource identified"
                f" by the resource URI and selectors. ({request.resource_uri})",
            )
        if request.action == Action.CREATE:
            return self._create(request, session)
        shell = self.shells.get(request.shell_id or "")
        if shell is None:
            raise wsman.shell_not_found(request.shell_id)
        shell.last_used = time.monotonic()
        handlers = {
            Action.COMMAND: self._command,
            Action.SEND: self._send,
            Action.SIGNAL: self._signal,
            Action.DELETE: self._delete,
        }
        if request.action == Action.RECEIVE:
            return await self._receive(request, shell)
        if request.action not in handlers:
            raise wsman.action_not_supported(request.action)
        return handlers[request.action](request, shell)

    def _create(self, request: wsman.Request, session: Session) -> bytes:
        user = session.user
        for idle in [shell for shell in self.shells.values() if shell.idle]:  # what the service reaps by itself
            del self.shells[idle.id]
        if sum(1 for shell in self.shells.values() if shell.owner == user) >= MAX_SHELLS_PER_USER:
            raise _quota_exceeded(user)
        try:
            codepage = int(request.options.get("WINRS_CODEPAGE", "437"))
        except ValueError as exc:
            raise wsman.invalid_parameter("WINRS_CODEPAGE is not a number") from exc
        idle_timeout = request.find("rsp:Shell/rsp:IdleTimeOut")
        idle = wsman.parse_duration(getattr(idle_timeout, "text", None), DEFAULT_IDLE_TIMEOUT)
        shell = Shell(session, codepage, idle)
        self.shells[shell.id] = shell
        created = element("x", "ResourceCreated")
        child(created, "a", "Address", self.endpoint_url)
        reference = child(created, "a", "ReferenceParameters")
        child(reference, "w", "ResourceURI", wsman.CMD_RESOURCE_URI)
        child(child(reference, "w", "SelectorSet"), "w", "Selector", shell.id, Name="ShellId")
        info = element("rsp", "Shell")
        for tag, value in (
            ("ShellId", shell.id),
            ("ResourceUri", wsman.CMD_RESOURCE_URI),
            ("Owner", user),
            ("ClientIP", "127.0.0.1"),
            ("IdleTimeOut", f"PT{shell.idle_timeout:.3f}S"),
            ("InputStreams", "stdin"),
            ("OutputStreams", "stdout stderr"),
            ("ShellRunTime", "P0DT0H0M0S"),
            ("ShellInactivity", "P0DT0H0M0S"),
        ):
            child(info, "rsp", tag, value)
        return wsman.response(request, [created, info])

    def _command(self, request: wsman.Request, shell: Shell) -> bytes:
        line = request.find("rsp:CommandLine")
        command = line.find("rsp:Command", NS) if line is not None else None
        if line is None or command is None or not (command.text or "").strip():
            raise wsman.invalid_parameter("The Command element of the CommandLine is missing or empty.")
        arguments = [node.text or "" for node in line.findall("rsp:Arguments", NS)]
        cmd = Command(" ".join([command.text.strip(), *arguments]).strip())
        shell.commands[cmd.id] = cmd
        reply = element("rsp", "CommandResponse")
        child(reply, "rsp", "CommandId", cmd.id)
        return wsman.response(request, [reply])

    def _command_of(self, shell: Shell, command_id: str | None) -> Command:
        cmd = shell.commands.get((command_id or "").upper())
        if cmd is None:
            raise wsman.invalid_parameter(f"The CommandId {command_id} is not valid for the shell {shell.id}.")
        return cmd

    def _send(self, request: wsman.Request, shell: Shell) -> bytes:
        send = request.find("rsp:Send")
        streams = [] if send is None else send.findall("rsp:Stream", NS)
        if not streams:
            raise wsman.invalid_parameter("The Send request has no stdin Stream.")
        for stream in streams:
            cmd = self._command_of(shell, stream.get("CommandId"))
            if stream.get("Name", "stdin") != "stdin":
                raise wsman.invalid_parameter(f"The stream {stream.get('Name')} is not an input stream of the shell.")
            if cmd.stdin_closed:
                raise wsman.invalid_parameter("The input stream of the command is already closed.")
            try:
                cmd.stdin += base64.b64decode(stream.text or "", validate=True)
            except ValueError as exc:
                raise wsman.invalid_parameter("The stdin Stream is not valid base64.") from exc
            if (stream.get("End") or "").lower() == "true":
                cmd.stdin_closed = True
                self._start(cmd, shell)
        return wsman.response(request, [element("rsp", "SendResponse")])

    def _start(self, cmd: Command, shell: Shell) -> None:
        if cmd.started:
            return
        cmd.stdin_closed = True

        async def run() -> None:
            result = await self._execute(cmd.command_line, bytes(cmd.stdin), shell.codepage, shell.session)
            if cmd.result is None:  # not interrupted meanwhile
                cmd.result = result
            cmd.finished.set()

        cmd.task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(cmd.task)
        cmd.task.add_done_callback(self._tasks.discard)

    async def _receive(self, request: wsman.Request, shell: Shell) -> bytes:
        desired = request.find("rsp:Receive/rsp:DesiredStream")
        if desired is None:
            raise wsman.invalid_parameter("The Receive request has no DesiredStream.")
        cmd = self._command_of(shell, desired.get("CommandId"))
        self._start(cmd, shell)
        try:
            await asyncio.wait_for(cmd.finished.wait(), timeout=max(request.operation_timeout, 0.001))
        except TimeoutError:
            raise wsman.operation_timeout() from None
        rc, stdout, stderr = cmd.result or (1, b"", b"")
        cmd.result = (rc, b"", b"")  # output is delivered once
        reply = element("rsp", "ReceiveResponse")
        for name, data in (("stdout", stdout), ("stderr", stderr)):
            for offset in range(0, len(data), 32768):
                chunk = base64.b64encode(data[offset : offset + 32768]).decode("ascii")
                child(reply, "rsp", "Stream", chunk, Name=name, CommandId=cmd.id)
            child(reply, "rsp", "Stream", None, Name=name, CommandId=cmd.id, End="true")
        state = child(reply, "rsp", "CommandState", None, CommandId=cmd.id, State=wsman.COMMAND_STATE_DONE)
        child(state, "rsp", "ExitCode", str(rc))
        return wsman.response(request, [reply])

    def _signal(self, request: wsman.Request, shell: Shell) -> bytes:
        signal = request.find("rsp:Signal")
        code_node = signal.find("rsp:Code", NS) if signal is not None else None
        if signal is None or code_node is None:
            raise wsman.invalid_parameter("The Signal request has no Code.")
        cmd = self._command_of(shell, signal.get("CommandId"))
        code = (code_node.text or "").strip()
        if code == wsman.SIGNAL_TERMINATE:
            shell.commands.pop(cmd.id, None)
        elif code == wsman.SIGNAL_CTRL_C:
            if not cmd.finished.is_set():
                cmd.result = (STATUS_CONTROL_C_EXIT, b"", b"")
                cmd.stdin_closed = True
                cmd.finished.set()
        else:
            raise wsman.invalid_parameter(f"The signal code {code} is not supported.")
        return wsman.response(request, [element("rsp", "SignalResponse")])

    def _delete(self, request: wsman.Request, shell: Shell) -> bytes:
        self.shells.pop(shell.id, None)
        return wsman.response(request)
