"""The fleet emulator's PowerShell Remoting endpoint against pypsrp, driven the way Ansible's psrp connection drives it
(a runspace pool with a host, one pipeline per command, the script with its input lines, the last pipeline stopped
before the next)."""

from __future__ import annotations

import pytest
from pypsrp.exceptions import WSManFaultError
from pypsrp.host import PSHost, PSHostUserInterface
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.shell import WinRS
from pypsrp.wsman import WSMan

from tests.emulators.fleet.psrp import pipeline_output

pytestmark = pytest.mark.timeout(60)


def runner(pc, script: str, stdin: str, session) -> tuple[int, str, str]:
    """Echo what arrived, so the test sees what the PC would run; 'fail' in the script fails it."""
    if "fail" in script:
        return 3, "", "it failed\r\n"
    return 0, f"script={script.splitlines()[0]}\r\nstdin={stdin!r}\r\n", ""


@pytest.fixture(scope="module")
def fleets(wac_fleet_module):
    return {scheme: wac_fleet_module(1, scheme=scheme, connection="psrp", script_runner=runner)
            for scheme in ("http", "https")}


def _wsman(fleet, host: dict, auth: str = "ntlm") -> WSMan:
    https = host["scheme"] == "https"
    return WSMan(host["address"], port=host["port"], username=host["user"], password=host["password"], ssl=https,
                 auth=auth, cert_validation=fleet.ca_bundle if https else False)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_pipelines_run_scripts_with_their_input_and_exit_codes(fleets, scheme):
    fleet = fleets[scheme]
    host = fleet.endpoints["hosts"][0]
    ui = PSHostUserInterface()
    ps_host = PSHost(None, None, False, "Ansible PSRP Host", None, ui, None)
    with RunspacePool(_wsman(fleet, host), host=ps_host) as pool:
        first = PowerShell(pool)
        first.add_script("# wac.fleet operation: one\nSet-StrictMode -Version Latest", use_local_scope=True)
        first.invoke(input=['{"a":1}', "two"])
        assert first.output == ["script=# wac.fleet operation: one", "stdin='{\"a\":1}\\r\\ntwo\\r\\n'"]
        assert ps_host.rc is None and not first.streams.error

        first.state = 2  # RUNNING: what Ansible sets before stopping the last pipeline of a connection
        first.stop()
        failing = PowerShell(pool)
        failing.add_script("# wac.fleet operation: fail", use_local_scope=True)
        failing.invoke()
        assert failing.output == []
        assert ps_host.rc == 3  # exit 3 reaches the client host through SetShouldExit
        assert [str(error) for error in failing.streams.error] == ["it failed"]
        if scheme == "http":
            assert pool.connection.transport.encryption is not None  # NTLM message encryption over HTTP

    entries = fleet.log(host["name"])[-2:]
    assert [(e["via"], e["op"], e["session"]["auth"]) for e in entries] == [
        ("psrp", "one", "ntlm"), ("psrp", "fail", "ntlm")]


def test_negotiate_without_kerberos_is_ntlm_inside_spnego(fleets):
    """Ansible's psrp default (ansible_psrp_auth=negotiate) against a PC outside any realm: pyspnego wraps NTLM in
    SPNEGO, which a Windows PC accepts as Negotiate."""
    fleet = fleets["http"]
    host = fleet.endpoints["hosts"][0]
    with RunspacePool(_wsman(fleet, host, "negotiate")) as pool:
        shell = PowerShell(pool)
        shell.add_script("# wac.fleet operation: spnego", use_local_scope=True)
        shell.invoke()
        assert shell.output == ["script=# wac.fleet operation: spnego", "stdin=''"]
    assert fleet.log(host["name"])[-1]["session"] == {"user": host["user"], "auth": "ntlm", "delegated": False}


def test_console_output_does_not_reach_a_psrp_client():
    script = "# wac.fleet operation: x\n# [Console]::Out.WriteLine is lost\nWrite-Output $result"
    assert pipeline_output(script, "{}\r\n") == ["{}"]
    assert pipeline_output("[Console]::Out.WriteLine($json)\nexit 0", "{}\r\n") == []
    assert pipeline_output("[System.Console]::WriteLine($json)", "{}\r\n") == []


def test_an_unknown_runspace_pool_is_a_fault(fleets):
    fleet = fleets["http"]
    host = fleet.endpoints["hosts"][0]
    shell = WinRS(_wsman(fleet, host), "http://schemas.microsoft.com/powershell/Microsoft.PowerShell",
                  id="7C7E5A10-0000-4000-8000-000000000001")
    shell.opened = True
    shell._selector_set = None  # no selector: the client never created a pool
    with pytest.raises(WSManFaultError) as fault:
        shell.receive("stdout")
    assert fault.value.code == 2150858843  # the shell was not found
