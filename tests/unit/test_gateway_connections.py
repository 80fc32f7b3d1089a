"""The gateway scripts through the real connection plugins of the installed ansible-core: winrm, psrp and ssh (with
the powershell shell) each take the command line the runner builds as an encoded PowerShell script and deliver the
script, its marker line first, with its standard input. Only each plugin's last step, the send over the network, is
replaced: it reads what would go on the wire as the fleet emulator does (tests/emulators/fleet/commandline.py and
ops.py) and answers. scripts/matrix.sh runs this on every ansible-core release of the matrix; the winrm path also
runs end to end against the fleet emulator in the integration tests. The run is at verbosity 3, where the plugins
log the commands they run."""

from __future__ import annotations

import json

import pytest
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader, shell_loader
from ansible.utils.display import Display

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import run_script, script_and_input
from tests.emulators.fleet.commandline import STDIN_SCRIPT, decode_command_line
from tests.emulators.fleet.ops import find_operation, script_input

STDIN_OPERATION = ("gateway_health", {"services": ["ServerManagementGateway"], "url": "https://localhost:6516/"})
INLINE_OPERATION = ("gateway_info", {"stores": [{"id": "classic", "location": "HKLM:\\SOFTWARE\\O'Brien"}]})
ANSWER = {"answered": True}


class Wire:
    """What a plugin would have sent, read back as the emulator reads it."""

    def __init__(self):
        self.received = []

    def take(self, script, stdin):
        assert script is not STDIN_SCRIPT and isinstance(script, str), script
        self.received.append({"operation": find_operation(script), "script": script,
                              "input": json.loads(script_input(script, stdin))})
        return 0, json.dumps(ANSWER).encode(), b""


class WinrmAnswer(tuple):
    """The result of winrm's _winrm_exec: a tuple from 2.19 on, a response object with attributes before."""

    def __new__(cls, rc, stdout, stderr):
        answer = super().__new__(cls, (rc, stdout, stderr))
        answer.status_code, answer.std_out, answer.std_err = rc, stdout, stderr
        return answer


def plugin(name):
    connection = connection_loader.get(name, PlayContext(), shell=shell_loader.get("powershell"))
    connection.set_options(var_options={"ansible_host": "127.0.0.1", "ansible_user": "wac-admin",
                                        "ansible_password": "not-sent", "ansible_shell_type": "powershell"})
    connection._connected = True  # no network: the send below stands in for it
    return connection


def over_winrm(wire):
    connection = plugin("winrm")

    def send(command, args=(), from_exec=False, stdin_iterator=None):
        stdin = b"".join(chunk for chunk, _last in stdin_iterator) if stdin_iterator else b""
        rc, stdout, stderr = wire.take(decode_command_line(" ".join([command, *args])), stdin.decode())
        return WinrmAnswer(rc, stdout, stderr)

    connection._winrm_exec = send
    return connection


def over_psrp(wire):
    connection = plugin("psrp")
    connection._psrp_host = "127.0.0.1"

    def send(script, input_data=None, *_args, **_kwargs):
        if isinstance(input_data, list):  # 2.21 passes the lines of standard input
            input_data = "\n".join(input_data)
        return wire.take(script, input_data or "")

    connection._exec_psrp_script = send
    return connection


def over_ssh(wire):
    connection = plugin("ssh")

    def send(cmd, in_data, sudoable=True, checkrc=True):
        remote = cmd[-1].decode() if isinstance(cmd[-1], bytes) else cmd[-1]
        # 2.16 to 2.20 put "chcp.com 65001 > $null ;" first and wrap the command in one more encoded PowerShell
        remote = remote[remote.index("PowerShell "):]
        return wire.take(decode_command_line(remote), (in_data or b"").decode())

    connection._run = send
    return connection


@pytest.fixture(autouse=True)
def verbose():
    before = Display().verbosity
    Display().verbosity = 3
    yield
    Display().verbosity = before


@pytest.mark.parametrize("connect", [over_winrm, over_psrp, over_ssh], ids=["winrm", "psrp", "ssh"])
@pytest.mark.parametrize(("operation", "data"), [STDIN_OPERATION, INLINE_OPERATION], ids=["stdin", "inline"])
def test_each_connection_delivers_the_script_marker_first_and_its_input(connect, operation, data):
    wire = Wire()
    assert run_script(connect(wire), operation, data) == ANSWER
    [received] = wire.received
    assert received["operation"] == operation
    assert received["input"] == data
    lines = received["script"].splitlines()
    assert lines[0] == f"# wac.fleet operation: {operation}"
    assert lines[1] == "Set-StrictMode -Version Latest"
    script, _stdin = script_and_input(operation, data)
    sent_body = [line.strip() for line in script.splitlines()[1:] if line.strip()]
    assert lines[2:] == sent_body


def test_no_shell_plugin_internals_are_needed():
    class Bare:
        """A connection with nothing but exec_command: no _shell, no private attribute."""

        def __init__(self):
            self.wire = Wire()

        def exec_command(self, cmd, in_data=None, sudoable=True):
            return self.wire.take(decode_command_line(cmd), (in_data or b"").decode())

    connection = Bare()
    assert run_script(connection, *STDIN_OPERATION) == ANSWER
    assert connection.wire.received[0]["operation"] == "gateway_health"
