"""Per-PC fault injection and the control API of the fleet emulator, seen by real clients."""

from __future__ import annotations

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError

from tests.emulators.fleet import echo_ops

pytestmark = pytest.mark.timeout(60)


def _open_and_close(host: dict, ca_bundle: str, **options) -> None:
    protocol = winrm.Protocol(
        f"{host['scheme']}://{host['address']}:{host['port']}/wsman",
        transport=host["transport"], username=host["user"], password=host["password"], ca_trust_path=ca_bundle,
        **options,
    )
    protocol.close_shell(protocol.open_shell())


class FakeModel:
    """Stands in for the gateway model (written elsewhere): records what the control API hands to it."""

    def __init__(self, pc):
        self.faults: dict = {}
        self.state = {"generation": pc.generation, "proxy": None}

    def apply(self, changes: dict) -> None:
        unknown = set(changes) - set(self.state)
        if unknown:
            raise KeyError(f"unknown keys {sorted(unknown)}")
        self.state.update(changes)

    def to_dict(self) -> dict:
        return dict(self.state)


@pytest.fixture
def fleet(wac_fleet):
    return wac_fleet(3, script_runner=echo_ops.run_script, model_factory=FakeModel)


def test_refused_pc_fails_alone_and_comes_back(fleet):
    one, two, three = fleet.endpoints["hosts"]
    _open_and_close(two, fleet.ca_bundle)  # leaves nothing behind

    fleet.set_faults(two["name"], refuse=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        _open_and_close(two, fleet.ca_bundle)
    _open_and_close(one, fleet.ca_bundle)
    _open_and_close(three, fleet.ca_bundle)

    fleet.set_faults(two["name"], refuse=False)
    _open_and_close(two, fleet.ca_bundle)


def test_refuse_drops_an_open_keep_alive_connection(fleet):
    host = fleet.endpoints["hosts"][0]
    protocol = winrm.Protocol(
        f"http://{host['address']}:{host['port']}/wsman", transport="ntlm", username=host["user"],
        password=host["password"], ca_trust_path=fleet.ca_bundle,
    )
    shell = protocol.open_shell()
    fleet.set_faults(host["name"], refuse=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol.close_shell(shell)


def test_slow_pc_times_out_alone(fleet):
    one, two, _three = fleet.endpoints["hosts"]
    fleet.set_faults(one["name"], delay=3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _open_and_close(one, fleet.ca_bundle, operation_timeout_sec=1, read_timeout_sec=2)
    _open_and_close(two, fleet.ca_bundle, operation_timeout_sec=1, read_timeout_sec=2)


def test_slow_pc_still_answers_within_a_longer_timeout(fleet):
    host = fleet.endpoints["hosts"][2]
    fleet.set_faults(host["name"], delay=0.3)
    _open_and_close(host, fleet.ca_bundle)


def test_auth_failure_shows_on_that_pc_only(fleet):
    one, two, three = fleet.endpoints["hosts"]
    fleet.set_faults(three["name"], auth_fail=True)
    with pytest.raises(InvalidCredentialsError):
        _open_and_close(three, fleet.ca_bundle)
    _open_and_close(one, fleet.ca_bundle)
    _open_and_close(two, fleet.ca_bundle)


def test_model_level_faults_are_stored_and_forwarded(fleet):
    name = fleet.endpoints["hosts"][0]["name"]
    pc = fleet.pcs[name]
    fleet.set_faults(name, service_never_starts=True, script_fail="gateway_proxy_set")
    assert pc.faults["service_never_starts"] is True
    assert pc.model.faults == {"service_never_starts": True, "script_fail": "gateway_proxy_set"}
    fleet.set_faults(name, script_fail=None)
    assert pc.model.faults["script_fail"] is None


def test_control_api(fleet):
    url = fleet.control_url
    one, two, _three = fleet.endpoints["hosts"]
    _open_and_close(one, fleet.ca_bundle)
    winrm.Session(f"http://{one['address']}:{one['port']}/wsman", auth=(one["user"], one["password"]),
                  transport="ntlm", ca_trust_path=fleet.ca_bundle).run_ps("# wac.fleet operation: echo")

    hosts = requests.get(f"{url}/hosts", timeout=5).json()
    assert [h["name"] for h in hosts] == [h["name"] for h in fleet.endpoints["hosts"]]
    assert hosts[0]["faults"]["refuse"] is False

    detail = requests.get(f"{url}/hosts/{one['name']}", timeout=5).json()
    assert detail["wsman_requests"]["Create"] == 2
    assert detail["scripts"] == 1
    assert detail["model"] == {"generation": one["generation"], "proxy": None}

    changed = requests.post(f"{url}/hosts/{two['name']}/faults", json={"refuse": True}, timeout=5)
    assert changed.status_code == 200 and changed.json()["refuse"] is True
    with pytest.raises(requests.exceptions.ConnectionError):
        _open_and_close(two, fleet.ca_bundle)

    state = requests.post(f"{url}/hosts/{one['name']}/state", json={"proxy": "http://drift:3128"}, timeout=5)
    assert state.status_code == 200
    assert fleet.pcs[one["name"]].model.to_dict()["proxy"] == "http://drift:3128"

    log = requests.get(f"{url}/log", params={"host": one["name"]}, timeout=5).json()
    assert [entry["op"] for entry in log] == ["echo"]
    assert set(requests.get(f"{url}/log", timeout=5).json()) == set(fleet.pcs)

    assert requests.post(f"{url}/reset", timeout=5).status_code == 200
    assert fleet.log(one["name"]) == []
    assert fleet.pcs[one["name"]].model.to_dict()["proxy"] is None
    _open_and_close(two, fleet.ca_bundle)  # listening again


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/hosts/wac-0001/faults", {"explode": True}, 400),
        ("/hosts/wac-0001/faults", {"delay": -1}, 400),
        ("/hosts/wac-0001/faults", {"refuse": "yes"}, 400),
        ("/hosts/wac-0001/faults", [1, 2], 400),
        ("/hosts/nope/faults", {"refuse": True}, 404),
        ("/hosts/wac-0001/state", {"no_such_setting": 1}, 400),
    ],
)
def test_control_api_rejects_bad_input(fleet, path, body, status):
    response = requests.post(f"{fleet.control_url}{path}", json=body, timeout=5)
    assert response.status_code == status
    assert "error" in response.json()
    assert fleet.pcs["wac-0001"].faults["refuse"] is False
