"""The PowerShell Remoting Protocol endpoint of one PC ([MS-PSRP] over WS-Management, resource URI
``http://schemas.microsoft.com/powershell/Microsoft.PowerShell``): what pypsrp and Ansible's ``psrp`` connection use.

The PSRP side is psrpcore's sans-IO server (``ServerRunspacePool``, ``ServerPipeline``); this module carries its
fragments over the WS-Management shell operations as [MS-PSRP] 3.1.4 / 3.2.4 lay them out:

=========  ===========================================================================================
Create     a runspace pool: the ``creationXml`` holds SESSION_CAPABILITY and INIT_RUNSPACEPOOL; the ShellId
           is the pool's ID (the client chooses it)
Command    a pipeline: CommandId is the pipeline ID, the first ``Arguments`` the CREATE_PIPELINE fragment
Send       more fragments: ``stdin`` (pipeline input, END_OF_PIPELINE_INPUT, pool messages), ``pr`` (host
           responses)
Receive    ``stdout``: the fragments the pool (no CommandId) or the pipeline has for the client; waits up to
           the OperationTimeout, then the WSManFault 2150858793 the client retries; ``CommandState Done`` once
           the pipeline finished and everything was received
Signal     ``powershell/signal/ctrl_c`` stops a pipeline, ``.../signal/terminate`` forgets it
Delete     closes the pool
=========  ===========================================================================================

A pipeline runs its script once its input is complete (at once when CREATE_PIPELINE says NoInput): the script text
of its command (Ansible's psrp connection decodes its ``-EncodedCommand`` and runs the script as a pipeline, with the
command's standard input as pipeline input, one string per line), routed by its marker like a WinRS command
(:meth:`PC.run`), as the logon of the connection that created the pool. What the script would print comes back as
output objects, one string per line; its exit code through the host call ``SetShouldExit`` (how ``exit N`` reaches
the client host in a remote runspace); its standard error as an ErrorRecord. Output written with ``[Console]::Out``
or ``[Console]::WriteLine`` is lost: a remote runspace has no console (wsmprovhost.exe), which is why Ansible's own
module wrapper redirects ``[Console]::Out`` "for things like async or psrp" (ansible-core
``executor/powershell/module_wrapper.ps1``). UNCONFIRMED by a Microsoft page; the emulator takes the stricter side:
a script that writes its result that way returns nothing over psrp.
"""

from __future__ import annotations

import asyncio
import base64
import re
import typing as t
import uuid

from psrpcore import (
    CreatePipelineEvent,
    EndOfPipelineInputEvent,
    PipelineInputEvent,
    PSRPPayload,
    ServerPipeline,
    ServerRunspacePool,
    StreamType,
)
from psrpcore.types import ErrorCategory, ErrorCategoryInfo, HostMethodIdentifier, NETException, PSInvocationState

from . import wsman
from .session import Session
from .wsman import NS, Action, child, element

RESOURCE_URI = "http://schemas.microsoft.com/powershell/microsoft.powershell"
SIGNAL_PS_CTRL_C = ("powershell/signal/ctrl_c", "powershell/signal/crtl_c")
_CONSOLE_WRITE = re.compile(r"\[(System\.)?Console\]::(Out\.)?Write(Line)?\b", re.IGNORECASE)
Runner = t.Callable[[str, str, Session], t.Awaitable[tuple[int, str, str]]]


def pipeline_output(script: str, stdout: str) -> list[str]:
    """The output objects a PSRP client gets from ``script`` whose console output would be ``stdout``."""
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    if _CONSOLE_WRITE.search(code):
        return []
    return stdout.splitlines()


class Pipe:
    """One pipeline of a pool, and what it has to send."""

    def __init__(self, pool: Pool, command_id: str) -> None:
        self.command_id = command_id
        self.server = ServerPipeline(pool.server, uuid.UUID(command_id))
        self.script: str | None = None
        self.no_input = True
        self.input: list[str] = []
        self.input_done = False
        self.task: asyncio.Task[None] | None = None
        self.finished = False


class Pool:
    """One runspace pool (one WS-Management shell of the PowerShell resource)."""

    def __init__(self, shell_id: str, session: Session) -> None:
        self.id = shell_id
        self.session = session
        self.server = ServerRunspacePool()
        self.pipes: dict[str, Pipe] = {}
        self.outbox: dict[str | None, bytearray] = {}  # per pipeline (None: the pool) fragments to send
        self.changed = asyncio.Event()


