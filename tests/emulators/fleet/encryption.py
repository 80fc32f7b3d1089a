"""WinRM message encryption over HTTP ([MS-WSMV] 2.2.9.1.1 Negotiate, 2.2.9.1.2 Kerberos).

After NTLM or Kerberos authenticated the TCP connection, each body is ``multipart/encrypted`` with
``protocol="application/HTTP-SPNEGO-session-encrypted"`` (Negotiate: NTLM, or Kerberos inside SPNEGO, what pywinrm
sends for both) or ``"application/HTTP-Kerberos-session-encrypted"`` (what pypsrp sends after a ``Kerberos``
header): a header part naming the original length, then an ``application/octet-stream`` part holding
``<int32 LE signature length><signature><sealed data>``. The reply uses the request's protocol. pyspnego's
``unwrap_winrm`` / ``wrap_winrm`` do the cryptography; this module only frames. CredSSP's own encryption
(``application/HTTP-CredSSP-session-encrypted``) is not modelled: such a body is refused.
"""

from __future__ import annotations

import re
import struct
import typing as t

BOUNDARY = b"--Encrypted Boundary"
PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
PROTOCOLS = (PROTOCOL, "application/HTTP-Kerberos-session-encrypted")
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_OCTET_STREAM = b"Content-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")


class EncryptionError(ValueError):
    """The body is not a well-formed encrypted message, or it does not decrypt to the announced length."""


class WinRMContext(t.Protocol):
    def unwrap_winrm(self, header: bytes, data: bytes) -> bytes:
        """The plain text of an encrypted message part (pyspnego's context)."""

    def wrap_winrm(self, data: bytes) -> t.Any:
        """The encrypted form of ``data`` (pyspnego's context)."""


def content_type(protocol: str) -> str:
    return f'multipart/encrypted;protocol="{protocol}";boundary="Encrypted Boundary"'


def encryption_protocol(content_type_header: str) -> str | None:
    """The encryption protocol of a request body (one of :data:`PROTOCOLS`), or None when it is plain."""
    lowered = content_type_header.lower()
    if not lowered.startswith("multipart/"):
        return None
    for protocol in PROTOCOLS:
        if protocol.lower() in lowered:
            return protocol
    return "unsupported"


def is_encrypted(content_type_header: str) -> bool:
    return encryption_protocol(content_type_header) not in (None, "unsupported")


def unwrap(body: bytes, context: WinRMContext) -> bytes:
    """The plain SOAP message of an encrypted request body."""
    length = _LENGTH.search(body)
    start = body.find(_OCTET_STREAM)
    end = body.rfind(BOUNDARY + b"--")
    if length is None or start < 0 or end < start:
        raise EncryptionError("not a multipart/encrypted WinRM message")
    payload = body[start + len(_OCTET_STREAM) : end]
    if len(payload) < 4:
        raise EncryptionError("encrypted part too short")
    signature_length = struct.unpack("<i", payload[:4])[0]
    if not 0 < signature_length <= len(payload) - 4:
        raise EncryptionError("bad signature length")
    try:
        message = context.unwrap_winrm(payload[4 : 4 + signature_length], payload[4 + signature_length :])
    except Exception as exc:  # pyspnego raises its own SpnegoError family for bad signatures
        raise EncryptionError(f"cannot decrypt: {exc}") from exc
    if len(message) != int(length.group(1)):
        raise EncryptionError("decrypted length differs from the announced Length")
    return message


def wrap(message: bytes, context: WinRMContext, protocol: str = PROTOCOL) -> bytes:
    """An encrypted response body for ``message``, framed exactly as Windows (and pywinrm) frame it."""
    result = context.wrap_winrm(message)
    sealed = struct.pack("<i", len(result.header)) + result.header + result.data
    return (
        BOUNDARY + b"\r\n"
        b"\tContent-Type: " + protocol.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(len(message)).encode() + b"\r\n"
        + BOUNDARY + b"\r\n"
        b"\t" + _OCTET_STREAM + sealed + BOUNDARY + b"--\r\n"
    )
