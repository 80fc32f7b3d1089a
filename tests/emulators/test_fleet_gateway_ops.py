"""The shipped scripts, as the collection sends them, run by the script router against the gateway model in process
(no WinRM): the adapters' input reaches what Microsoft's scripts say is there, and the model's refusals show."""

from __future__ import annotations

import json
import types

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_adapters as adapters
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_registration import desired
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
from tests.emulators.fleet.session import Session

TENANT = "11111111-2222-3333-4444-555555555555"
APP = "66666666-7777-8888-9999-000000000000"
SP = "77777777-8888-9999-0000-111111111111"
ACCOUNT = {"username": "wac-admin", "password": "Pa55"}
NTLM = Session.for_auth("wac-admin", "ntlm")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_pc(generation: str, **options):
    clock = Clock()
    model = GatewayModel(generation, "pc1", "PC1.fleet.wac.test", clock=clock, accounts={"wac-admin": "Pa55"},
                         **options)
    pc = types.SimpleNamespace(name="pc1", user="wac-admin", address="127.0.0.1", port=5985, generation=generation,
                               model=model, faults={"script_fail": None, "service_never_starts": False}, log=[])
    return pc, clock


def run(pc, operation: str, data: dict, session: Session = NTLM):
    """Run the shipped script of ``operation`` as Ansible encodes it (strict mode line first), its input where
    run_script puts it (in the script or on standard input)."""
    script, stdin = script_and_input(operation, data)
    rc, stdout, stderr = ops.run_script(pc, "Set-StrictMode -Version Latest\n" + script, (stdin or b"").decode(),
                                        session)
    return rc, (json.loads(stdout) if stdout.strip() else None), stderr


def info(pc, credentials=None, session=NTLM, *, default_credentials: bool = False) -> dict:
    """gateway_info as the collection sends it: with the PC account's credentials unless told to use none."""
    credentials = None if default_credentials else (credentials or dict(ACCOUNT))
    rc, out, err = run(pc, "gateway_info", adapters.info_script_input(credentials), session)
    assert rc == 0, (out, err)
    return adapters.describe(out)


def rest(pc, requests, credentials=None, session=NTLM):
    credentials = credentials or dict(ACCOUNT)
    adapter = adapters.adapter_for(pc.generation)
    return run(pc, "gateway_rest", adapter.rest_request_input(pc.model.port, requests, credentials), session)


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


def test_bad_input_is_a_failed_result_not_a_crash():
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
                                     "app_id": None}
    assert facts["proxy"] is None
    if generation == "classic_desktop":
        assert facts["port"] == 6516 and facts["service_name"] is None and not facts["restart_supported"]
        assert facts["redirect_uris"] == ["https://localhost:6516", "http://localhost:6516"]
        assert facts["process_state"] == "Running" and facts["rest_auth"] == "client_certificate"
    elif generation == "classic_server":
        assert facts["service_name"] == "ServerManagementGateway" and facts["service_state"] == "Running"
        assert facts["redirect_uris"] == ["https://pc1.fleet.wac.test"]
        assert facts["version"] == "1.5.2306.14001"
    else:
        assert [(s["name"], s["state"], s["restarted"]) for s in facts["services"]] == [
            ("WindowsAdminCenter", "Running", True), ("WindowsAdminCenterAccountManagement", "Stopped", False)]
        assert facts["version"] == "2.4.2410.31001" and facts["login_mode"] == "WindowsAuthentication"
        assert facts["rest_root"] == "/api/aad"


def test_modern_port_and_endpoint_fqdn_come_from_where_cfg_keeps_them():
    pc, _clock = make_pc("modern", port=6600, endpoint_fqdn="WAC.Contoso.test", service_fqdn="svc.contoso.test")
    facts = info(pc)
    assert facts["port"] == 6600 and facts["gateway_url"] == "https://wac.contoso.test:6600"
    assert facts["redirect_uris"] == ["https://wac.contoso.test:6600"] and facts["service_fqdn"] == "svc.contoso.test"
    assert facts["registration"]["readable"]  # the read went to the port the Kestrel URL names


def test_a_logon_without_credentials_cannot_read_the_registration():
    pc, _clock = make_pc("classic_server")
    assert info(pc, default_credentials=True)["registration"]["status"] == 401
    credssp = Session.for_auth("wac-admin", "credssp")
    assert info(pc, default_credentials=True, session=credssp)["registration"]["readable"]


def test_info_reports_the_plaintext_user_but_never_the_password():
    pc, _clock = make_pc("modern", proxy={"address": "http://p:3128", "username": "bob", "password": "S3cret!"})
    rc, out, _err = run(pc, "gateway_info", adapters.info_script_input(ACCOUNT))
    assert rc == 0 and "S3cret!" not in json.dumps(out) and "plaintext:" not in json.dumps(out)
    assert adapters.describe(out)["proxy"] == {
        "address": "http://p:3128", "bypass_on_local": False, "bypass_list": [], "credentials_set": True,
        "username": "bob", "credentials_form": "plaintext"}


