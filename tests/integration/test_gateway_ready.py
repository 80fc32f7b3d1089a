"""wac.fleet.gateway_ready (the gateway role's one task per gateway) through ansible-playbook and WinRM against one
PC of each generation: what it writes, restarts and starts, what it sends on a re-run, check mode, bad input."""

from __future__ import annotations

import textwrap

import pytest

from tests.integration.gateway_helpers import log_sizes, models, ops_since, run_playbook

GENERATIONS = ["classic_server", "classic_desktop", "modern"]
PROXY = "http://proxy.contoso.com:3128"


def playbook(proxy: str | None = PROXY, rest_credentials: str = "auto") -> str:
    options = f"proxy: {{address: '{proxy}', bypass_on_local: true}}" if proxy else "timeout: 30"
    return textwrap.dedent(f"""\
        - name: Gateways
          hosts: wac_gateways
          gather_facts: false
          tasks:
            - name: Make the gateway ready
              wac.fleet.gateway_ready:
                {options}
                delay: 0.2
                rest_credentials: {rest_credentials}
        """)


@pytest.fixture(scope="module")
def fleet(wac_fleet_module):
    return wac_fleet_module(len(GENERATIONS), generations=GENERATIONS,
                            model_options={"start_delay": 0.3, "stop_delay": 0.05})


def by_generation(fleet) -> dict[str, str]:
    return {pc.generation: name for name, pc in fleet.pcs.items()}


def test_first_run_writes_the_proxy_and_restarts_where_a_service_can_be(fleet, tmp_path):
    before = log_sizes(fleet)
    run = run_playbook(fleet, playbook(), tmp_path / "first", "--diff")
    assert run.rc == 0, run.stdout[-4000:]
    names = by_generation(fleet)
    for generation, name in names.items():
        result = run.result("Make the gateway ready", name)
        ops = ops_since(fleet, name, before[name])
        assert result["changed"] and result["proxy_changed"], result
        assert models(fleet)[name]["proxy"]["address"] == PROXY
        facts = result["ansible_facts"]["wac_gateway"]  # what later tasks reuse: current, not as first read
        assert facts["proxy"]["address"] == PROXY
        if generation == "classic_desktop":
            assert result["restart"] == "none" and result["restart_required"], result
            assert "desktop mode" in result["warnings"][0]
            assert ops == ["gateway_info", "gateway_proxy_write"]
        else:
            assert result["restart"] == "restarted" and not result["restart_required"], result
            assert ops[:3] == ["gateway_info", "gateway_proxy_write", "gateway_service_control"]
            assert set(ops[3:]) == {"gateway_health"}
            assert result["state"]["https"]["ok"] and not facts["restart_pending"]


@pytest.mark.parametrize(("rest_credentials", "sends"), [("auto", 1), ("session", 0)])
def test_rerun_is_one_command_per_gateway(fleet, tmp_path, rest_credentials, sends):
    before = log_sizes(fleet)
    wsman_before = {name: dict(pc.requests) for name, pc in fleet.pcs.items()}
    run = run_playbook(fleet, playbook(rest_credentials=rest_credentials), tmp_path / f"rerun-{rest_credentials}")
    assert run.rc == 0, run.stdout[-4000:]
    for name, pc in fleet.pcs.items():
        assert not run.result("Make the gateway ready", name)["changed"]
        assert ops_since(fleet, name, before[name]) == ["gateway_info"], name
        # With the connection's credentials for the REST read (an NTLM logon has none of its own) the input goes on
        # stdin, one WS-Management Send; without, it is in the script. The password is never in the command line.
        wsman = {op: count - wsman_before[name].get(op, 0) for op, count in pc.requests.items()}
        assert wsman.get("Send", 0) == sends and wsman["Command"] == 1, wsman
        entry = fleet.log(name)[-1]
        assert pc.password not in entry["script"] and (pc.password in entry["stdin"]) == bool(sends)


def test_check_mode_reports_the_restart_it_would_do_and_changes_nothing(fleet, tmp_path):
    state = models(fleet)
    before = log_sizes(fleet)
    run = run_playbook(fleet, playbook("http://other.contoso.com:8080"), tmp_path / "check", "--check", "--diff")
    assert run.rc == 0, run.stdout[-4000:]
    name = by_generation(fleet)["modern"]
    result = run.result("Make the gateway ready", name)
    assert result["changed"] and result["restart"] == "restarted"
    assert result["diff"]["after"]["address"] == "http://other.contoso.com:8080"
    assert models(fleet) == state
    assert all(ops_since(fleet, n, before[n]) == ["gateway_info"] for n in fleet.pcs)


def test_a_stopped_gateway_is_started_without_touching_its_proxy(fleet, tmp_path):
    name = by_generation(fleet)["classic_server"]
    fleet.pcs[name].model.apply({"services": "Stopped"})
    before = log_sizes(fleet)
    run = run_playbook(fleet, playbook(proxy=None), tmp_path / "start")
    assert run.rc == 0, run.stdout[-4000:]
    result = run.result("Make the gateway ready", name)
    assert result["changed"] and result["restart"] == "started" and not result["proxy_managed"]
    assert set(models(fleet)[name]["services"].values()) == {"Running"}
    assert "gateway_proxy_write" not in ops_since(fleet, name, before[name])
    others = [n for n in fleet.pcs if n != name]
    assert all(not run.result("Make the gateway ready", n)["changed"] for n in others)


@pytest.mark.parametrize(("options", "field"), [
    ("proxy: {state: present}", "address"),
    ("proxy: {address: 'proxy.contoso.com:3128'}", "address"),
    ("proxy: {address: 'http://p.contoso.com:1', password: x}", "proxy.password was given without proxy.username"),
    ("timeout: 0", "timeout"),
])
def test_bad_input_fails_naming_the_field_before_any_command(fleet, tmp_path, options, field):
    before = log_sizes(fleet)
    text = playbook().replace(f"proxy: {{address: '{PROXY}', bypass_on_local: true}}", options)
    run = run_playbook(fleet, text, tmp_path / "bad")
    assert run.rc != 0
    for name in fleet.pcs:
        result = run.result("Make the gateway ready", name)
        assert result["failed"] and field in result["msg"], result
        assert ops_since(fleet, name, before[name]) == [], name
