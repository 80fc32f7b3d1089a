"""The fleet emulator's WS-Management side against the real pywinrm client, over real loopback sockets."""

from __future__ import annotations

import base64
import time

import pytest
import requests_ntlm.requests_ntlm as requests_ntlm_module
import winrm
import xmltodict
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from tests.emulators.fleet import echo_ops
from tests.emulators.fleet.commandline import STDIN_SCRIPT, decode_command_line

pytestmark = pytest.mark.timeout(60)


def _encode(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def _protocol(host: dict, ca_bundle: str, **options) -> winrm.Protocol:
    options.setdefault("transport", host["transport"])
    options.setdefault("ca_trust_path", ca_bundle)
    return winrm.Protocol(
        f"{host['scheme']}://{host['address']}:{host['port']}/wsman",
        username=options.pop("username", host["user"]),
        password=options.pop("password", host["password"]),
        **options,
    )


def _session(host: dict, ca_bundle: str, **options) -> winrm.Session:
    session = winrm.Session(host["address"], auth=(host["user"], host["password"]), transport=host["transport"])
    session.protocol = _protocol(host, ca_bundle, **options)
    return session


@pytest.fixture(scope="module")
def fleets(wac_fleet_module):
    return {
        (scheme, transport): wac_fleet_module(2, scheme=scheme, transport=transport, script_runner=echo_ops.run_script)
        for scheme, transport in (("http", "ntlm"), ("http", "basic"), ("https", "ntlm"))
    }


@pytest.mark.parametrize("kind", [("http", "ntlm"), ("http", "basic"), ("https", "ntlm")], ids="-".join)
def test_run_ps_reaches_the_router_with_the_decoded_script(fleets, kind):
    fleet = fleets[kind]
    host = fleet.endpoints["hosts"][1]
    before = len(fleet.log(host["name"]))
    session = _session(host, fleet.ca_bundle)

    result = session.run_ps("# wac.fleet operation: script\r\nWrite-Output 'héllo'")

    assert (result.status_code, result.std_err) == (0, b"")
    assert result.std_out.decode("cp437") == "# wac.fleet operation: script\r\nWrite-Output 'héllo'"
    entry = fleet.log(host["name"])[before]
    assert entry["op"] == "script"
    assert entry["rc"] == 0
    assert fleet.pcs[host["name"]].requests["Create"] >= 1
    assert not fleet.log(fleet.endpoints["hosts"][0]["name"])  # the other PC saw nothing


def test_ntlm_over_http_encrypts_every_message(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    shell = protocol.open_shell()
    assert protocol.transport.encryption is not None  # pywinrm negotiated WinRM message encryption
    protocol.close_shell(shell)

    plain = _protocol(host, fleet.ca_bundle, message_encryption="never")
    with pytest.raises(InvalidCredentialsError):  # AllowUnencrypted=false, as on a default Windows host
        plain.open_shell()


def test_ansible_style_command_with_stdin_in_chunks(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    shell = protocol.open_shell(codepage=65001)
    inner = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + _encode(
        "Set-StrictMode -Version Latest\n# wac.fleet operation: echo\n$input | Out-String"
    )
    command = protocol.run_command(
        shell, "PowerShell", ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted",
                              "-EncodedCommand", _encode(inner)],
        console_mode_stdin=False,
    )
    protocol.send_command_input(shell, command, '{"address": "http://proxy.contoso.test:8080", ', end=False)
    protocol.send_command_input(shell, command, '"bypass": ["*.contoso.test"], "name": "ü"}'.encode(), end=True)
    stdout, stderr, rc = protocol.get_command_output(shell, command)
    protocol.cleanup_command(shell, command)
    protocol.close_shell(shell)

    expected = '{"address": "http://proxy.contoso.test:8080", "bypass": ["*.contoso.test"], "name": "ü"}'
    assert (rc, stdout.decode("utf-8"), stderr) == (0, expected, b"")
    entry = fleet.log(host["name"])[-1]
    assert entry["op"] == "echo"
    assert entry["script"].startswith("Set-StrictMode -Version Latest\n# wac.fleet operation: echo")
    assert entry["stdin"] == expected


def test_receive_answers_operation_timeout_which_pywinrm_retries(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle, operation_timeout_sec=1, read_timeout_sec=5)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell", ["-encodedcommand", _encode("# wac.fleet operation: sleep")])
    protocol.send_command_input(shell, command, b"2.5", end=True)

    with pytest.raises(WinRMOperationTimeoutError):  # the raw fault, as Windows sends it after OperationTimeout
        protocol.get_command_output_raw(shell, command)
    stdout, _stderr, rc = protocol.get_command_output(shell, command)  # retries the timeout silently
    protocol.close_shell(shell)
    assert (rc, stdout) == (0, b"slept")


def test_ctrl_c_signal_ends_a_running_command(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle, operation_timeout_sec=1, read_timeout_sec=5)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell", ["-encodedcommand", _encode("# wac.fleet operation: sleep")])
    protocol.send_command_input(shell, command, b"3", end=True)
    message = protocol.build_wsman_header(
        action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal",
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd", shell_id=shell,
    )
    message["env:Body"] = {"rsp:Signal": {"@CommandId": command, "rsp:Code":
                           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"}}
    protocol.send_message(xmltodict.unparse({"env:Envelope": message}))
    _stdout, _stderr, rc, done = protocol.get_command_output_raw(shell, command)
    protocol.close_shell(shell)
    assert done and rc == -1073741510  # STATUS_CONTROL_C_EXIT


def test_soap_faults_look_like_windows(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    shell = protocol.open_shell()
    protocol.close_shell(shell, close_session=False)

    with pytest.raises(WSManFaultError) as caught:
        protocol.run_command(shell, "powershell -encodedcommand " + _encode("# wac.fleet operation: noop"))
    fault = caught.value
    assert fault.code == 500
    assert fault.wsman_fault_code == 2150858843
    assert fault.fault_code == "s:Sender" and fault.fault_subcode == "w:InvalidSelectors"
    assert f"ShellId {shell} failed because the shell was not found" in fault.reason


def test_unknown_operation_is_an_error_not_a_silent_success(fleets):
    fleet = fleets[("https", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    result = _session(host, fleet.ca_bundle).run_ps("# wac.fleet operation: format_disk\r\nFormat-Volume C")
    assert result.status_code == 1
    assert b"unknown operation 'format_disk'" in result.std_err


@pytest.mark.parametrize("kind", [("http", "ntlm"), ("http", "basic"), ("https", "ntlm")], ids="-".join)
def test_wrong_password_is_rejected(fleets, kind):
    fleet = fleets[kind]
    host = fleet.endpoints["hosts"][0]
    with pytest.raises(InvalidCredentialsError):
        _protocol(host, fleet.ca_bundle, password=host["password"] + "x").open_shell()


def test_basic_is_refused_by_an_ntlm_pc(fleets):
    fleet = fleets[("https", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    with pytest.raises(InvalidCredentialsError):
        _protocol(host, fleet.ca_bundle, transport="basic").open_shell()


def test_https_validates_against_the_fleet_ca_only(fleets):
    import requests

    fleet = fleets[("https", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    with pytest.raises(requests.exceptions.SSLError):
        _protocol(host, None).open_shell()  # system CAs only: the emulator's certificate is not trusted


def test_https_ntlm_checks_channel_binding(fleets, monkeypatch):
    fleet = fleets[("https", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    protocol.close_shell(protocol.open_shell())  # the right certificate hash is accepted

    monkeypatch.setattr(requests_ntlm_module.HttpNtlmAuth, "_get_server_cert", lambda self, response: b"\x00" * 32)
    with pytest.raises(InvalidCredentialsError):  # a relayed/intercepted TLS channel: bindings do not match
        _protocol(host, fleet.ca_bundle).open_shell()


def test_command_line_decoding_handles_nesting_and_stdin_scripts():
    script = "Set-StrictMode -Version Latest\r\n# wac.fleet operation: gateway_info\r\n$x = 1"
    once = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + _encode(script)
    twice = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + _encode(once)
    assert decode_command_line(once) == script
    assert decode_command_line(twice) == script
    assert decode_command_line("powershell -encodedcommand " + _encode(script)) == script
    assert decode_command_line("PowerShell -NoProfile -Command -") is STDIN_SCRIPT
    assert decode_command_line("ipconfig /all") == "ipconfig /all"


def test_shell_quota_and_idle_timeout(wac_fleet):
    fleet = wac_fleet(1, script_runner=echo_ops.run_script)
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    # long idle timeouts here, so that a slow (loaded) machine cannot reap a shell before the quota is reached
    shells = [protocol.open_shell(idle_timeout="PT120S") for _i in range(30)]
    with pytest.raises(WSManFaultError) as caught:  # MaxShellsPerUser
        protocol.open_shell()
    assert caught.value.wsman_fault_code == 2150859173
    for shell in shells[1:]:
        protocol.close_shell(shell, close_session=False)

    short = protocol.open_shell(idle_timeout="PT0.5S")
    time.sleep(0.8)
    fresh = protocol.open_shell()  # the idle shell was reaped, as the WinRM service does
    with pytest.raises(WSManFaultError) as caught:
        protocol.close_shell(short, close_session=False)
    assert caught.value.wsman_fault_code == 2150858843
    protocol.close_shell(shells[0], close_session=False)
    protocol.close_shell(fresh)


def test_send_and_receive_faults_for_bad_commands(fleets):
    fleet = fleets[("http", "ntlm")]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(host, fleet.ca_bundle)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "powershell", ["-encodedcommand", _encode("# wac.fleet operation: echo")])
    protocol.send_command_input(shell, command, b"once", end=True)
    with pytest.raises(WSManFaultError) as caught:  # stdin is closed
        protocol.send_command_input(shell, command, b"twice", end=True)
    assert (caught.value.code, caught.value.wsman_fault_code) == (500, 87)
    with pytest.raises(WSManFaultError) as caught:
        protocol.get_command_output(shell, "00000000-0000-0000-0000-000000000000")
    assert caught.value.wsman_fault_code == 87
    assert protocol.get_command_output(shell, command) == (b"once", b"", 0)
    protocol.close_shell(shell)
