"""CredSSP of the WinRM listeners ([MS-CSSP]): pyspnego's CredSSP acceptor, on PCs whose transport is ``credssp``.

The client runs TLS inside ``CredSSP <token>`` headers, authenticates inside it with SPNEGO (NTLM here; pyspnego's
inner Negotiate acceptor, NTLM_USER_FILE as for NTLM), proves the TLS public key, and then sends its user name and
password (TSCredentials) to the PC, which logs on with them: such a logon has credentials it can use again
(session.py: ``credssp``; Ansible's "Windows Remote Management" guide, CredSSP: credential delegation yes). The
delegated password must be the user's (a wrong one fails the logon). CredSSP is off on a default WinRM service
(``Enable-WSManCredSSP -Role Server`` turns it on); here a PC accepts it when its transport is ``credssp``. Over
plain HTTP CredSSP would need CredSSP message encryption, which this emulator does not model: use HTTPS.
"""

from __future__ import annotations

import typing as t

import spnego
from spnego.exceptions import SpnegoError

from .auth_common import Challenge, ConnectionAuth, Identity, challenges, user_matches

if t.TYPE_CHECKING:
    from .fleet import PC


def authenticate(pc: PC, token: bytes, conn: ConnectionAuth) -> Identity | Challenge:
    if pc.transport != "credssp":
        return Challenge(challenges(pc), "CredSSP is disabled on this PC")
    if conn.pending is None or conn.pending_method != "credssp":
        conn.identity = None
        conn.pending = spnego.server(hostname=pc.fqdn, service="HTTP", protocol="credssp")
        conn.pending_method = "credssp"
    context = conn.pending
    try:
        answer = context.step(token)
    except SpnegoError as exc:  # bad TLS, wrong password in the inner NTLM, public key mismatch
        conn.clear_pending()
        return Challenge(challenges(pc), f"CredSSP authentication failed: {exc}")
    if not context.complete:
        if not answer:
            conn.clear_pending()
            return Challenge(challenges(pc), "CredSSP exchange ended without credentials")
        return Challenge([f"CredSSP {Challenge.encode(answer)}"], "CredSSP continues")
    conn.clear_pending()
    principal = context.client_principal or ""
    delegated = context.get_extra_info("client_credential")
    password = getattr(delegated, "password", None)
    if (
        pc.faults["auth_fail"]
        or not user_matches(pc, principal)
        or not user_matches(pc, getattr(delegated, "username", "") or "")
        or password != pc.password
    ):
        return Challenge(challenges(pc), f"access denied for {principal} (CredSSP logon with the delegated password)")
    conn.identity = Identity(principal, "credssp", context, delegated=True)
    return conn.identity