class PSRP:
    """The runspace pools of one PC. ``run(script, stdin_text, session)`` runs a pipeline's script off the loop."""

    def __init__(self, endpoint_url: str, run: Runner) -> None:
        self.endpoint_url = endpoint_url
        self._run = run
        self.pools: dict[str, Pool] = {}

    def clear(self) -> None:
        for pool in self.pools.values():
            for pipe in pool.pipes.values():
                if pipe.task:
                    pipe.task.cancel()
        self.pools.clear()

    async def handle(self, request: wsman.Request, session: Session) -> bytes:
        if request.action == Action.CREATE:
            return self._create(request, session)
        pool = self.pools.get((request.shell_id or "").upper())
        if pool is None:
            raise wsman.shell_not_found(request.shell_id)
        if request.action == Action.RECEIVE:
            return await self._receive(request, pool)
        handlers = {Action.COMMAND: self._command, Action.SEND: self._send, Action.SIGNAL: self._signal,
                    Action.DELETE: self._delete}
        if request.action not in handlers:
            raise wsman.action_not_supported(request.action)
        return handlers[request.action](request, pool)

    def _create(self, request: wsman.Request, session: Session) -> bytes:
        shell = request.find("rsp:Shell")
        creation = None if shell is None else shell.find("{http://schemas.microsoft.com/powershell}creationXml")
        if creation is None or not (creation.text or "").strip():
            raise wsman.invalid_parameter("The Create request of a PowerShell shell has no creationXml.")
        shell_id = (shell.get("ShellId") or str(uuid.uuid4())).upper()
        pool = Pool(shell_id, session)
        self._feed(pool, _decode(creation.text), None)
        self.pools[pool.id] = pool
        created = element("x", "ResourceCreated")
        child(created, "a", "Address", self.endpoint_url)
        reference = child(created, "a", "ReferenceParameters")
        child(reference, "w", "ResourceURI", request.resource_uri)
        child(child(reference, "w", "SelectorSet"), "w", "Selector", pool.id, Name="ShellId")
        info = element("rsp", "Shell")
        for tag, value in (("ShellId", pool.id), ("ResourceUri", request.resource_uri), ("Owner", session.user),
                           ("ClientIP", "127.0.0.1"), ("InputStreams", "stdin pr"), ("OutputStreams", "stdout")):
            child(info, "rsp", tag, value)
        return wsman.response(request, [created, info])

    def _command(self, request: wsman.Request, pool: Pool) -> bytes:
        line = request.find("rsp:CommandLine")
        arguments = [] if line is None else line.findall("rsp:Arguments", NS)
        if line is None or not arguments or not line.get("CommandId"):
            raise wsman.invalid_parameter("A PowerShell Command needs a CommandId and the CREATE_PIPELINE fragment.")
        command_id = line.get("CommandId", "").upper()
        pipe = Pipe(pool, command_id)
        pool.pipes[command_id] = pipe
        self._feed(pool, _decode(arguments[0].text), pipe)
        reply = element("rsp", "CommandResponse")
        child(reply, "rsp", "CommandId", command_id)
        return wsman.response(request, [reply])

    def _send(self, request: wsman.Request, pool: Pool) -> bytes:
        send = request.find("rsp:Send")
        streams = [] if send is None else send.findall("rsp:Stream", NS)
        if not streams:
            raise wsman.invalid_parameter("The Send request has no Stream.")
        for stream in streams:
            if stream.get("Name") not in ("stdin", "pr"):
                raise wsman.invalid_parameter(f"The stream {stream.get('Name')} is not an input stream of the shell.")
            command_id = (stream.get("CommandId") or "").upper()
            pipe = pool.pipes.get(command_id) if command_id else None
            if command_id and pipe is None:
                raise wsman.invalid_parameter(f"The CommandId {command_id} is not valid for the shell {pool.id}.")
            self._feed(pool, _decode(stream.text), pipe)
        return wsman.response(request, [element("rsp", "SendResponse")])

    def _feed(self, pool: Pool, data: bytes, pipe: Pipe | None) -> None:
        """Hand fragments to psrpcore and act on every complete message."""
        stream = StreamType.default
        pool.server.receive_data(PSRPPayload(data, stream, pipe.server.pipeline_id if pipe else None))
        while True:
            event = pool.server.next_event()
            if event is None:
                break
            target = pool.pipes.get(str(event.pipeline_id).upper()) if event.pipeline_id else None
            if target is None:
                continue
            if isinstance(event, CreatePipelineEvent):
                commands = event.pipeline.commands
                target.script = "\n".join(c.command_text for c in commands if c.is_script) or None
                target.no_input = bool(event.pipeline.no_input)
                if target.script is None:
                    target.script = " ".join(c.command_text for c in commands)
            elif isinstance(event, PipelineInputEvent):
                target.input.append("" if event.data is None else str(event.data))
            elif isinstance(event, EndOfPipelineInputEvent):
                target.input_done = True
            if target.script is not None and (target.no_input or target.input_done) and target.task is None:
                self._start(pool, target)
        self._collect(pool)

    def _start(self, pool: Pool, pipe: Pipe) -> None:
        pipe.server.start()

        async def run() -> None:
            stdin_text = "".join(f"{line}\r\n" for line in pipe.input)
            rc, stdout, stderr = await self._run(pipe.script or "", stdin_text, pool.session)
            if pipe.server.state != PSInvocationState.Running:  # stopped meanwhile
                return
            for line in pipeline_output(pipe.script or "", stdout):
                pipe.server.write_output(line)
            if stderr.strip():
                pipe.server.write_error(
                    NETException(Message=stderr.strip()),
                    ErrorCategoryInfo(Category=ErrorCategory.NotSpecified, Reason="RuntimeException"),
                    fully_qualified_error_id="RuntimeException",
                )
            if rc:
                pipe.server.host_call(HostMethodIdentifier.SetShouldExit, [rc])
            pipe.server.complete()
            pipe.finished = True
            self._collect(pool)

        pipe.task = asyncio.get_running_loop().create_task(run())

    def _collect(self, pool: Pool) -> None:
        """Move what psrpcore has to send into the outbox of its target."""
        while True:
            payload = pool.server.data_to_send()
            if payload is None:
                break
            target = str(payload.pipeline_id).upper() if payload.pipeline_id else None
            pool.outbox.setdefault(target, bytearray()).extend(payload.data)
        pool.changed.set()

    async def _receive(self, request: wsman.Request, pool: Pool) -> bytes:
        desired = request.find("rsp:Receive/rsp:DesiredStream")
        if desired is None:
            raise wsman.invalid_parameter("The Receive request has no DesiredStream.")
        command_id = (desired.get("CommandId") or "").upper() or None
        pipe = pool.pipes.get(command_id) if command_id else None
        if command_id and pipe is None:
            raise wsman.invalid_parameter(f"The CommandId {command_id} is not valid for the shell {pool.id}.")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(request.operation_timeout, 0.001)
        while not pool.outbox.get(command_id) and not (pipe and pipe.finished):
            pool.changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise wsman.operation_timeout()
            try:
                await asyncio.wait_for(pool.changed.wait(), timeout=remaining)
            except TimeoutError:
                raise wsman.operation_timeout() from None
        data = bytes(pool.outbox.pop(command_id, b""))
        reply = element("rsp", "ReceiveResponse")
        attributes = {"CommandId": command_id} if command_id else {}
        child(reply, "rsp", "Stream", base64.b64encode(data).decode("ascii"), Name="stdout", **attributes)
        if pipe is not None and pipe.finished:
            child(reply, "rsp", "CommandState", None, CommandId=command_id or "", State=wsman.COMMAND_STATE_DONE)
        return wsman.response(request, [reply])

    def _signal(self, request: wsman.Request, pool: Pool) -> bytes:
        signal = request.find("rsp:Signal")
        code_node = signal.find("rsp:Code", NS) if signal is not None else None
        if signal is None or code_node is None:
            raise wsman.invalid_parameter("The Signal request has no Code.")
        command_id = (signal.get("CommandId") or "").upper()
        pipe = pool.pipes.get(command_id)
        code = (code_node.text or "").strip()
        if pipe is None:
            raise wsman.invalid_parameter(f"The CommandId {command_id} is not valid for the shell {pool.id}.")
        if code.lower() in SIGNAL_PS_CTRL_C:
            if pipe.server.state == PSInvocationState.Running:
                pipe.server.stop()
                pipe.finished = True
            self._collect(pool)
        elif code.lower() == wsman.SIGNAL_TERMINATE.lower():
            pool.pipes.pop(command_id, None)
            pool.outbox.pop(command_id, None)
        else:
            raise wsman.invalid_parameter(f"The signal code {code} is not supported.")
        return wsman.response(request, [element("rsp", "SignalResponse")])

    def _delete(self, request: wsman.Request, pool: Pool) -> bytes:
        for pipe in pool.pipes.values():
            if pipe.task and not pipe.task.done():
                pipe.task.cancel()
        self.pools.pop(pool.id, None)
        return wsman.response(request)


def _decode(text: str | None) -> bytes:
    try:
        return base64.b64decode(text or "", validate=True)
    except ValueError as exc:
        raise wsman.invalid_parameter("A PowerShell fragment is not valid base64.") from exc
