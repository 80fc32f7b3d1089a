"""The fleet emulator as a process: ``python -m tests.emulators.fleet`` (files, control API, SIGTERM, 1,000 PCs)."""

from __future__ import annotations

import asyncio
import configparser
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
import requests
import winrm

from tests.emulators.fleet.fixture import allocate_base_address

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


class Cli:
    def __init__(self, tmp_path: Path, count: int, *options: str) -> None:
        self.endpoints_file = tmp_path / "fleet.json"
        self.inventory = tmp_path / "fleet.ini"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.emulators.fleet", "--count", str(count),
             "--base-address", allocate_base_address(count), "--endpoints-file", str(self.endpoints_file),
             "--inventory", str(self.inventory), *options],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def wait_ready(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while not self.endpoints_file.exists():
            if self.process.poll() is not None:
                raise AssertionError(f"the emulator exited: {self.process.communicate()[0]}")
            if time.monotonic() > deadline:
                raise AssertionError("the emulator wrote no endpoints file in time")
            time.sleep(0.05)
        return json.loads(self.endpoints_file.read_text())

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(15)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def cli(tmp_path):
    started: list[Cli] = []

    def start(count: int, *options: str) -> Cli:
        started.append(Cli(tmp_path, count, *options))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait(10)


def test_cli_writes_files_serves_and_stops_on_sigterm(cli):
    fleet = cli(3, "--scheme", "https", "--generations", "modern,classic_desktop", "--seed", "7")
    endpoints = fleet.wait_ready()

    assert set(endpoints) == {"ca_bundle", "control_url", "hosts"}
    assert Path(endpoints["ca_bundle"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    hosts = endpoints["hosts"]
    assert [h["name"] for h in hosts] == ["wac-0001", "wac-0002", "wac-0003"]
    assert [h["generation"] for h in hosts] == ["modern", "classic_desktop", "modern"]
    for host in hosts:
        assert set(host) == {"name", "address", "port", "scheme", "transport", "connection", "realm", "ssh_port",
                             "user", "password", "generation"}
        assert (host["port"], host["scheme"], host["transport"]) == (5986, "https", "ntlm")
        assert (host["connection"], host["realm"], host["ssh_port"]) == ("winrm", None, None)
        assert host["address"].startswith("127.")

    inventory = configparser.ConfigParser(allow_no_value=True, delimiters=(" ",))
    inventory.read_string(fleet.inventory.read_text())
    # every PC in wac_gateways, and each in the group of its generation
    assert inventory.sections()[0] == "wac_gateways"
    generations = ("classic_server", "classic_desktop", "modern")
    assert set(inventory.sections()[1:]) <= {f"wac_gateways_{g}" for g in generations}
    line = dict(item.split("=", 1) for item in fleet.inventory.read_text().splitlines()[1].split()[1:])
    assert line == {
        "ansible_host": hosts[0]["address"], "ansible_port": "5986", "ansible_user": hosts[0]["user"],
        "ansible_password": hosts[0]["password"], "ansible_connection": "winrm", "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": "https", "ansible_winrm_server_cert_validation": "validate",
        "ansible_winrm_ca_trust_path": endpoints["ca_bundle"],
    }

    for host in hosts:
        protocol = winrm.Protocol(f"https://{host['address']}:5986/wsman", transport="ntlm", username=host["user"],
                                  password=host["password"], ca_trust_path=endpoints["ca_bundle"])
        protocol.close_shell(protocol.open_shell())
    detail = requests.get(f"{endpoints['control_url']}/hosts/wac-0002", timeout=5).json()
    assert detail["wsman_requests"] == {"Create": 1, "Delete": 1}

    # The CLI routes scripts to the gateway side (ops.py); its contract: 'noop' is rc 0 with no output.
    session = winrm.Session(f"https://{hosts[0]['address']}:5986/wsman", auth=(hosts[0]["user"], hosts[0]["password"]),
                            transport="ntlm", ca_trust_path=endpoints["ca_bundle"])
    noop = session.run_ps("# wac.fleet operation: noop")
    assert (noop.status_code, noop.std_out, noop.std_err) == (0, b"", b"")
    log = requests.get(f"{endpoints['control_url']}/log", params={"host": "wac-0001"}, timeout=5).json()
    assert [entry["op"] for entry in log] == ["noop"]

    assert fleet.terminate() == 0


def test_cli_refuses_a_bad_base_address(cli):
    fleet = cli(2, "--base-address", "10.0.0.1")
    assert fleet.process.wait(30) != 0
    assert "not in 127.0.0.0/8" in fleet.process.communicate()[0]


async def _one_request_per_pc(hosts: list[dict]) -> list[tuple[int, str]]:
    connector = aiohttp.TCPConnector(limit=200, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def probe(host: dict) -> tuple[int, str]:
            async with session.post(f"http://{host['address']}:{host['port']}/wsman", data=b"") as reply:
                return reply.status, reply.headers.get("WWW-Authenticate", "")

        return await asyncio.gather(*(probe(host) for host in hosts))


def test_a_thousand_pcs_in_one_process(cli):
    started = time.monotonic()
    fleet = cli(1000)
    hosts = fleet.wait_ready()["hosts"]
    startup = time.monotonic() - started
    assert len({h["address"] for h in hosts}) == 1000
    assert not any(h["address"].endswith((".0", ".255")) for h in hosts)

    started = time.monotonic()
    answers = asyncio.run(_one_request_per_pc(hosts))
    requests_seconds = time.monotonic() - started
    rss = fleet.rss_mb()

    assert answers == [(401, "Negotiate")] * 1000  # every PC listens and asks for NTLM
    assert rss < 300, f"RSS {rss:.0f} MB"
    print(f"1000 PCs: ready in {startup:.1f}s, one request each in {requests_seconds:.1f}s, RSS {rss:.0f} MB")
    assert fleet.terminate() == 0


def test_cli_replays_a_gateway_doctor_report(cli, tmp_path):
    from tests.emulators.test_fleet_gateway_doctor import model, report_of

    report = report_of(model("modern", port=6600, login_mode="FormLogin"))
    path = tmp_path / "doctor.json"
    path.write_text(json.dumps(report))
    fleet = cli(2, "--from-doctor", str(path), "--generations", "classic_server")
    hosts = fleet.wait_ready()["hosts"]
    assert [h["generation"] for h in hosts] == ["modern", "classic_server"]
    assert "[wac_gateways_modern]\nwac-0001" in fleet.inventory.read_text()
    endpoints = json.loads(fleet.endpoints_file.read_text())
    replayed = requests.get(f"{endpoints['control_url']}/hosts/wac-0001", timeout=5).json()["model"]
    assert (replayed["port"], replayed["login_mode"]) == (6600, "FormLogin")
    assert replayed["fqdn"] == "wac-0001.fleet.wac.test"
    assert replayed["start_types"] == {"WindowsAdminCenter": "Automatic",
                                       "WindowsAdminCenterAccountManagement": "Manual"}
    fresh = requests.get(f"{endpoints['control_url']}/hosts/wac-0002", timeout=5).json()["model"]
    assert (fresh["generation"], fresh["port"]) == ("classic_server", 443)
    assert fleet.terminate() == 0


def test_cli_refuses_a_file_that_is_not_a_doctor_report(cli, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"schema": "something/else"}))
    fleet = cli(1, "--from-doctor", str(path))
    assert fleet.process.wait(30) != 0
    assert "is not a gateway doctor report" in fleet.process.communicate()[0]
