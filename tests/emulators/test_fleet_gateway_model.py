"""The WAC gateway state model and the script router, in process (no WinRM): what each script does to a PC."""

from __future__ import annotations

import json
import types

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_adapters as adapters
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import script_and_input
from tests.emulators.fleet import ops
from tests.emulators.fleet.gateway_model import (
    APPSETTINGS,
    CLASSIC_KEY,
    GENERATIONS,
    START_PENDING,
    STOP_PENDING,
    STOPPED,
    GatewayModel,
)

TENANT = "11111111-2222-3333-4444-555555555555"
APP = "66666666-7777-8888-9999-000000000000"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_pc(generation: str, **options):
    clock = Clock()
    model = GatewayModel(generation, "pc1", "PC1.fleet.wac.test", clock=clock, **options)
    pc = types.SimpleNamespace(name="pc1", user="wac-admin", address="127.0.0.1", port=5985, generation=generation,
                               model=model, faults={"script_fail": None, "service_never_starts": False}, log=[])
    return pc, clock


def run(pc, operation: str, data: dict):
    """Run the shipped script of ``operation`` as Ansible encodes it (strict mode line first), its input where
    run_script puts it (in the script or on standard input)."""
    script, stdin = script_and_input(operation, data)
    rc, stdout, stderr = ops.run_script(pc, "Set-StrictMode -Version Latest\n" + script, (stdin or b"").decode())
    return rc, (json.loads(stdout) if stdout.strip() else None), stderr


def info(pc) -> dict:
    rc, out, err = run(pc, "gateway_info", adapters.info_script_input())
    assert rc == 0, (out, err)
    return adapters.describe(out)


# ------------------------------------------------------------------------------------------------ routing
def test_routing_refuses_scripts_without_a_known_marker():
    pc, _clock = make_pc("classic_server")
    rc, out, err = ops.run_script(pc, "Get-Service\n", "")
    assert rc == 1 and "marker" in err and out == ""
    rc, out, err = ops.run_script(pc, "# wac.fleet operation: format_disk\n", "{}")
    assert rc == 1 and "unknown operation 'format_disk'" in err


def test_noop_is_empty_success_and_marker_found_after_ansible_prefix():
    pc, _clock = make_pc("modern")
    assert ops.run_script(pc, "Set-StrictMode -Version Latest\n# wac.fleet operation: noop", "") == (0, "", "")
    assert ops.find_operation("\n\nSet-StrictMode -Version Latest\n# wac.fleet operation: gateway_info\n") == \
        "gateway_info"


def test_input_must_be_a_json_object_and_complete():
    pc, _clock = make_pc("classic_server")
    rc, out, _err = run(pc, "gateway_health", {"services": []})  # "url" missing: strict mode would throw
    assert rc == 1 and out["failed"] and "url" in out["msg"]
    rc, out, _err = ops.run_script(pc, "# wac.fleet operation: gateway_health\n", "not json")
    assert rc == 1 and out.startswith('{"failed": true')


@pytest.mark.parametrize("which", ["*", "gateway_info"])
def test_script_fail_fault(which):
    pc, _clock = make_pc("classic_server")
    pc.faults["script_fail"] = which
    rc, out, err = run(pc, "gateway_info", adapters.info_script_input())
    assert rc == 1 and out is None and "injected fault" in err and "gateway_info" in err


# ------------------------------------------------------------------------------------------------ info
@pytest.mark.parametrize("generation", GENERATIONS)
def test_info_reads_each_generation(generation):
    pc, _clock = make_pc(generation)
    facts = info(pc)
    assert facts["generation"] == generation
    assert facts["fqdn"] == "pc1.fleet.wac.test"
    assert facts["registration"] == {"readable": True, "registered": False, "cloud": None, "tenant_id": None,
                                     "app_id": None, "app_object_id": None, "redirect_uri": None}
    assert facts["proxy"] is None
    if generation == "classic_desktop":
        assert facts["port"] == 6516 and facts["service_name"] is None and not facts["restart_supported"]
        assert facts["redirect_uris"] == ["https://localhost:6516", "http://localhost:6516"]
        assert facts["process_state"] == "Running"
    elif generation == "classic_server":
        assert facts["service_name"] == "ServerManagementGateway" and facts["service_state"] == "Running"
        assert facts["redirect_uris"] == ["https://pc1.fleet.wac.test"]
        assert facts["version"] == "1.5.2306.14001"
    else:
        assert [s["name"] for s in facts["services"]] == ["WindowsAdminCenterAccountManagement", "WindowsAdminCenter"]
        assert facts["version"].startswith("2.")
        assert facts["rest_root"] == "/api/aad"


