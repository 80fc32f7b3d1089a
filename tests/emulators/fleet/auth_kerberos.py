"""Kerberos (and SPNEGO) of the WinRM listeners: pyspnego's Negotiate acceptor with the gssapi backend (MIT Kerberos).

A client sends ``Negotiate <token>`` (or ``Kerberos <token>``) where the token is a raw Kerberos AP-REQ (pywinrm's
pykerberos) or an SPNEGO NegTokenInit (pyspnego, pypsrp); the acceptor finds the service key in the keytab named
by ``KRB5_KTNAME`` (a PC of a fleet with a realm is "joined": tests/emulators/kdc.py gives every PC its
``HTTP/<fqdn>`` and ``WSMAN/<fqdn>`` keys). Over HTTPS the client's channel binding must match the listener's
certificate, as on Windows with the WinRM service's CbtHardeningLevel. The reply that completes the handshake carries
the acceptor's token in ``WWW-Authenticate`` (mutual authentication, which pywinrm requires).

Delegation: when the client forwarded its TGT (GSS_C_DELEG_FLAG: ``ansible_winrm_kerberos_delegation``,
``ansible_psrp_negotiate_delegate``), the acceptor context holds the delegated credential and reports the delegate flag
(``context_attr & ContextReq.delegate``, GSS ``actual_flags``): that logon has credentials it can use again
(session.py: ``kerberos-delegated``). Without it the logon is ``kerberos`` and holds none (the double hop).
A PC of a fleet without a realm refuses Kerberos, as a PC outside any domain does.
"""

from __future__ import annotations

import typing as t

import spnego
from spnego import ContextReq
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

from .auth_common import Challenge, ConnectionAuth, Identity, challenges, user_matches

if t.TYPE_CHECKING:
    from .fleet import PC


def authenticate(
    pc: PC, scheme: str, token: bytes, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    if not pc.realm:
        return Challenge(challenges(pc), "Kerberos token on a PC that is not joined to a realm")
    if conn.pending is not None and conn.pending_method == "negotiate":  # a later leg of an SPNEGO exchange
        context = conn.pending
    else:
        conn.identity = None
        try:
            context = spnego.server(hostname=pc.fqdn, service="HTTP", protocol="negotiate", channel_bindings=bindings)
        except SpnegoError as exc:  # no keytab, no gssapi
            return Challenge(challenges(pc), f"Kerberos acceptor unavailable: {exc}")
    try:
        answer = context.step(token)
    except SpnegoError as exc:  # unknown service key, expired or replayed ticket, channel binding mismatch
        conn.clear_pending()
        return Challenge(challenges(pc), f"Kerberos authentication failed: {exc}")
    if not context.complete:
        conn.pending, conn.pending_method = context, "negotiate"
        return Challenge([f"{scheme} {Challenge.encode(answer)}"], "SPNEGO continues")
    conn.clear_pending()
    principal = context.client_principal or ""
    if pc.faults["auth_fail"] or not user_matches(pc, principal):
        return Challenge(challenges(pc), f"access denied for {principal}")
    method = "kerberos" if context.negotiated_protocol == "kerberos" else "ntlm"
    delegated = method == "kerberos" and bool(context.context_attr & ContextReq.delegate)
    answer_header = f"{scheme} {Challenge.encode(answer)}" if answer else None
    conn.identity = Identity(principal, method, context, delegated=delegated, answer=answer_header)
    return conn.identity
