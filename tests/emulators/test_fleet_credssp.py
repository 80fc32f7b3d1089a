"""CredSSP of the fleet emulator against pywinrm's CredSSP client (requests-credssp), over HTTPS on loopback."""

from __future__ import annotations

import base64

import pytest
import winrm
from requests_credssp.exceptions import AuthenticationException, NTStatusException

from tests.emulators.fleet import echo_ops
from tests.emulators.fleet.fleet import Fleet

pytestmark = pytest.mark.timeout(60)
NOOP = base64.b64encode("# wac.fleet operation: noop".encode("utf-16-le")).decode()


def _protocol(fleet, host: dict, password: str | None = None) -> winrm.Protocol:
    return winrm.Protocol(f"https://{host['address']}:{host['port']}/wsman", transport="credssp",
                          username=host["user"], password=password or host["password"], ca_trust_path=fleet.ca_bundle)


def test_credssp_logon_holds_the_delegated_credentials(wac_fleet):
    fleet = wac_fleet(1, scheme="https", transport="credssp", script_runner=echo_ops.run_script)
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(fleet, host)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "PowerShell", ["-EncodedCommand", NOOP])
    assert protocol.get_command_output(shell, command)[2] == 0
    protocol.close_shell(shell)
    assert fleet.log(host["name"])[-1]["session"] == {"user": host["user"], "auth": "credssp", "delegated": True}

    with pytest.raises(NTStatusException, match="0x8009030c"):  # the inner NTLM fails: SEC_E_LOGON_DENIED
        _protocol(fleet, host, "not-the-password").open_shell()


def test_credssp_is_off_unless_the_pc_enables_it(wac_fleet):
    fleet = wac_fleet(1, scheme="https", transport="ntlm", script_runner=echo_ops.run_script)
    host = fleet.endpoints["hosts"][0]
    with pytest.raises(AuthenticationException, match="CredSSP being an available authentication method"):
        _protocol(fleet, host).open_shell()
    assert fleet.log(host["name"]) == []


def test_credssp_needs_https():
    with pytest.raises(ValueError, match="credssp needs scheme https"):
        Fleet(1, scheme="http", transport="credssp")