def test_info_reports_proxy_user_but_never_the_password():
    pc, _clock = make_pc("classic_server", proxy={"address": "http://p:3128", "username": "bob", "password": "S3cret!"})
    rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert rc == 0 and "S3cret!" not in json.dumps(out)
    facts = adapters.describe(out)
    assert facts["proxy"] == {"address": "http://p:3128", "bypass_on_local": False, "bypass_list": [],
                              "credentials_set": True, "username": "bob"}


def test_info_with_a_port_on_a_non_default_gateway_server():
    pc, _clock = make_pc("classic_server", port=6600)
    facts = info(pc)
    assert facts["gateway_url"] == "https://pc1.fleet.wac.test:6600"
    assert facts["registration"]["readable"]


def test_stopped_gateway_registration_is_unreadable_and_desktop_closed_likewise():
    pc, _clock = make_pc("classic_server")
    pc.model.apply({"services": "Stopped"})
    facts = info(pc)
    assert facts["service_state"] == "Stopped"
    assert facts["registration"]["readable"] is False and "Unable to connect" in facts["registration"]["error"]
    pc, _clock = make_pc("classic_desktop", desktop_running=False)
    facts = info(pc)
    assert facts["process_state"] == "NotRunning" and facts["registration"]["readable"] is False


def test_no_gateway_installed_is_an_error():
    pc, _clock = make_pc("classic_server")
    pc.model.registry.clear()
    rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert rc == 0
    with pytest.raises(adapters.AdapterError, match="no Windows Admin Center gateway"):
        adapters.describe(out)


# ------------------------------------------------------------------------------------------------ REST
@pytest.mark.parametrize("generation", GENERATIONS)
def test_rest_answers_only_the_generations_own_root(generation):
    pc, _clock = make_pc(generation)
    model = pc.model
    own = adapters.adapter_for(generation).rest_root
    other = "/api/aad" if own == "/api/gateway/aad" else "/api/gateway/aad"
    base = f"https://localhost:{model.port}"
    assert model.http("GET", base + own + "/appInfo")[0] == 200
    assert model.http("GET", base + other + "/appInfo")[0] == 404


@pytest.mark.parametrize("generation", GENERATIONS)
def test_registration_requests_of_the_adapter_register_and_unregister(generation):
    pc, _clock = make_pc(generation)
    adapter = adapters.adapter_for(generation)
    desired = {"cloud": "AzureUSGovernment", "tenant_id": TENANT, "app_id": APP, "app_object_id": None,
               "redirect_uri": "https://localhost:6516"}
    base = adapter.local_base_url(pc.model.port)
    rc, out, _err = run(pc, "gateway_rest", {"base_url": base, "requests": adapter.registration_requests(desired)})
    assert rc == 0 and [r["status"] for r in out["responses"]] == [200, 200]
    assert pc.model.registration == {"cloud": "AzureUSGovernment", "tenant_id": TENANT, "app_id": APP,
                                     "app_object_id": None, "redirect_uri": "https://localhost:6516"}
    reg = info(pc)["registration"]
    assert reg["registered"] and reg["cloud"] == "AzureUSGovernment" and reg["app_id"] == APP
    rc, out, _err = run(pc, "gateway_rest", {"base_url": base, "requests": adapter.unregistration_requests()})
    assert rc == 0 and out["responses"][0]["status"] == 204 and pc.model.registration is None


def test_a_wrong_adapter_fails_against_the_model():
    pc, _clock = make_pc("modern")
    classic = adapters.adapter_for("classic_server")
    desired = {"cloud": "AzureCloud", "tenant_id": TENANT, "app_id": APP, "redirect_uri": "https://x"}
    rc, out, _err = run(pc, "gateway_rest", {"base_url": "https://localhost:443",
                                             "requests": classic.registration_requests(desired)})
    path = "/api/gateway/aad/cloudName/AzureCloud/application"
    assert rc == 0 and out["responses"] == [{"method": "PUT", "path": path, "status": 404, "body": None,
                                             "error": "The remote server returned an error: (404)."}]
    assert pc.model.registration is None
    rc, out, _err = run(pc, "gateway_proxy_write", {
        "target": classic.proxy_write_target(), "state": "present", "document": {"address": "http://p:1"},
        "credentials": None, "keep_credentials": False, "only_if_password_differs": False, "dry_run": False})
    assert rc == 1 and "not found" in out["msg"]


# ------------------------------------------------------------------------------------------------ proxy store
def _write(pc, generation, **data):
    adapter = adapters.adapter_for(generation)
    base = {"target": adapter.proxy_write_target(), "state": "present", "credentials": None,
            "keep_credentials": False, "only_if_password_differs": False, "dry_run": False,
            "document": adapter.proxy_document({"address": "http://proxy:3128", "bypass_on_local": True,
                                                "bypass_list": ["contoso.com"]})}
    base.update(data)
    return run(pc, "gateway_proxy_write", base)


