"""What every authentication method of the WinRM listeners shares: the identity of a request, the per-connection
state, the 401 answer, and which schemes a PC offers.

A PC offers (``WWW-Authenticate`` of a 401, in the order Windows sends them) ``Negotiate`` always, ``Kerberos`` when
it is joined to a Kerberos realm (the fleet has one), ``Basic realm="WSMAN"`` when its transport is ``basic`` and
``CredSSP`` when its transport is ``credssp``: the WinRM service's defaults are Negotiate and Kerberos on, Basic and
CredSSP off (Microsoft, "Installation and configuration for Windows Remote Management"; CredSSP is turned on with
``Enable-WSManCredSSP -Role Server``).
"""

from __future__ import annotations

import base64
import typing as t
from dataclasses import dataclass

from .session import Session

if t.TYPE_CHECKING:
    from .fleet import PC

BASIC_REALM = 'Basic realm="WSMAN"'
CONNECTION_METHODS = frozenset({"ntlm", "kerberos", "credssp"})  # they authenticate the TCP connection


@dataclass
class Identity:
    user: str
    method: str  # "ntlm", "basic", "kerberos" or "credssp"
    context: t.Any = None  # the completed pyspnego context (message encryption)
    delegated: bool = False  # the client gave the logon credentials it can use again (Kerberos delegation, CredSSP)
    answer: str | None = None  # a WWW-Authenticate value for the reply that completed the handshake (mutual auth)

    def session(self) -> Session:
        """The logon this identity gives a command (see session.py for which methods delegate credentials)."""
        auth = "kerberos-delegated" if self.method == "kerberos" and self.delegated else self.method
        return Session.for_auth(self.user, auth)


class ConnectionAuth:
    """Authentication state of one TCP connection."""

    __slots__ = ("__weakref__", "identity", "pending", "pending_method")

    def __init__(self) -> None:
        self.identity: Identity | None = None
        self.pending: t.Any = None  # an acceptor in the middle of a multi-leg handshake
        self.pending_method: str | None = None

    def clear_pending(self) -> None:
        self.pending = None
        self.pending_method = None


@dataclass
class Challenge:
    """A 401 answer: the ``WWW-Authenticate`` values to send."""

    www_authenticate: list[str]
    reason: str

    @staticmethod
    def encode(token: bytes | None) -> str:
        return base64.b64encode(token or b"").decode()


def challenges(pc: PC) -> list[str]:
    offered = ["Negotiate"]
    if pc.realm:
        offered.append("Kerberos")
    if pc.transport == "basic":
        offered.append(BASIC_REALM)
    if pc.transport == "credssp":
        offered.append("CredSSP")
    return offered


def user_part(principal: str) -> str:
    name = principal.rsplit("\\", 1)[-1]
    return name.split("@", 1)[0].lower()


def user_matches(pc: PC, principal: str) -> bool:
    """Whether ``principal`` (``user``, ``DOMAIN\\user`` or ``user@REALM``) is the PC's administrator; a Kerberos
    principal must also be of the PC's realm."""
    if "@" in principal and pc.realm and principal.rsplit("@", 1)[1].upper() != pc.realm.upper():
        return False
    return user_part(principal) == pc.user.lower()
