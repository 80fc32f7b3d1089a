"""HTTP authentication of the WinRM listeners: NTLM (per TCP connection, pyspnego as the server) and Basic.

NTLM authenticates the connection, not the request: the handshake is ``Negotiate <type 1>`` -> 401 with the
challenge -> ``Negotiate <type 3>`` (this request's body is then served), and later requests on the same keep-alive
connection carry no Authorization header. Over HTTPS the acceptor checks the client's channel binding
(``tls-server-end-point`` hash of the listener certificate). Basic is accepted only on PCs whose transport is
``basic`` (the WinRM default has Basic off and Negotiate on).

pyspnego's NTLM acceptor reads its user database from the file named by the ``NTLM_USER_FILE`` environment variable,
per process: :data:`CREDENTIALS` keeps one such file for every fleet of the process (``:user:password`` lines, so a
client user name without a domain matches). A user name may be registered once per process with one password.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import shutil
import struct
import tempfile
import threading
import typing as t
from dataclasses import dataclass

import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

from .session import Session

if t.TYPE_CHECKING:
    from .fleet import PC

NTLM_SIGNATURE = b"NTLMSSP\x00"
BASIC_REALM = 'Basic realm="WSMAN"'


class CredentialStore:
    """The process-wide ``NTLM_USER_FILE`` of the emulated fleets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, tuple[str, str]] = {}
        self._path: str | None = None

    def register(self, user: str, password: str) -> None:
        with self._lock:
            known = self._users.get(user.lower())
            if known and known[1] != password:
                raise ValueError(f"user {user!r} is already registered in this process with another password")
            self._users[user.lower()] = (user, password)
            if self._path is None:
                directory = tempfile.mkdtemp(prefix="wac-fleet-ntlm-")
                atexit.register(shutil.rmtree, directory, True)
                self._path = os.path.join(directory, "ntlm_users")
            lines = "".join(f":{name}:{secret}\n" for name, secret in self._users.values())
            temporary = self._path + ".tmp"
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as fd:
                fd.write(lines)
            os.replace(temporary, self._path)
            os.environ["NTLM_USER_FILE"] = self._path


CREDENTIALS = CredentialStore()


@dataclass
class Identity:
    user: str
    method: str  # "ntlm" or "basic"
    context: t.Any = None  # the completed NTLM context (for message encryption)

    def session(self) -> Session:
        """The logon this identity gives a command (see session.py for which methods delegate credentials)."""
        return Session.for_auth(self.user, self.method)


class ConnectionAuth:
    """Authentication state of one TCP connection."""

    __slots__ = ("__weakref__", "identity", "pending")

    def __init__(self) -> None:
        self.identity: Identity | None = None
        self.pending: t.Any = None  # NTLM acceptor between the negotiate and the authenticate message


@dataclass
class Challenge:
    """A 401 answer: the ``WWW-Authenticate`` values to send."""

    www_authenticate: list[str]
    reason: str


def challenges(pc: PC) -> list[str]:
    offered = ["Negotiate"]
    if pc.transport == "basic":
        offered.append(BASIC_REALM)
    return offered


def _user_part(principal: str) -> str:
    name = principal.rsplit("\\", 1)[-1]
    return name.split("@", 1)[0].lower()


def authenticate(
    pc: PC, authorization: str | None, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    """The identity of this request, or the 401 challenge to answer with."""
    if not authorization:
        if conn.identity is not None and conn.identity.method == "ntlm":
            return conn.identity
        return Challenge(challenges(pc), "no credentials")
    scheme, _sep, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        return _basic(pc, value.strip())
    if scheme in ("negotiate", "ntlm"):
        return _ntlm(pc, "Negotiate" if scheme == "negotiate" else "NTLM", value.strip(), conn, bindings)
    return Challenge(challenges(pc), f"unsupported authorization scheme {scheme}")


def _basic(pc: PC, value: str) -> Identity | Challenge:
    if pc.transport != "basic":
        return Challenge(challenges(pc), "Basic authentication is disabled on this PC")
    try:
        user, _sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return Challenge(challenges(pc), "malformed Basic credentials")
    if pc.faults["auth_fail"] or _user_part(user) != pc.user.lower() or password != pc.password:
        return Challenge(challenges(pc), "Basic credentials rejected")
    return Identity(user, "basic")


def _ntlm(
    pc: PC, scheme: str, value: str, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    try:
        token = base64.b64decode(value, validate=True)
    except binascii.Error:
        return Challenge(challenges(pc), "malformed Negotiate token")
    if token[:8] != NTLM_SIGNATURE or len(token) < 12:
        return Challenge(challenges(pc), "only NTLM tokens are accepted (no Kerberos here)")
    message_type = struct.unpack("<I", token[8:12])[0]
    if message_type == 1:  # NEGOTIATE: a new handshake on this connection
        conn.identity = None
        conn.pending = spnego.server(hostname=pc.fqdn, service="HTTP", protocol="ntlm", channel_bindings=bindings)
        try:
            answer = conn.pending.step(token)
        except SpnegoError as exc:
            conn.pending = None
            return Challenge(challenges(pc), f"NTLM negotiate rejected: {exc}")
        return Challenge([f"{scheme} {base64.b64encode(answer or b'').decode()}"], "NTLM challenge")
    if message_type == 3 and conn.pending is not None:  # AUTHENTICATE
        context, conn.pending = conn.pending, None
        try:
            context.step(token)
        except SpnegoError as exc:  # wrong password, unknown user, channel binding mismatch
            return Challenge(challenges(pc), f"NTLM authentication failed: {exc}")
        principal = context.client_principal or ""
        if pc.faults["auth_fail"] or not context.complete or _user_part(principal) != pc.user.lower():
            return Challenge(challenges(pc), f"access denied for {principal}")
        conn.identity = Identity(principal, "ntlm", context)
        return conn.identity
    return Challenge(challenges(pc), "unexpected NTLM message")
