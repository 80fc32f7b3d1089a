"""The fleet emulator's SSH server against the real OpenSSH client (and sshpass), over loopback: password and key
logons, what each logon holds, the host key in the fleet's known_hosts, faults."""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest

from tests.emulators.fleet import echo_ops
from tests.emulators.fleet.ssh import reads_stdin

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(not (shutil.which("ssh") and shutil.which("sshpass")),
                       reason="OpenSSH client and sshpass missing (bash scripts/system-packages.sh)"),
]


def _encoded(script: str) -> str:
    return "PowerShell -NoProfile -NonInteractive -EncodedCommand " + base64.b64encode(
        script.encode("utf-16-le")).decode()


def _ssh(fleet, host: dict, command: str, *, password: str | None = None, key: str | None = None,
         stdin: bytes | None = b"") -> subprocess.CompletedProcess:
    files = fleet.fleet.files
    options = ["-o", f"UserKnownHostsFile={files.known_hosts}", "-o", "StrictHostKeyChecking=yes",
               "-o", "ConnectTimeout=5", "-p", str(host["ssh_port"])]
    if password is not None:
        command_line = ["sshpass", "-p", password, "ssh", "-o", "PubkeyAuthentication=no", *options]
    else:
        command_line = ["ssh", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", key or files.ssh_private_key,
                        *options]
    command_line += [f"{host['user']}@{host['address']}", command]
    return subprocess.run(command_line, input=stdin, capture_output=True, timeout=30, check=False)


@pytest.fixture(scope="module")
def fleets(wac_fleet_module):
    return {auth: wac_fleet_module(2, connection="ssh", transport=auth, script_runner=echo_ops.run_script)
            for auth in ("password", "key")}


@pytest.mark.parametrize(("auth", "delegated"), [("password", True), ("key", False)])
def test_logon_runs_the_decoded_script_with_its_stdin(fleets, auth, delegated):
    fleet = fleets[auth]
    host = fleet.endpoints["hosts"][0]
    done = _ssh(fleet, host, _encoded("# wac.fleet operation: script\n$x = $input | Out-String"),
                password=host["password"] if auth == "password" else None, stdin=b'{"a": 1}')
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "# wac.fleet operation: script\n$x = $input | Out-String"
    entry = fleet.log(host["name"])[-1]
    assert (entry["via"], entry["stdin"]) == ("ssh", '{"a": 1}')
    assert entry["session"] == {"user": host["user"], "auth": f"ssh-{auth}", "delegated": delegated}


def test_wrong_credentials_and_unknown_keys_are_refused(fleets, tmp_path):
    host = fleets["password"].endpoints["hosts"][1]
    refused = _ssh(fleets["password"], host, "# wac.fleet operation: x", password="not-the-password")
    assert refused.returncode == 5 or b"Permission denied" in refused.stderr  # sshpass: 5 = wrong password
    stranger = tmp_path / "id_stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    refused = _ssh(fleets["key"], fleets["key"].endpoints["hosts"][1], "# wac.fleet operation: x", key=str(stranger))
    assert refused.returncode == 255 and b"Permission denied" in refused.stderr
    assert fleets["key"].log("wac-0002") == [] and fleets["password"].log("wac-0002") == []


def test_faults_refuse_and_auth_fail(wac_fleet):
    fleet = wac_fleet(2, connection="ssh", transport="key", script_runner=echo_ops.run_script)
    first, second = fleet.endpoints["hosts"]
    fleet.set_faults(first["name"], auth_fail=True)
    fleet.set_faults(second["name"], refuse=True)
    assert b"Permission denied" in _ssh(fleet, first, "# wac.fleet operation: x").stderr
    assert b"Connection refused" in _ssh(fleet, second, "# wac.fleet operation: x").stderr
    fleet.set_faults(second["name"], refuse=False)
    assert _ssh(fleet, second, _encoded("# wac.fleet operation: script")).returncode == 0


def test_a_command_that_does_not_read_stdin_ends_although_stdin_stays_open(fleets):
    fleet = fleets["key"]
    host = fleet.endpoints["hosts"][0]
    files = fleet.fleet.files
    # Ansible's ssh connection runs commands without data with stdin on a pty it keeps open until ssh exits.
    process = subprocess.Popen(["ssh", "-o", "BatchMode=yes", "-i", files.ssh_private_key, "-o",
                                f"UserKnownHostsFile={files.known_hosts}", "-p", str(host["ssh_port"]),
                                f"{host['user']}@{host['address']}", "# wac.fleet operation: noop"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        process.communicate()
    assert reads_stdin(_encoded("$data = $input | Out-String")) and reads_stdin("PowerShell -Command -")
    inline = "# wac.fleet operation: gateway_info\n$inputJson = '{}'\nif (-not $inputJson) { $in = $input }"
    assert not reads_stdin(_encoded(inline))
