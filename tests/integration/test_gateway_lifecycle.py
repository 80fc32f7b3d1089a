"""Real ansible-playbook runs (winrm connection, NTLM with message encryption over HTTP) against a fleet of all three
gateway generations: first run, idempotent re-runs, check mode, drift, unregister. The tests of this module run in
order on one fleet; each checks the state the previous one left."""

from __future__ import annotations

import pytest

from tests.integration.gateway_helpers import (
    APP,
    APP_OBJECT,
    PROXY_PASSWORD,
    SITE,
    TENANT,
    UNREGISTER,
    comparable,
    log_sizes,
    models,
    ops_since,
    run_playbook,
)

GENERATIONS = ["classic_server", "classic_desktop", "modern"] * 2
COMMANDS: dict = {}  # WinRM commands per PC, per run (printed; run pytest with -s to see them)


@pytest.fixture(scope="module")
def fleet(wac_fleet_module):
    return wac_fleet_module(len(GENERATIONS), generations=GENERATIONS,
                            model_options={"start_delay": 0.4, "stop_delay": 0.05})


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("gateway-lifecycle")


def generation_of(fleet, name):
    return fleet.pcs[name].generation


def test_first_run_sets_proxy_restarts_and_registers(fleet, workdir):
    before = log_sizes(fleet)
    run = run_playbook(fleet, SITE, workdir / "first", "--diff")
    assert run.rc == 0, run.stdout[-4000:]
    assert PROXY_PASSWORD not in run.stdout + run.stderr
    for name, state in models(fleet).items():
        generation = generation_of(fleet, name)
        modern = generation == "modern"  # proxy credentials go to v2 gateways only
        bypass = ["contoso.com", "*.contoso.com"] + ([state["fqdn"]] if modern else [])  # + ServiceFqdn on v2
        assert state["proxy"] == {"address": "http://proxy.contoso.com:3128", "bypass_on_local": True,
                                  "bypass_list": bypass, "credentials_set": modern, "credentials_readable": True,
                                  "username": "CONTOSO\\wac-proxy" if modern else None}
        assert fleet.pcs[name].model.proxy_password() == (PROXY_PASSWORD if modern else None)
        redirect = "https://localhost:6516" if generation == "classic_desktop" else f"https://{state['fqdn']}"
        assert state["registration"] == {"cloud": "Azure Global", "tenant_id": TENANT, "app_id": APP,
                                         "app_object_id": APP_OBJECT, "redirect_uri": redirect}
        assert state["listening"]
        proxy = run.result("Set the proxy", name)
        assert proxy["changed"] and proxy["diff"]["after"]["credentials_set"] is modern
        assert "password" not in str(proxy["diff"]).lower()
        ops = ops_since(fleet, name, before[name])
        if generation == "classic_desktop":
            assert not proxy["restarted"] and proxy["restart_required"]
            assert ops == ["gateway_info", "gateway_proxy_write", "gateway_rest"]
        else:
            assert proxy["restarted"] and proxy["state"]["https"]["ok"] and not proxy["restart_required"]
            assert state["service_starts"] == 1  # the one service a restart restarts (v2: Restart-WACService)
            assert {s for n, s in state["services"].items() if n != "WindowsAdminCenterAccountManagement"} == \
                {"Running"}
            assert ops[:3] == ["gateway_info", "gateway_proxy_write", "gateway_service_control"]
            assert ops[-1] == "gateway_rest" and set(ops[3:-1]) == {"gateway_health"}
        COMMANDS.setdefault("first run", {})[f"{name} ({generation})"] = len(ops)
        assert run.result("Register the gateway", name)["changed"]
        assert run.changed(name) == 2
    print(f"WinRM commands per PC, first run: {COMMANDS['first run']}")


def test_rerun_changes_nothing_and_restarts_nothing(fleet, workdir):
    before, states = log_sizes(fleet), models(fleet)
    run = run_playbook(fleet, SITE, workdir / "rerun")
    assert run.rc == 0, run.stdout[-4000:]
    after = models(fleet)
    for name in fleet.pcs:
        assert run.changed(name) == 0
        assert comparable(after[name]) == comparable(states[name])  # no restart: service_starts unchanged
        assert ops_since(fleet, name, before[name]) == ["gateway_info"]
        COMMANDS.setdefault("re-run", {})[f"{name} ({generation_of(fleet, name)})"] = 1
    print(f"WinRM commands per PC, re-run: {COMMANDS['re-run']}")


def test_rerun_with_update_password_always_compares_on_the_pc(fleet, workdir):
    before = log_sizes(fleet)
    run = run_playbook(fleet, SITE, workdir / "always", "-e", "update_password=always")
    assert run.rc == 0, run.stdout[-4000:]
    for name in fleet.pcs:
        assert run.changed(name) == 0
        compared = ["gateway_proxy_write"] if generation_of(fleet, name) == "modern" else []  # v2 holds credentials
        assert ops_since(fleet, name, before[name]) == ["gateway_info", *compared]


