"""Kerberos, and SPNEGO (Negotiate) in general, of the WinRM listeners: pyspnego's Negotiate acceptor with the gssapi
backend (MIT Kerberos). Raw NTLM tokens go to auth_ntlm.py; NTLM inside SPNEGO (pypsrp's ``negotiate`` when it has no
Kerberos ticket) is accepted here, on every PC.

A client sends ``Negotiate <token>`` (or ``Kerberos <token>``) where the token is a raw Kerberos AP-REQ (pywinrm's
pykerberos) or an SPNEGO NegTokenInit (pyspnego, pypsrp); the acceptor finds the service key in the keytab named
by ``KRB5_KTNAME`` (a PC of a fleet with a realm is "joined": tests/emulators/kdc.py gives every PC its
``HTTP/<fqdn>`` and ``WSMAN/<fqdn>`` keys; the acceptor takes only the PC's own names, so a ticket for another PC
is refused). Over HTTPS the client's channel binding must match the listener's
certificate, as on Windows with the WinRM service's CbtHardeningLevel. The reply that completes the handshake carries
the acceptor's token in ``WWW-Authenticate`` (mutual authentication, which pywinrm requires).

Delegation: when the client forwarded its TGT (GSS_C_DELEG_FLAG: ``ansible_winrm_kerberos_delegation``,
``ansible_psrp_negotiate_delegate``), the acceptor context holds the delegated credential and reports the delegate flag
(``context_attr & ContextReq.delegate``, GSS ``actual_flags``): that logon has credentials it can use again
(session.py: ``kerberos-delegated``). Without it the logon is ``kerberos`` and holds none (the double hop).
A PC of a fleet without a realm refuses Kerberos, as a PC outside any domain does, and takes NTLM inside SPNEGO.
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

# The service names a Windows PC with WinRM answers to: HTTP/<fqdn> (an alias of its computer account's HOST SPN,
# what pywinrm asks for) and WSMAN/<fqdn> (registered by the WinRM service, pypsrp's default).
SERVICE_CLASSES = ("HTTP", "WSMAN")


def authenticate(
    pc: PC, scheme: str, token: bytes, conn: ConnectionAuth, bindings: GssChannelBindings | None
) -> Identity | Challenge:
    if conn.pending is not None and conn.pending_method == "negotiate":  # a later leg of an SPNEGO exchange
        context = conn.pending
        try:
            answer = context.step(token)
        except SpnegoError as exc:
            conn.clear_pending()
            return Challenge(challenges(pc), f"Negotiate authentication failed: {exc}")
    else:
        conn.identity = None
        accepted = _accept(pc, token, bindings)
        if isinstance(accepted, Challenge):
            return accepted
        context, answer = accepted
    if not context.complete:
        conn.pending, conn.pending_method = context, "negotiate"
        return Challenge([f"{scheme} {Challenge.encode(answer)}"], "SPNEGO continues")
    conn.clear_pending()
    principal = context.client_principal or ""
    if pc.faults["auth_fail"] or not user_matches(pc, principal):
        return Challenge(challenges(pc), f"access denied for {principal}")
    method = "kerberos" if context.negotiated_protocol == "kerberos" else "ntlm"
    if method == "kerberos" and not pc.realm:
        return Challenge(challenges(pc), "Kerberos on a PC that is not joined to a realm")
    delegated = method == "kerberos" and bool(context.context_attr & ContextReq.delegate)
    answer_header = f"{scheme} {Challenge.encode(answer)}" if answer else None
    conn.identity = Identity(principal, method, context, delegated=delegated, answer=answer_header)
    return conn.identity


def _accept(pc: PC, token: bytes, bindings: GssChannelBindings | None) -> tuple[t.Any, bytes | None] | Challenge:
    """The first leg: an acceptor for each service name of the PC in turn, as only the PC's own keys decrypt a
    ticket (one for another PC's name fails, as on Windows)."""
    failures = []
    for service in SERVICE_CLASSES if pc.realm else ("HTTP",):
        # Outside a realm: no Kerberos keys (a Kerberos result is refused above), NTLM inside SPNEGO still works.
        credential = spnego.CredentialCache(username=f"{service}@{pc.fqdn}") if pc.realm else None
        try:
            context = spnego.server(hostname=pc.fqdn, service=service, protocol="negotiate",
                                    channel_bindings=bindings, credentials=credential)
            return context, context.step(token)
        # pyspnego raises SpnegoError (expired or replayed ticket, channel binding mismatch), or AttributeError when
        # GSSAPI refused the first token (a ticket for another service name).
        except Exception as exc:
            failures.append(f"{service}/{pc.fqdn}: {exc}")
    return Challenge(challenges(pc), "Kerberos authentication failed: " + "; ".join(failures))
