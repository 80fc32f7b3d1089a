"""The script runner: how a shipped script is encoded for the connection, and how its answers are read."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import (
    INLINE_INPUT,
    ScriptError,
    load_script,
    run_script,
    shipped_operations,
)
from tests.emulators.fleet.commandline import decode_command_line


class Connection:
    """Stands in for a connection plugin: exec_command alone (the runner needs nothing else), canned results. The
    real connection plugins are in test_gateway_connections.py."""

    def __init__(self, rc=0, stdout=b"{}", stderr=b""):
        self.answer = (rc, stdout, stderr)
        self.sent = []

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.sent.append((cmd, in_data, sudoable))
        return self.answer


def test_the_command_is_the_encoded_script_and_the_input_goes_on_stdin():
    connection = Connection(stdout=b'progress\r\n{"ok": true}\r\n')
    assert run_script(connection, "gateway_health", {"services": ["a"], "url": "https://localhost:1/"}) == {"ok": True}
    cmd, in_data, sudoable = connection.sent[0]
    assert cmd.startswith("PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ")
    script = decode_command_line(cmd)
    lines = script.splitlines()
    assert lines[0] == "# wac.fleet operation: gateway_health" and lines[1] == "Set-StrictMode -Version Latest"
    assert json.loads(in_data) == {"services": ["a"], "url": "https://localhost:1/"} and sudoable is False
    assert "https://localhost:1/" not in script  # input never spliced into the script


def test_the_reads_constant_input_is_in_the_script_and_nothing_goes_on_stdin():
    data = {"stores": [{"id": "classic", "location": "HKLM:\\SOFTWARE\\O'Brien"}], "services": ["Gateway"]}
    connection = Connection(stdout=b'{"stores": {}}')
    run_script(connection, "gateway_info", data)
    cmd, in_data, _sudoable = connection.sent[0]
    lines = decode_command_line(cmd).splitlines()
    assert in_data is None
    assert lines[0] == "# wac.fleet operation: gateway_info"
    assert lines[2] == "$inputJson = '" + json.dumps(data, separators=(",", ":")).replace("'", "''") + "'"


def test_only_the_read_takes_its_input_in_the_script_and_secrets_stay_on_stdin():
    # the reads' input is what the adapters and the fact table know, nothing from the user
    assert INLINE_INPUT == {"gateway_info", "gateway_doctor"}
    connection = Connection(stdout=b'{"changed": true}')
    run_script(connection, "gateway_proxy_write", {"stores": [], "proxy": {"password": "Pr0xy-S3cret"}})
    cmd, in_data, _sudoable = connection.sent[0]
    assert b"Pr0xy-S3cret" in in_data and "Pr0xy-S3cret" not in decode_command_line(cmd)
    with pytest.raises(ScriptError, match="takes its input on stdin"):
        load_script("gateway_rest", inline_input="{}")


def test_a_read_with_credentials_sends_its_whole_input_on_stdin():
    data = {"stores": [], "services": [], "credentials": {"username": "wac-admin", "password": "R3st-Pa55"}}
    connection = Connection(stdout=b'{"stores": {}}')
    run_script(connection, "gateway_info", data)
    cmd, in_data, _sudoable = connection.sent[0]
    script = decode_command_line(cmd)
    assert json.loads(in_data) == data and "R3st-Pa55" not in script and "$inputJson = " not in script


def test_a_reported_failure_carries_the_scripts_message():
    connection = Connection(rc=1, stdout=b'{"failed": true, "msg": "registry key X not found"}')
    with pytest.raises(ScriptError, match=r"^gateway_info: registry key X not found$"):
        run_script(connection, "gateway_info", {})


def test_a_crash_shows_the_clixml_error_text():
    clixml = (b'#< CLIXML\r\n<Objs Version="1.1.0.1"><S S="Error">Cannot bind argument_x000D__x000A_</S>'
              b'<S S="Error">at line 3</S></Objs>')
    with pytest.raises(ScriptError, match="exit code 1: Cannot bind argument\nat line 3"):
        run_script(Connection(rc=1, stdout=b"", stderr=clixml), "gateway_rest", {})


def test_no_json_answer_is_an_error():
    with pytest.raises(ScriptError, match="returned no JSON object"):
        run_script(Connection(stdout=b"hello"), "gateway_rest", {})


def test_every_shipped_script_loads():
    assert shipped_operations() == ["gateway_doctor", "gateway_health", "gateway_info", "gateway_proxy_write",
                                    "gateway_rest", "gateway_service_control"]
    for operation in shipped_operations():
        text = load_script(operation, inline_input="{}" if operation in INLINE_INPUT else None)
        assert text.startswith(f"# wac.fleet operation: {operation}\n")