def test_classic_credentials_set_by_the_settings_page_are_seen_but_not_read():
    pc, _clock = make_pc("classic_server", proxy={"address": "http://p:3128", "username": "bob", "password": "x"})
    proxy = info(pc)["proxy"]
    assert proxy["credentials_set"] is True and proxy["username"] is None and proxy["credentials_form"] == "protected"


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
def test_registration_requests_of_the_adapter_register_and_unregister(generation):
    pc, _clock = make_pc(generation)
    adapter = adapters.adapter_for(generation)
    wanted = desired({"gateway_url": "https://localhost:6516"}, "AzureUSGovernment", TENANT, APP, SP)
    rc, out, _err = rest(pc, adapter.registration_requests(wanted))
    assert rc == 0 and out["read"]["status"] == 200 and [r["status"] for r in out["responses"]] == [200, 200]
    assert pc.model.registration() == {"cloud": "Azure US Gov", "tenant_id": TENANT, "app_id": APP,
                                       "app_object_id": SP, "redirect_uri": "https://localhost:6516"}
    reg = info(pc)["registration"]
    assert reg == {"readable": True, "registered": True, "cloud": "Azure US Gov", "tenant_id": TENANT, "app_id": APP}
    assert pc.model.registry_values(adapters.REGISTRATION_MARKER["location"]) == {}  # set, then cleared
    rc, out, _err = rest(pc, adapter.unregistration_requests())
    assert rc == 0 and out["responses"][0]["status"] == 204 and pc.model.registration() is None


def test_a_registration_that_fails_between_its_writes_leaves_the_marker():
    pc, _clock = make_pc("classic_server")
    adapter = adapters.adapter_for("classic_server")
    requests = adapter.registration_requests(desired({"gateway_url": "https://x"}, "AzureCloud", TENANT, APP))
    requests[1]["body"] = {"properties": {}}  # the gateway refuses the second write (no redirectUri)
    _rc, out, _err = rest(pc, requests)
    assert [r["status"] for r in out["responses"]] == [200, 400]
    facts = info(pc)
    assert facts["registration"]["app_id"] == APP and facts["registration"]["interrupted"] is True


def test_a_write_without_the_xsrf_header_is_refused():
    pc, _clock = make_pc("modern")
    adapter = adapters.adapter_for("modern")
    data = adapter.rest_request_input(443, adapter.unregistration_requests(), ACCOUNT)
    data["xsrf"]["cookies"] = ["XSRF-TOKEN"]  # the v1 cookie name: a v2 gateway sets WAC-XSRF
    _rc, out, _err = run(pc, "gateway_rest", data)
    assert out["responses"][0]["status"] == 400


def test_desktop_registration_without_the_client_certificate_is_refused():
    pc, _clock = make_pc("classic_desktop", client_certificate_store=None)
    missing = "ClientCertificateThumbprint of HKLM:\\SOFTWARE\\Microsoft\\ServerManagementGateway is missing"
    assert info(pc)["registration"]["error"].endswith(missing)
    pc, _clock = make_pc("classic_desktop", client_certificate_store="Cert:\\CurrentUser\\Root")
    assert "is in none of Cert:\\CurrentUser\\My, Cert:\\LocalMachine\\My" in info(pc)["registration"]["error"]


def test_a_wrong_adapter_fails_against_the_model():
    pc, _clock = make_pc("modern")
    classic = adapters.adapter_for("classic_server")
    wanted = desired({"gateway_url": "https://x"}, "AzureCloud", TENANT, APP)
    _rc, out, _err = run(pc, "gateway_rest", classic.rest_request_input(443, classic.registration_requests(wanted),
                                                                        ACCOUNT))
    assert out["read"]["status"] == 404 and out["responses"] == [] and pc.model.registration() is None
    rc, out, _err = run(pc, "gateway_proxy_write", {
        "target": classic.proxy_write_target(), "state": "present", "document": {"address": "http://p:1"},
        "credentials": None, "keep_credentials": False, "only_if_password_differs": False, "dry_run": False,
        "restart_marker": None})
    assert rc == 1 and "not found" in out["msg"]


# ------------------------------------------------------------------------------------------------ proxy store
def _write(pc, generation, **data):
    adapter = adapters.adapter_for(generation)
    base = {"target": adapter.proxy_write_target(), "state": "present", "credentials": None,
            "keep_credentials": False, "only_if_password_differs": False, "dry_run": False, "restart_marker": None,
            "document": adapter.proxy_document({"address": "http://proxy:3128", "bypass_on_local": True,
                                                "bypass_list": ["contoso.com"]}, "pc1.fleet.wac.test")}
    base.update(data)
    return run(pc, "gateway_proxy_write", base)


