"""Who runs a command on a simulated PC, and whether that logon carries credentials it can use again.

The WinRM, PSRP and SSH sides build one :class:`Session` per authenticated connection and hand it, with every
command, to the script runner, so that the gateway model can answer a local REST call made with the session's
default credentials the way Windows would. Which authentications delegate credentials (source: Ansible's "Windows
Remote Management" guide, table "Credential delegation": Basic no, Certificate no, NTLM no, Kerberos yes (with
delegation), CredSSP yes; ansible.windows ``doc_fragments/web_request.py``: a WinRM logon has default credentials for
a web request only with become, CredSSP or Kerberos delegation; Ansible's "Windows SSH" guide: Key no, GSSAPI yes,
Password yes, "works like WinRM CredSSP"; Microsoft Learn, "Key-based authentication in OpenSSH for Windows": a
session opened with a key "does not have associated user credentials"). Whether a local (loopback) NTLM call from a
logon without credentials still authenticates is UNCONFIRMED; the model takes the stricter answer: it does not.

``auth`` is one of ``ntlm``, ``basic``, ``kerberos`` (no delegated ticket), ``kerberos-delegated`` (the client
forwarded its TGT), ``credssp`` (WinRM or PSRP), ``ssh-password`` and ``ssh-key``.
"""

from __future__ import annotations

import dataclasses

DELEGATING_AUTH = frozenset({"credssp", "kerberos-delegated", "ssh-password"})


@dataclasses.dataclass(frozen=True)
class Session:
    """The logon of one connection: user, how it authenticated, whether it holds reusable credentials."""

    user: str
    auth: str  # "ntlm", "basic", "kerberos", "kerberos-delegated", "credssp", "ssh-password", "ssh-key"
    delegated: bool = False

    @classmethod
    def for_auth(cls, user: str, auth: str) -> Session:
        return cls(user, auth, auth in DELEGATING_AUTH)


def local_session(user: str) -> Session:
    """A logon for direct calls in unit tests: the PC's user, NTLM, no reusable credentials."""
    return Session.for_auth(user, "ntlm")