def test_classic_proxy_is_a_json_string_in_the_registry():
    pc, _clock = make_pc("classic_server")
    rc, out, _err = _write(pc, "classic_server", credentials={"username": "bob", "password": "S3cret-pw"})
    assert rc == 0 and out["written"]
    raw = pc.model.registry_values(CLASSIC_KEY)["Proxy"]
    assert "S3cret-pw" not in raw
    stored = json.loads(raw)
    assert stored["address"] == "http://proxy:3128" and stored["bypassOnLocal"] is True
    assert stored["bypassList"] == ["contoso.com"] and stored["protectedData2"]
    assert pc.model.proxy_password() == "S3cret-pw"


def test_modern_proxy_lives_in_appsettings_and_other_settings_are_kept():
    pc, _clock = make_pc("modern")
    rc, _out, _err = _write(pc, "modern")
    settings = json.loads(pc.model.file_read(APPSETTINGS))
    assert settings["WindowsAdminCenter"]["Http"]["Proxy"] == {
        "Address": "http://proxy:3128", "BypassOnLocal": True, "BypassList": ["contoso.com"]}
    assert settings["WindowsAdminCenter"]["Hosting"]["Port"] == 443
    assert rc == 0
    rc, _out, _err = _write(pc, "modern", state="absent")
    assert rc == 0 and pc.model.proxy() is None


def test_password_comparison_on_the_pc_and_dry_run():
    pc, _clock = make_pc("classic_server", proxy={"address": "http://proxy:3128", "username": "bob", "password": "old"})
    creds = {"username": "bob", "password": "old"}
    rc, out, _err = _write(pc, "classic_server", credentials=creds, only_if_password_differs=True)
    assert rc == 0 and out == {"written": False, "password_matches": True}
    rc, out, _err = _write(pc, "classic_server", credentials={"username": "bob", "password": "new"},
                           only_if_password_differs=True, dry_run=True)
    assert out == {"written": False, "password_matches": False} and pc.model.proxy_password() == "old"
    rc, out, _err = _write(pc, "classic_server", credentials={"username": "bob", "password": "new"},
                           only_if_password_differs=True)
    assert out["written"] and pc.model.proxy_password() == "new"


def test_keep_credentials_keeps_the_protected_blob():
    pc, _clock = make_pc("modern", proxy={"address": "http://old:1", "username": "bob", "password": "pw"})
    _write(pc, "modern", keep_credentials=True)
    assert pc.model.proxy()["address"] == "http://proxy:3128" and pc.model.proxy_password() == "pw"
    _write(pc, "modern")
    assert pc.model.proxy()["credentials_set"] is False


# ------------------------------------------------------------------------------------------------ services
def test_service_state_machine_follows_the_clock():
    pc, clock = make_pc("classic_server", start_delay=5)
    model = pc.model
    rc, out, _err = run(pc, "gateway_service_control",
                        {"services": ["ServerManagementGateway"], "action": "restart", "stop_timeout": 10})
    assert rc == 0 and out["services"] == {"ServerManagementGateway": START_PENDING}
    health = {"services": ["ServerManagementGateway"], "url": "https://localhost:443/"}
    _rc, out, _err = run(pc, "gateway_health", health)
    assert out["https"]["ok"] is False and out["services"]["ServerManagementGateway"] == START_PENDING
    clock.now += 5
    _rc, out, _err = run(pc, "gateway_health", health)
    assert out == {"services": {"ServerManagementGateway": "Running"},
                   "https": {"ok": True, "status": 200, "error": None}}
    assert model.service_starts == 1
    run(pc, "gateway_service_control", {"services": ["ServerManagementGateway"], "action": "stop", "stop_timeout": 1})
    assert model.service_state("ServerManagementGateway") == STOPPED and not model.listening()


def test_stop_pending_then_stopped_and_stop_timeout():
    pc, clock = make_pc("modern", stop_delay=3)
    service = pc.model.services["WindowsAdminCenter"]
    service.stop(3)
    assert service.state() == STOP_PENDING
    clock.now += 3
    assert service.state() == STOPPED
    rc, out, _err = run(pc, "gateway_service_control", {"services": list(pc.model.services), "action": "stop",
                                                        "stop_timeout": 1})
    assert rc == 1 and "Time out has expired" in out["msg"]


def test_service_never_starts_fault():
    pc, clock = make_pc("modern", start_delay=0.1)
    pc.faults["service_never_starts"] = True
    run(pc, "gateway_service_control", {"services": list(pc.model.services), "action": "restart", "stop_timeout": 5})
    clock.now += 3600
    assert set(pc.model.to_dict()["services"].values()) == {START_PENDING}
    assert not pc.model.listening()


