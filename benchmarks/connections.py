"""The Windows connections the fleet benchmark can measure (``--connection``), and the Kerberos realm some need.

Each name maps to the fleet emulator CLI's ``--connection``, ``--transport`` and ``--scheme``. For Kerberos the
benchmark runs a private realm with the real MIT KDC (tests/emulators/kdc.py): the fleet emulator accepts with its
keytab and kinit (Ansible's ``ansible_winrm_kinit_mode=managed``, pypsrp with the password) reads its krb5.conf.
Every process gets a ``KRB5_CONFIG``: the realm's, or an empty one, so that no Negotiate client reaches the realm of
the machine's /etc/krb5.conf.

``winrm-kerberos-delegation`` is the logon a gateway can use again for its own REST call (docs/gateway.md,
``rest_credentials``): the user's forwardable ticket made once with kinit before the run (``KRB5CCNAME``, no
``ansible_password`` in the inventory, ``ansible_winrm_kinit_mode=manual``), forwarded to every PC
(``ansible_winrm_kerberos_delegation``), so that the registration read sends no credentials on stdin.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from tests.emulators import kdc

CONNECTIONS: dict[str, tuple[str, str, str]] = {  # name: (connection, transport, scheme)
    "winrm-ntlm": ("winrm", "ntlm", "http"),
    "winrm-ntlm-https": ("winrm", "ntlm", "https"),
    "winrm-kerberos": ("winrm", "kerberos", "http"),
    "winrm-kerberos-https": ("winrm", "kerberos", "https"),
    "winrm-kerberos-delegation": ("winrm", "kerberos", "http"),
    "winrm-credssp": ("winrm", "credssp", "https"),
    "psrp-ntlm": ("psrp", "ntlm", "http"),
    "psrp-kerberos": ("psrp", "kerberos", "http"),
    "ssh-password": ("ssh", "password", "http"),
    "ssh-key": ("ssh", "key", "http"),
}
DELEGATING = frozenset({"winrm-kerberos-delegation"})  # kinit before the run, the ticket forwarded to each PC


class Setup:
    """What one connection needs: the fleet CLI's arguments, the environment of every process, a realm if any."""

    def __init__(self, name: str, work: Path) -> None:
        self.name = name
        self.connection, self.transport, self.scheme = CONNECTIONS[name]
        self.realm: kdc.Realm | None = None
        self.delegation = name in DELEGATING
        if self.transport == "kerberos":
            self.realm = kdc.Realm(work / "kdc").start()
            self.env = dict(self.realm.env)
        else:
            empty = work / "krb5-none.conf"
            empty.write_text("[libdefaults]\n dns_lookup_kdc = false\n dns_lookup_realm = false\n")
            self.env = {"KRB5_CONFIG": str(empty)}

    def fleet_args(self) -> list[str]:
        arguments = ["--connection", self.connection, "--transport", self.transport, "--scheme", self.scheme]
        if self.delegation:
            arguments += ["--kinit-mode", "manual", "--delegation"]
        return arguments + (["--realm", self.realm.name] if self.realm else [])

    def join(self, endpoints: dict[str, t.Any]) -> None:
        """Add the started fleet's PCs and user to the realm (the emulator reads the keytab at each logon); with
        delegation, the user's forwardable ticket, which every later process finds in ``KRB5CCNAME``."""
        if self.realm is None:
            return
        hosts = endpoints["hosts"]
        self.realm.add_services(f"{host['name']}.fleet.wac.test" for host in hosts)
        self.realm.add_user(hosts[0]["user"], hosts[0]["password"])
        if self.delegation:
            ccache = self.realm.directory / "user.ccache"
            self.realm.kinit(hosts[0]["user"], ccache, password=hosts[0]["password"], forwardable=True)
            self.env["KRB5CCNAME"] = f"FILE:{ccache}"

    def stop(self) -> None:
        if self.realm is not None:
            self.realm.stop()
