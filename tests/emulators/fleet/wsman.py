"""WS-Management (SOAP 1.2) envelopes of the WinRS shell, as a Windows WinRM service reads and writes them.

Pure functions, no I/O: :func:`parse_request` turns a request body into a :class:`Request`, :func:`response`
builds a reply envelope and :class:`Fault` is a SOAP fault the way Windows sends it (``s:Fault`` with a
``f:WSManFault`` detail carrying ``Code``, ``Machine`` and ``Message``; HTTP 500). The shell semantics (what Create,
Command, Send, Receive, Signal and Delete do) live in ``shells.py``.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

SHELL_NS = NS["rsp"]
CMD_RESOURCE_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
COMMAND_STATE_DONE = f"{SHELL_NS}/CommandState/Done"
COMMAND_STATE_RUNNING = f"{SHELL_NS}/CommandState/Running"
SIGNAL_TERMINATE = f"{SHELL_NS}/signal/terminate"
SIGNAL_CTRL_C = f"{SHELL_NS}/signal/ctrl_c"


class Action:
    """The action URIs of the WinRS shell operations (request; the reply is the same plus ``Response``)."""

    CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
    DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
    COMMAND = f"{SHELL_NS}/Command"
    SEND = f"{SHELL_NS}/Send"
    RECEIVE = f"{SHELL_NS}/Receive"
    SIGNAL = f"{SHELL_NS}/Signal"


def q(prefix: str, tag: str) -> str:
    """Clark notation ``{uri}tag`` of a prefixed name."""
    return f"{{{NS[prefix]}}}{tag}"


@dataclass
class Fault(Exception):
    """A WS-Management SOAP fault. ``wsman_code`` is the Windows error number of the ``f:WSManFault``."""

    code: str  # s:Sender or s:Receiver
    subcode: str  # e.g. w:TimedOut, w:InvalidSelectors
    wsman_code: int
    message: str
    http_status: int = 500

    def __str__(self) -> str:
        return f"{self.subcode} ({self.wsman_code}): {self.message}"


def operation_timeout() -> Fault:
    """What Receive answers when nothing happened within the OperationTimeout; clients retry it."""
    return Fault(
        "s:Receiver",
        "w:TimedOut",
        2150858793,
        "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.",
    )


def shell_not_found(shell_id: str | None) -> Fault:
    return Fault(
        "s:Sender",
        "w:InvalidSelectors",
        2150858843,
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not found on"
        " the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the"
        " server. Provide the correct ShellId or create a new shell and retry the operation.",
    )


def invalid_parameter(message: str) -> Fault:
    return Fault("s:Sender", "w:InvalidParameter", 87, message)


def action_not_supported(action: str) -> Fault:
    return Fault(
        "s:Sender",
        "a:ActionNotSupported",
        2150858753,
        f"The WS-Management service cannot process the request. The WS-Addressing action URI {action} is invalid.",
    )


def invalid_message(detail: str) -> Fault:
    return Fault(
        "s:Sender",
        "w:SchemaValidationError",
        2150858817,
        f"The WS-Management service cannot process the request because the XML is invalid: {detail}",
    )


@dataclass
class Request:
    """The parts of a WS-Management request the shell needs."""

    action: str
    message_id: str
    resource_uri: str
    shell_id: str | None
    operation_timeout: float
    options: dict[str, str] = field(default_factory=dict)
    body: ET.Element | None = None

    def find(self, path: str) -> ET.Element | None:
        return None if self.body is None else self.body.find(path, NS)


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$")


def parse_duration(text: str | None, default: float) -> float:
    """Seconds of an xs:duration such as ``PT20S`` or ``PT20.000S``; ``default`` when absent or malformed."""
    match = _DURATION.match((text or "").strip())
    if not match or not any(match.groups()):
        return default
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def parse_request(body: bytes, default_timeout: float = 60.0) -> Request:
    """Parse a SOAP envelope; :class:`Fault` when it is not one."""
    try:
        root = ET.fromstring(body)  # loopback test emulator, own clients
    except ET.ParseError as exc:
        raise invalid_message(str(exc)) from exc
    if root.tag != q("s", "Envelope"):
        raise invalid_message(f"root element is {root.tag}, not a SOAP 1.2 Envelope")
    header = root.find("s:Header", NS)
    if header is None:
        raise invalid_message("no SOAP Header")

    def text(path: str) -> str | None:
        node = header.find(path, NS)
        return node.text.strip() if node is not None and node.text else None

    selector = header.find("w:SelectorSet/w:Selector[@Name='ShellId']", NS)
    options = {
        node.get("Name", ""): (node.text or "").strip() for node in header.findall("w:OptionSet/w:Option", NS)
    }
    return Request(
        action=text("a:Action") or "",
        message_id=text("a:MessageID") or "",
        resource_uri=text("w:ResourceURI") or "",
        shell_id=selector.text.strip() if selector is not None and selector.text else None,
        operation_timeout=parse_duration(text("w:OperationTimeout"), default_timeout),
        options=options,
        body=root.find("s:Body", NS),
    )


def _envelope(action: str, relates_to: str) -> tuple[ET.Element, ET.Element]:
    envelope = ET.Element(q("s", "Envelope"), {"{http://www.w3.org/XML/1998/namespace}lang": "en-US"})
    header = ET.SubElement(envelope, q("s", "Header"))
    ET.SubElement(header, q("a", "Action")).text = action
    ET.SubElement(header, q("a", "MessageID")).text = f"uuid:{str(uuid.uuid4()).upper()}"
    ET.SubElement(header, q("a", "To")).text = ANONYMOUS
    ET.SubElement(header, q("a", "RelatesTo")).text = relates_to
    return envelope, ET.SubElement(envelope, q("s", "Body"))


def response(request: Request, children: list[ET.Element] | None = None) -> bytes:
    """The reply envelope to ``request`` (action + ``Response``) with ``children`` in its body."""
    envelope, body = _envelope(request.action + "Response", request.message_id)
    body.extend(children or [])
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=False)


def fault_envelope(fault: Fault, relates_to: str | None, machine: str) -> bytes:
    envelope, body = _envelope(FAULT_ACTION, relates_to or "")
    node = ET.SubElement(body, q("s", "Fault"))
    code = ET.SubElement(node, q("s", "Code"))
    ET.SubElement(code, q("s", "Value")).text = fault.code
    ET.SubElement(ET.SubElement(code, q("s", "Subcode")), q("s", "Value")).text = fault.subcode
    reason = ET.SubElement(ET.SubElement(node, q("s", "Reason")), q("s", "Text"))
    reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
    reason.text = fault.message + " "
    detail = ET.SubElement(node, q("s", "Detail"))
    wsman_fault = ET.SubElement(detail, q("f", "WSManFault"), {"Code": str(fault.wsman_code), "Machine": machine})
    ET.SubElement(wsman_fault, q("f", "Message")).text = fault.message + " "
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=False)


def element(prefix: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.Element(q(prefix, tag), attrs)
    node.text = text
    return node


def child(parent: ET.Element, prefix: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, q(prefix, tag), attrs)
    node.text = text
    return node