def test_unknown_service_fails_like_get_service():
    pc, _clock = make_pc("classic_server")
    rc, out, _err = run(pc, "gateway_service_control", {"services": ["WindowsAdminCenter"], "action": "restart",
                                                        "stop_timeout": 5})
    assert rc == 1 and "Cannot find any service with service name 'WindowsAdminCenter'" in out["msg"]


# ------------------------------------------------------------------------------------------------ views
def test_to_dict_and_apply_drift():
    pc, _clock = make_pc("classic_desktop")
    state = pc.model.apply({"proxy": {"address": "http://drift:8080", "bypass_list": ["a.b"]},
                            "registration": {"tenant_id": TENANT, "app_id": APP}, "desktop_running": False})
    json.dumps(state)
    assert state["proxy"]["address"] == "http://drift:8080" and state["registration"]["cloud"] == "AzureCloud"
    assert state["listening"] is False
    with pytest.raises(ValueError, match="unknown model fields"):
        pc.model.apply({"colour": "blue"})
    with pytest.raises(ValueError, match="unknown generation"):
        GatewayModel("v3", "x", "x.test")


@pytest.mark.parametrize("generation", ["classic_server", "modern"])
def test_registration_fails_until_the_gateway_restarts_after_a_proxy_change(generation):
    pc, clock = make_pc(generation, start_delay=1)
    adapter = adapters.adapter_for(generation)
    _write(pc, generation)
    assert pc.model.to_dict()["proxy_pending_restart"] is True
    desired = {"cloud": "AzureCloud", "tenant_id": TENANT, "app_id": APP, "redirect_uri": "https://x"}
    request = {"base_url": f"https://localhost:{pc.model.port}", "requests": adapter.registration_requests(desired)}
    _rc, out, _err = run(pc, "gateway_rest", request)
    assert out["responses"][0]["status"] == 502 and pc.model.registration is None
    run(pc, "gateway_service_control", {"services": list(adapter.services), "action": "restart", "stop_timeout": 5})
    clock.now += 1
    _rc, out, _err = run(pc, "gateway_rest", request)
    assert [r["status"] for r in out["responses"]] == [200, 200]


def test_a_desktop_gateway_registers_without_restart():
    pc, _clock = make_pc("classic_desktop")
    _write(pc, "classic_desktop")
    assert pc.model.to_dict()["proxy_pending_restart"] is False


# ------------------------------------------------------------------------------------------------ restart marker
def _marker(pc):
    return (pc.model.registry_values(adapters.RESTART_MARKER["location"]) or {}).get(adapters.RESTART_MARKER["name"])


@pytest.mark.parametrize("generation", ["classic_server", "modern"])
def test_proxy_write_sets_the_restart_marker_and_only_a_full_start_clears_it(generation):
    pc, clock = make_pc(generation, start_delay=1)
    adapter = adapters.adapter_for(generation)
    assert pc.model.registry_values(adapters.RESTART_MARKER["location"]) is None  # the key exists only once used
    _rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert out["restart_marker"] == {"set": False, "since": None}
    rc, _out, _err = _write(pc, generation, restart_marker=adapter.restart_marker)
    assert rc == 0 and _marker(pc) and pc.model.to_dict()["restart_marker"] == _marker(pc)
    _rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert out["restart_marker"] == {"set": True, "since": _marker(pc)}
    assert adapters.describe(out)["restart_pending"] is True
    control = {"services": list(adapter.services), "stop_timeout": 5, "restart_marker": adapter.restart_marker}
    _rc, out, _err = run(pc, "gateway_service_control", {**control, "action": "stop"})
    assert out["marker_cleared"] is False and _marker(pc)
    first = adapter.services[0]
    pc.model.start_service(first)  # one service started behind our back: the gateway did not restart as a whole
    clock.now += 1
    _rc, out, _err = run(pc, "gateway_service_control", {**control, "action": "start"})
    assert out["marker_cleared"] is False and _marker(pc)
    _rc, out, _err = run(pc, "gateway_service_control", {**control, "action": "restart"})
    assert out["marker_cleared"] is True and _marker(pc) is None
    clock.now += 1
    _rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert adapters.describe(out)["restart_pending"] is False


def test_proxy_write_without_a_marker_and_a_matching_password_set_no_marker():
    pc, _clock = make_pc("classic_desktop")
    _write(pc, "classic_desktop", restart_marker=adapters.adapter_for("classic_desktop").restart_marker)
    assert pc.model.registry_values(adapters.RESTART_MARKER["location"]) is None
    pc, _clock = make_pc("classic_server", proxy={"address": "http://proxy:3128", "username": "bob", "password": "pw"})
    marker = adapters.adapter_for("classic_server").restart_marker
    _rc, out, _err = _write(pc, "classic_server", credentials={"username": "bob", "password": "pw"},
                            only_if_password_differs=True, restart_marker=marker)
    assert out["password_matches"] is True and _marker(pc) is None
