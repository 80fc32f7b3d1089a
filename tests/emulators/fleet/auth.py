"""HTTP authentication of the WinRM listeners: which method a request uses, and its identity or the 401 answer.

One file per method: auth_ntlm.py (raw NTLM), auth_kerberos.py (Kerberos and SPNEGO, pyspnego with gssapi),
auth_credssp.py (CredSSP), auth_basic.py; auth_common.py has what they share. NTLM, Kerberos and CredSSP
authenticate the TCP connection: later requests on it carry no Authorization header and keep its identity.
"""

from __future__ import annotations

import base64
import binascii
import typing as t

from spnego.channel_bindings import GssChannelBindings

from . import auth_basic, auth_credssp, auth_kerberos, auth_ntlm
from .auth_common import CONNECTION_METHODS, Challenge, ConnectionAuth, Identity, challenges
from .auth_ntlm import CREDENTIALS

if t.TYPE_CHECKING:
    from .fleet import PC

__all__ = ["CREDENTIALS", "Challenge", "ConnectionAuth", "Identity", "authenticate", "challenges"]


def authenticate(
    pc: PC, authorization: str | None, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    """The identity of this request, or the 401 challenge to answer with."""
    if not authorization:
        if conn.identity is not None and conn.identity.method in CONNECTION_METHODS:
            return conn.identity
        return Challenge(challenges(pc), "no credentials")
    scheme, _sep, value = authorization.strip().partition(" ")
    lowered = scheme.lower()
    if lowered == "basic":
        return auth_basic.authenticate(pc, value.strip())
    if lowered not in ("negotiate", "ntlm", "kerberos", "credssp"):
        return Challenge(challenges(pc), f"unsupported authorization scheme {scheme}")
    try:
        token = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        return Challenge(challenges(pc), f"malformed {scheme} token")
    header = {"negotiate": "Negotiate", "ntlm": "NTLM", "kerberos": "Kerberos", "credssp": "CredSSP"}[lowered]
    if lowered == "credssp":
        return auth_credssp.authenticate(pc, token, conn)
    if auth_ntlm.is_ntlm(token) and lowered != "kerberos":
        return auth_ntlm.authenticate(pc, header, token, conn, bindings)
    return auth_kerberos.authenticate(pc, header, token, conn, bindings)
