"""The fleet's inventory for each connection and authentication, and the choices a fleet refuses."""

from __future__ import annotations

import configparser
import shlex

import pytest

from tests.emulators.fleet.fleet import Fleet
from tests.emulators.fleet.inventory import Files


def _line(fleet: Fleet, files: Files | None = None) -> dict[str, str]:
    fleet.files = files or Files()
    text = fleet.inventory("/tmp/ca.pem")
    parser = configparser.ConfigParser(allow_no_value=True, delimiters=(" ",), interpolation=None)
    parser.read_string(text)
    assert parser.sections()[0] == "wac_gateways"
    return dict(item.split("=", 1) for item in shlex.split(text.splitlines()[1])[1:])


@pytest.mark.parametrize(("options", "message"), [
    ({"connection": "rdp"}, "connection must be one of"),
    ({"connection": "ssh", "transport": "ntlm"}, "transport of a ssh fleet must be one of"),
    ({"transport": "password"}, "transport of a winrm fleet must be one of"),
    ({"transport": "kerberos"}, "needs a Kerberos realm"),
    ({"transport": "credssp"}, "credssp needs scheme https"),
    ({"transport": "kerberos", "realm": "R", "kinit_mode": "auto"}, "kinit_mode must be managed or manual"),
])
def test_a_fleet_refuses_what_it_cannot_offer(options, message):
    with pytest.raises(ValueError, match=message):
        Fleet(1, **options)


def test_kerberos_names_the_spn_and_passes_krb5_conf_to_kinit():
    line = _line(Fleet(1, transport="kerberos", realm="FLEET.WAC.TEST", delegation=True))
    assert line["ansible_user"] == "wac-admin@FLEET.WAC.TEST"
    assert line["ansible_winrm_kerberos_hostname_override"] == "wac-0001.fleet.wac.test"
    assert line["ansible_winrm_kinit_mode"] == "managed" and "ansible_password" in line
    assert (line["ansible_winrm_kerberos_delegation"], line["ansible_winrm_kinit_env_vars"]) == ("true", "KRB5_CONFIG")
    manual = _line(Fleet(1, transport="kerberos", realm="FLEET.WAC.TEST", kinit_mode="manual"))
    assert manual["ansible_winrm_kinit_mode"] == "manual" and "ansible_password" not in manual


def test_psrp_and_ssh_lines():
    psrp = _line(Fleet(1, scheme="https", connection="psrp", transport="kerberos", realm="R", delegation=True))
    assert {k: psrp[k] for k in ("ansible_connection", "ansible_psrp_auth", "ansible_psrp_protocol",
                                 "ansible_psrp_cert_validation", "ansible_psrp_ca_cert",
                                 "ansible_psrp_negotiate_hostname_override", "ansible_psrp_negotiate_delegate")} == {
        "ansible_connection": "psrp", "ansible_psrp_auth": "kerberos", "ansible_psrp_protocol": "https",
        "ansible_psrp_cert_validation": "validate", "ansible_psrp_ca_cert": "/tmp/ca.pem",
        "ansible_psrp_negotiate_hostname_override": "wac-0001.fleet.wac.test",
        "ansible_psrp_negotiate_delegate": "true"}
    files = Files(known_hosts="/tmp/known hosts", ssh_private_key="/tmp/id")
    key = _line(Fleet(1, connection="ssh", transport="key", ssh_port=2222), files)
    assert (key["ansible_port"], key["ansible_shell_type"], key["ansible_ssh_private_key_file"]) == (
        "2222", "powershell", "/tmp/id")
    assert key["ansible_ssh_common_args"] == "-o UserKnownHostsFile=/tmp/known hosts"
    assert "PasswordAuthentication=no" in key["ansible_ssh_extra_args"] and "ansible_password" in key  # REST step
    password = _line(Fleet(1, connection="ssh", transport="password"), files)
    assert "ansible_password" in password and "ansible_ssh_private_key_file" not in password
