"""NTLM of the WinRM listeners (raw NTLM in ``Negotiate`` or ``NTLM`` headers, pyspnego as the acceptor).

NTLM authenticates the connection, not the request: the handshake is ``Negotiate <type 1>`` -> 401 with the
challenge -> ``Negotiate <type 3>`` (this request's body is then served), and later requests on the same keep-alive
connection carry no Authorization header. Over HTTPS the acceptor checks the client's channel binding
(``tls-server-end-point`` hash of the listener certificate). An NTLM logon holds no credentials it can use again
(session.py).

pyspnego's NTLM acceptor reads its user database from the file named by the ``NTLM_USER_FILE`` environment variable,
per process: :data:`CREDENTIALS` keeps one such file for every fleet of the process (``:user:password`` lines, so a
client user name without a domain matches). A user name may be registered once per process with one password.
"""

from __future__ import annotations

import atexit
import os
import shutil
import struct
import tempfile
import threading
import typing as t

import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

from .auth_common import Challenge, ConnectionAuth, Identity, challenges, user_matches

if t.TYPE_CHECKING:
    from .fleet import PC

SIGNATURE = b"NTLMSSP\x00"


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


def is_ntlm(token: bytes) -> bool:
    return token[:8] == SIGNATURE and len(token) >= 12


def authenticate(
    pc: PC, scheme: str, token: bytes, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    message_type = struct.unpack("<I", token[8:12])[0]
    if message_type == 1:  # NEGOTIATE: a new handshake on this connection
        conn.identity = None
        conn.pending = spnego.server(hostname=pc.fqdn, service="HTTP", protocol="ntlm", channel_bindings=bindings)
        conn.pending_method = "ntlm"
        try:
            answer = conn.pending.step(token)
        except SpnegoError as exc:
            conn.clear_pending()
            return Challenge(challenges(pc), f"NTLM negotiate rejected: {exc}")
        return Challenge([f"{scheme} {Challenge.encode(answer)}"], "NTLM challenge")
    if message_type == 3 and conn.pending is not None and conn.pending_method == "ntlm":  # AUTHENTICATE
        context = conn.pending
        conn.clear_pending()
        try:
            context.step(token)
        except SpnegoError as exc:  # wrong password, unknown user, channel binding mismatch
            return Challenge(challenges(pc), f"NTLM authentication failed: {exc}")
        principal = context.client_principal or ""
        if pc.faults["auth_fail"] or not context.complete or not user_matches(pc, principal):
            return Challenge(challenges(pc), f"access denied for {principal}")
        conn.identity = Identity(principal, "ntlm", context)
        return conn.identity
    return Challenge(challenges(pc), "unexpected NTLM message")
