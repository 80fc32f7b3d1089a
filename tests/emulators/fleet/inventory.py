"""The Ansible connection variables of an emulated PC, for every connection and authentication the fleet offers.

=========  =====================  ==========================================================================
connection transport (auth)       inventory variables (besides ansible_host, ansible_user, ansible_password)
=========  =====================  ==========================================================================
winrm      ntlm, basic            ansible_winrm_transport, ansible_winrm_scheme, certificate validation
winrm      kerberos               ansible_user=user@REALM, ansible_winrm_kerberos_hostname_override=<fqdn>,
                                  ansible_winrm_kinit_mode=managed (kinit with the password) or manual (a
                                  ticket cache the caller made, KRB5CCNAME), ansible_winrm_kerberos_delegation
winrm      credssp                ansible_winrm_transport=credssp (HTTPS)
psrp       ntlm, basic, credssp   ansible_psrp_auth, ansible_psrp_protocol, certificate validation
psrp       kerberos               ansible_psrp_auth=kerberos, ansible_psrp_negotiate_hostname_override=<fqdn>,
                                  ansible_psrp_negotiate_delegate
ssh        password               ansible_shell_type=powershell, sshpass; the fleet's known_hosts file
ssh        key                    the same, logging on with ansible_ssh_private_key_file (the password is only for
                                  the REST step, which a key logon has no credentials for)
=========  =====================  ==========================================================================

The PCs keep their loopback addresses (no DNS, no hosts file): Kerberos names the service ``HTTP/<fqdn>`` or
``WSMAN/<fqdn>`` through the hostname override, and kinit reads the test realm's krb5.conf through
``KRB5_CONFIG`` (passed through ``ansible_winrm_kinit_env_vars``: Ansible runs kinit with an empty environment).
"""

from __future__ import annotations

import dataclasses
import shlex
import typing as t

if t.TYPE_CHECKING:
    from .fleet import PC

CONNECTIONS = {
    "winrm": ("ntlm", "basic", "kerberos", "credssp"),
    "psrp": ("ntlm", "basic", "kerberos", "credssp"),
    "ssh": ("password", "key"),
}


@dataclasses.dataclass(frozen=True)
class Files:
    """Files of a running fleet that an inventory names."""

    ca_bundle: str | None = None
    known_hosts: str | None = None
    ssh_private_key: str | None = None


def check(connection: str, transport: str, scheme: str, realm: str | None) -> None:
    """ValueError naming the bad choice when the fleet cannot offer this connection."""
    if connection not in CONNECTIONS:
        raise ValueError(f"connection must be one of {', '.join(CONNECTIONS)}, not {connection!r}")
    if transport not in CONNECTIONS[connection]:
        raise ValueError(f"transport of a {connection} fleet must be one of {', '.join(CONNECTIONS[connection])},"
                         f" not {transport!r}")
    if transport == "kerberos" and not realm:
        raise ValueError("transport kerberos needs a Kerberos realm (realm=...)")
    if transport == "credssp" and scheme != "https":
        raise ValueError("transport credssp needs scheme https (CredSSP message encryption is not modelled)")


def _quote(value: str) -> str:
    return shlex.quote(value) if any(c in value for c in " '\"\\=") else value


def host_variables(pc: PC, files: Files, *, kinit_mode: str = "managed", delegation: bool = False) -> dict[str, str]:
    """The inventory variables of one PC (values as strings, as an INI inventory holds them)."""
    if pc.connection == "ssh":
        return _ssh(pc, files)
    user = f"{pc.user}@{pc.realm}" if pc.transport == "kerberos" else pc.user
    variables = {"ansible_host": pc.address, "ansible_port": str(pc.port), "ansible_user": user,
                 "ansible_connection": pc.connection}
    if not (pc.transport == "kerberos" and kinit_mode == "manual"):
        variables["ansible_password"] = pc.password
    if pc.connection == "winrm":
        variables.update(_winrm(pc, files, kinit_mode, delegation))
    else:
        variables.update(_psrp(pc, files, delegation))
    return variables


def _winrm(pc: PC, files: Files, kinit_mode: str, delegation: bool) -> dict[str, str]:
    variables = {"ansible_winrm_transport": pc.transport, "ansible_winrm_scheme": pc.scheme}
    if pc.scheme == "https":
        variables.update(ansible_winrm_server_cert_validation="validate", ansible_winrm_ca_trust_path=files.ca_bundle)
    else:
        variables["ansible_winrm_server_cert_validation"] = "ignore"
    if pc.transport == "kerberos":
        variables.update(ansible_winrm_kerberos_hostname_override=pc.fqdn, ansible_winrm_kinit_mode=kinit_mode,
                         ansible_winrm_kerberos_delegation=str(delegation).lower(),
                         ansible_winrm_kinit_env_vars="KRB5_CONFIG")
    return variables


def _psrp(pc: PC, files: Files, delegation: bool) -> dict[str, str]:
    variables = {"ansible_psrp_auth": pc.transport, "ansible_psrp_protocol": pc.scheme}
    if pc.scheme == "https":
        variables.update(ansible_psrp_cert_validation="validate", ansible_psrp_ca_cert=files.ca_bundle)
    else:
        variables["ansible_psrp_cert_validation"] = "ignore"
    if pc.transport == "kerberos":
        variables.update(ansible_psrp_negotiate_hostname_override=pc.fqdn,
                         ansible_psrp_negotiate_delegate=str(delegation).lower())
    return variables


def _ssh(pc: PC, files: Files) -> dict[str, str]:
    variables = {"ansible_host": pc.address, "ansible_port": str(pc.ssh_port), "ansible_user": pc.user,
                 "ansible_connection": "ssh", "ansible_shell_type": "powershell",
                 "ansible_ssh_common_args": f"-o UserKnownHostsFile={files.known_hosts}"}
    variables["ansible_password"] = pc.password
    if pc.transport == "password":
        variables["ansible_ssh_extra_args"] = "-o PubkeyAuthentication=no"
    else:  # logs on with the key; the password is there for the gateway's REST call (docs/guide.md)
        variables.update(ansible_ssh_private_key_file=files.ssh_private_key or "",
                         ansible_ssh_extra_args="-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no")
    return variables


def ini_line(name: str, variables: dict[str, str]) -> str:
    return " ".join([name, *(f"{key}={_quote(str(value))}" for key, value in variables.items() if value is not None)])