def test_classic_proxy_is_a_json_string_in_the_registry_and_takes_no_credentials():
    pc, _clock = make_pc("classic_server")
    rc, out, _err = _write(pc, "classic_server")
    assert rc == 0 and out["written"]
    stored = json.loads(pc.model.registry_values(CLASSIC_KEY)["Proxy"])
    assert stored == {"address": "http://proxy:3128", "bypassOnLocal": True, "bypassList": ["contoso.com"]}
    rc, out, _err = _write(pc, "classic_server", credentials={"username": "bob", "password": "S3cret-pw"})
    assert rc == 1 and "no documented form for proxy credentials" in out["msg"]


def test_modern_proxy_is_written_in_place_in_set_wacproxys_form():
    pc, _clock = make_pc("modern")
    rc, _out, _err = _write(pc, "modern", credentials={"username": "bob", "password": "S3:cret"})
    settings = json.loads(pc.model.file_read(APPSETTINGS))
    document = settings["WindowsAdminCenter"]["Http"]["Proxy"]
    assert rc == 0 and document["ProtectedData"] == "" and document["Credentials"].startswith("plaintext:")
    assert document["BypassList"] == ["contoso.com", "pc1.fleet.wac.test"]  # ServiceFqdn kept (Set-WACEndpointFqdn)
    assert pc.model.proxy_password() == "S3:cret" and pc.model.proxy()["username"] == "bob"
    assert settings["Kestrel"]["Endpoints"]["WindowsAdminCenter"]["Url"] == "https://*:443"  # the rest is kept
    assert pc.model.to_dict()["appsettings_network_service_access"] is True  # in place: the ACL stays
    rc, _out, _err = _write(pc, "modern", state="absent")
    assert rc == 0 and pc.model.proxy() is None


def test_a_script_that_moves_a_new_file_over_appsettings_is_seen_losing_the_acl():
    pc, _clock = make_pc("modern")
    script, stdin = script_and_input("gateway_proxy_write", {
        "target": adapters.adapter_for("modern").proxy_write_target(), "state": "absent", "document": None,
        "credentials": None, "keep_credentials": False, "only_if_password_differs": False, "dry_run": False,
        "restart_marker": None})
    moved = script + "\nMove-Item -LiteralPath $temporary -Destination $path -Force\n"
    assert ops.run_script(pc, moved, stdin.decode(), NTLM)[0] == 0
    assert pc.model.to_dict()["appsettings_network_service_access"] is False


def test_password_comparison_on_the_pc_and_dry_run():
    pc, _clock = make_pc("modern", proxy={"address": "http://proxy:3128", "username": "bob", "password": "old"})
    creds = {"username": "bob", "password": "old"}
    rc, out, _err = _write(pc, "modern", credentials=creds, only_if_password_differs=True)
    assert rc == 0 and out == {"written": False, "password_matches": True}
    rc, out, _err = _write(pc, "modern", credentials={"username": "bob", "password": "new"},
                           only_if_password_differs=True, dry_run=True)
    assert out == {"written": False, "password_matches": False} and pc.model.proxy_password() == "old"
    rc, out, _err = _write(pc, "modern", credentials={"username": "bob", "password": "new"},
                           only_if_password_differs=True)
    assert out["written"] and pc.model.proxy_password() == "new"


def test_keep_credentials_keeps_them_and_otherwise_they_are_emptied():
    pc, _clock = make_pc("modern", proxy={"address": "http://old:1", "username": "bob", "password": "pw"})
    _write(pc, "modern", keep_credentials=True)
    assert pc.model.proxy()["address"] == "http://proxy:3128" and pc.model.proxy_password() == "pw"
    _write(pc, "modern")
    document = pc.model.settings()["WindowsAdminCenter"]["Http"]["Proxy"]
    assert pc.model.proxy()["credentials_set"] is False and document["Credentials"] == document["ProtectedData"] == ""
    pc, _clock = make_pc("classic_server", proxy={"address": "http://old:1", "username": "bob", "password": "pw"})
    _write(pc, "classic_server", keep_credentials=True)
    assert pc.model.proxy_password() == "pw"  # the settings page's blob, kept as it is
    _write(pc, "classic_server")
    assert "protectedData2" not in json.loads(pc.model.registry_values(CLASSIC_KEY)["Proxy"])