def test_check_mode_reports_drift_and_changes_nothing(fleet, workdir):
    fleet.pcs["wac-0001"].model.apply({"proxy": {"address": "http://rogue.example.net:8080"}})
    fleet.pcs["wac-0002"].model.apply({"registration": {"tenant_id": TENANT, "app_id": APP_OBJECT}})
    fleet.pcs["wac-0003"].model.apply({"proxy": None, "registration": None})
    states = models(fleet)
    before = log_sizes(fleet)
    run = run_playbook(fleet, SITE, workdir / "check", "--check", "--diff")
    assert run.rc == 0, run.stdout[-4000:]
    assert {name: comparable(s) for name, s in models(fleet).items()} == \
        {name: comparable(s) for name, s in states.items()}
    assert run.result("Set the proxy", "wac-0001")["diff"]["before"]["address"] == "http://rogue.example.net:8080"
    assert run.result("Register the gateway", "wac-0002")["diff"]["before"]["app_id"] == APP_OBJECT
    assert run.changed("wac-0001") == 1 and run.changed("wac-0002") == 1 and run.changed("wac-0003") == 2
    assert run.changed("wac-0004") == 0
    for name in fleet.pcs:  # check mode only reads
        assert set(ops_since(fleet, name, before[name])) == {"gateway_info"}


def test_drift_is_corrected_and_reported(fleet, workdir):
    run = run_playbook(fleet, SITE, workdir / "fix")
    assert run.rc == 0, run.stdout[-4000:]
    assert run.changed("wac-0001") == 1 and run.result("Set the proxy", "wac-0001")["restarted"]
    assert run.changed("wac-0002") == 1 and run.result("Register the gateway", "wac-0002")["changed"]
    assert run.changed("wac-0003") == 2
    assert run.changed("wac-0004") == 0
    for state in models(fleet).values():
        assert state["proxy"]["address"] == "http://proxy.contoso.com:3128"
        assert state["registration"]["app_id"] == APP and state["registration"]["tenant_id"] == TENANT


SERVICE = """\
- hosts: wac_gateways:!wac-0002:!wac-0005
  gather_facts: false
  tasks:
    - name: Read the gateway
      wac.fleet.gateway_info:
    - name: Stop
      wac.fleet.gateway_service: {state: stopped, gateway_facts: "{{ ansible_facts.wac_gateway }}"}
    - name: Stop again
      wac.fleet.gateway_service: {state: stopped, gateway_facts: "{{ ansible_facts.wac_gateway }}"}
    - name: Register while stopped
      wac.fleet.gateway_registration:
        state: absent
        gateway_facts: "{{ ansible_facts.wac_gateway }}"
      ignore_errors: true
    - name: Read while stopped
      wac.fleet.gateway_info:
      register: stopped_info
    - name: Start
      wac.fleet.gateway_service:
        {state: started, delay: 0.1, timeout: 20, gateway_facts: "{{ ansible_facts.wac_gateway }}"}
    - name: Register with facts read while stopped
      wac.fleet.gateway_registration:
        tenant_id: "{{ tenant }}"
        app_id: "{{ app }}"
        app_object_id: "{{ app_object }}"
        gateway_facts: "{{ stopped_info.gateway }}"
    - name: Start again
      wac.fleet.gateway_service: {state: started, delay: 0.1, gateway_facts: "{{ ansible_facts.wac_gateway }}"}
    - name: Restart
      wac.fleet.gateway_service:
        {state: restarted, delay: 0.1, timeout: 20, gateway_facts: "{{ ansible_facts.wac_gateway }}"}
"""


def test_service_stop_start_restart_and_wait(fleet, workdir):
    starts = {name: state["service_starts"] for name, state in models(fleet).items()}
    ids = f"tenant={TENANT} app={APP} app_object={APP_OBJECT}"
    run = run_playbook(fleet, SERVICE, workdir / "service", "-e", ids)
    assert run.rc == 0, run.stdout[-4000:]
    for name, state in models(fleet).items():
        if generation_of(fleet, name) == "classic_desktop":
            continue
        assert run.result("Stop", name)["changed"] and not run.result("Stop again", name)["changed"]
        assert not run.result("Stop", name)["healthy"]
        stopped = run.result("Register while stopped", name)
        assert stopped["failed"] and "could not reach the gateway on localhost:" in stopped["msg"]
        assert "Unable to connect to the remote server; is the gateway running?" in stopped["msg"]
        started = run.result("Start", name)
        assert started["changed"] and started["healthy"] and started["state"]["https"]["status"] == 200
        assert not run.result("Start again", name)["changed"]
        assert run.result("Read while stopped", name)["registration"]["readable"] is False
        assert not run.result("Register with facts read while stopped", name)["changed"]  # read again, same
        assert run.result("Restart", name)["changed"] and run.result("Restart", name)["healthy"]
        assert state["service_starts"] == starts[name] + 2  # one service restarted per generation
        assert state["listening"] and state["registration"] is not None


def test_unregister_keeps_the_proxy(fleet, workdir):
    run = run_playbook(fleet, UNREGISTER, workdir / "unregister")
    assert run.rc == 0, run.stdout[-4000:]
    for name, state in models(fleet).items():
        assert state["registration"] is None and state["proxy"] is not None
        assert run.changed(name) == 1
    again = run_playbook(fleet, UNREGISTER, workdir / "unregister-again")
    assert all(again.changed(name) == 0 for name in fleet.pcs)