# ------------------------------------------------------------------------------------------------ services
def test_service_state_machine_follows_the_clock():
    pc, clock = make_pc("classic_server", start_delay=5)
    model = pc.model
    rc, out, _err = run(pc, "gateway_service_control",
                        {"services": ["ServerManagementGateway"], "action": "restart", "stop_timeout": 10,
                         "restart_marker": None})
    assert rc == 0 and out["services"] == {"ServerManagementGateway": START_PENDING}
    health = {"services": ["ServerManagementGateway"], "url": "https://localhost:443/"}
    _rc, out, _err = run(pc, "gateway_health", health)
    assert out["https"]["ok"] is False and out["services"]["ServerManagementGateway"] == START_PENDING
    clock.now += 5
    _rc, out, _err = run(pc, "gateway_health", health)
    assert out == {"services": {"ServerManagementGateway": "Running"},
                   "https": {"ok": True, "status": 200, "error": None}}
    assert model.service_starts == 1
    run(pc, "gateway_service_control", {"services": ["ServerManagementGateway"], "action": "stop", "stop_timeout": 1,
                                        "restart_marker": None})
    assert model.service_state("ServerManagementGateway") == STOPPED and not model.listening()


def test_a_modern_restart_as_restart_wacservice_leaves_account_management_alone():
    pc, clock = make_pc("modern", start_delay=1)
    adapter = adapters.adapter_for("modern")
    run(pc, "gateway_service_control", {"services": list(adapter.services), "action": "restart", "stop_timeout": 5,
                                        "restart_marker": None})
    clock.now += 1
    assert pc.model.to_dict()["services"] == {"WindowsAdminCenter": "Running",
                                              "WindowsAdminCenterAccountManagement": "Stopped"}
    assert pc.model.service_starts == 1 and pc.model.listening()


def test_stop_pending_then_stopped_and_stop_timeout():
    pc, clock = make_pc("modern", stop_delay=3)
    service = pc.model.services["WindowsAdminCenter"]
    service.stop(3)
    assert service.state() == STOP_PENDING
    clock.now += 3
    assert service.state() == STOPPED
    service.force("Running")
    rc, out, _err = run(pc, "gateway_service_control", {"services": ["WindowsAdminCenter"], "action": "stop",
                                                        "stop_timeout": 1, "restart_marker": None})
    assert rc == 1 and "Time out has expired" in out["msg"]


def test_service_never_starts_fault():
    pc, clock = make_pc("modern", start_delay=0.1)
    pc.faults["service_never_starts"] = True
    run(pc, "gateway_service_control", {"services": ["WindowsAdminCenter"], "action": "restart", "stop_timeout": 5,
                                        "restart_marker": None})
    clock.now += 3600
    assert pc.model.service_state("WindowsAdminCenter") == START_PENDING and not pc.model.listening()


def test_unknown_service_fails_like_get_service():
    pc, _clock = make_pc("classic_server")
    rc, out, _err = run(pc, "gateway_service_control", {"services": ["WindowsAdminCenter"], "action": "restart",
                                                        "stop_timeout": 5, "restart_marker": None})
    assert rc == 1 and "Cannot find any service with service name 'WindowsAdminCenter'" in out["msg"]


@pytest.mark.parametrize("generation", ["classic_server", "modern"])
def test_registration_fails_until_the_gateway_restarts_after_a_proxy_change(generation):
    pc, clock = make_pc(generation, start_delay=1)
    adapter = adapters.adapter_for(generation)
    _write(pc, generation)
    assert pc.model.to_dict()["proxy_pending_restart"] is True
    requests = adapter.registration_requests(desired({"gateway_url": "https://x"}, "AzureCloud", TENANT, APP))
    _rc, out, _err = rest(pc, requests)
    assert out["responses"][0]["status"] == 502 and pc.model.registration() is None
    run(pc, "gateway_service_control", {"services": list(adapter.services), "action": "restart", "stop_timeout": 5,
                                        "restart_marker": None})
    clock.now += 1
    _rc, out, _err = rest(pc, requests)
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
    assert out["markers"]["restart"] == {"set": False, "since": None}
    rc, _out, _err = _write(pc, generation, restart_marker=adapter.restart_marker)
    assert rc == 0 and _marker(pc) and pc.model.to_dict()["restart_marker"] == _marker(pc)
    _rc, out, _err = run(pc, "gateway_info", adapters.info_script_input())
    assert out["markers"]["restart"] == {"set": True, "since": _marker(pc)}
    assert adapters.describe(out)["restart_pending"] is True
    control = {"services": list(adapter.services), "stop_timeout": 5, "restart_marker": adapter.restart_marker}
    _rc, out, _err = run(pc, "gateway_service_control", {**control, "action": "stop"})
    assert out["marker_cleared"] is False and _marker(pc)
    pc.model.start_service(adapter.services[0])  # started behind our back: the marker must stay
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
    pc, _clock = make_pc("modern", proxy={"address": "http://proxy:3128", "username": "bob", "password": "pw"})
    marker = adapters.adapter_for("modern").restart_marker
    _rc, out, _err = _write(pc, "modern", credentials={"username": "bob", "password": "pw"},
                            only_if_password_differs=True, restart_marker=marker)
    assert out["password_matches"] is True and _marker(pc) is None
