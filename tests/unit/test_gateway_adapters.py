"""The per-generation adapters: detection from raw readings, ports and URLs, proxy shapes, registration requests.

The values asserted here are Microsoft's (CFG, MIG, NAA, SDK; docs/gateway.md), not the adapters' own constants."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_adapters as adapters
from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_facts as facts_table
from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_registration as registration


def readings(classic=False, modern=False, services=(), processes=None, values=None, proxy=None, credentials=None,
             registration_body=None):
    def store(found, defaults):
        merged = {**defaults, **(values or {}), "proxy": proxy}
        return {"found": found, "values": merged if found else {}, "proxy_credentials": credentials,
                "registration": {"status": 200, "body": registration_body or {"properties": {}}} if found else None}
    return {
        "stores": {"classic": store(classic, {"port": None, "version": "1.5"}),
                   "modern": store(modern, {"endpoint_fqdn": "wac.contoso.com"})},
        "services": {name: {"status": "Running", "start_type": "Automatic"} for name in services},
        "processes": processes or {"SmeDesktop": False},
        "fqdn": "PC1.Contoso.com",
    }


MODERN_SERVICES = ["WindowsAdminCenter", "WindowsAdminCenterAccountManagement"]


def test_detection():
    assert adapters.detect_generation(readings(classic=True, services=["ServerManagementGateway"])) == "classic_server"
    assert adapters.detect_generation(readings(classic=True)) == "classic_desktop"
    assert adapters.detect_generation(readings(modern=True, services=["WindowsAdminCenter"])) == "modern"
    # a v1 key left behind after migrating to v2: the running v2 wins
    both = readings(classic=True, modern=True, services=["WindowsAdminCenter"])
    assert adapters.detect_generation(both) == "modern"
    with pytest.raises(adapters.AdapterError, match="no Windows Admin Center gateway"):
        adapters.detect_generation(readings())
    with pytest.raises(adapters.AdapterError, match="unknown gateway generation"):
        adapters.adapter_for("v3")


def test_modern_reads_the_paths_cfg_reads():
    fields = adapters.STORES[1]["fields"]
    # CFG Get-WACHttpsPorts, Set-WACHttpsPorts, Get-WACEndpointFqdn, Get-WACFileVersion, Get-WACLoginMode, Get-WACProxy
    assert fields == {"kestrel_url": "Kestrel.Endpoints.WindowsAdminCenter.Url",
                      "http_sys_urls": "WindowsAdminCenter.Http.HttpSysUrls",
                      "endpoint_fqdn": "WindowsAdminCenter.Http.EndpointFqdn",
                      "service_fqdn": "WindowsAdminCenter.Http.ServiceFqdn",
                      "version": "WindowsAdminCenter.System.FileVersion",
                      "login_mode": "WindowsAdminCenter.System.TokenAuthenticationMode",
                      "proxy": "WindowsAdminCenter.Http.Proxy"}


@pytest.mark.parametrize(("values", "port"), [
    ({"kestrel_url": "https://*:6600", "http_sys_urls": ["https://+:443"]}, 6600),  # the Kestrel URL wins
    ({"kestrel_url": None, "http_sys_urls": ["https://+:8443/"]}, 8443),
    ({}, 6600),  # CFG ConstDefaultPort
    ({"kestrel_url": "https://*:not-a-port"}, 6600),
])
def test_modern_port_as_cfg_reads_it(values, port):
    facts = adapters.describe(readings(modern=True, services=MODERN_SERVICES, values=values))
    assert facts["port"] == port
    expected = "https://wac.contoso.com" if port == 443 else f"https://wac.contoso.com:{port}"
    assert facts["redirect_uris"] == [expected]


def test_urls_per_generation():
    server = adapters.adapter_for("classic_server")
    assert server.redirect_uris("pc1.contoso.com", 443) == ["https://pc1.contoso.com"]
    assert server.redirect_uris("pc1.contoso.com", 6600) == ["https://pc1.contoso.com:6600"]
    desktop = adapters.adapter_for("classic_desktop")
    assert desktop.redirect_uris("pc1.contoso.com", 6516) == ["https://localhost:6516", "http://localhost:6516"]
    modern = adapters.adapter_for("modern")
    assert modern.gateway_url("pc1.contoso.com", 443, "WAC.Contoso.com") == "https://wac.contoso.com"
    assert not desktop.restart_supported and server.restart_supported


def test_modern_restarts_only_windowsadmincenter_and_reports_account_management():
    reading = readings(modern=True, services=MODERN_SERVICES, values={"kestrel_url": "https://*:443"})
    reading["services"]["WindowsAdminCenterAccountManagement"] = {"status": "Stopped", "start_type": "Manual"}
    facts = adapters.describe(reading)
    assert adapters.adapter_for("modern").services == ("WindowsAdminCenter",)  # CFG Restart-WACService
    assert facts["service_name"] == "WindowsAdminCenter" and facts["service_state"] == "Running"
    assert facts["services"] == [
        {"name": "WindowsAdminCenter", "state": "Running", "start_type": "Automatic", "restarted": True},
        {"name": "WindowsAdminCenterAccountManagement", "state": "Stopped", "start_type": "Manual",
         "restarted": False}]


def test_proxy_shapes():
    classic = adapters.adapter_for("classic_server")
    modern = adapters.adapter_for("modern")
    desired = {"address": "http://p:1", "bypass_on_local": True, "bypass_list": ["a.b"]}
    assert classic.proxy_document(desired) == {"address": "http://p:1", "bypassOnLocal": True, "bypassList": ["a.b"]}
    # Set-WACEndpointFqdn puts ServiceFqdn in the bypass list: a write keeps it there, a read does not show it
    assert modern.proxy_document(desired, "wac.internal") == {"Address": "http://p:1", "BypassOnLocal": True,
                                                              "BypassList": ["a.b", "wac.internal"]}
    read = modern.proxy_from_store({"Address": "http://p:1", "BypassOnLocal": True,
                                    "BypassList": ["a.b", "WAC.internal"]},
                                   {"set": True, "form": "plaintext", "username": "bob"}, "wac.internal")
    assert read == {"address": "http://p:1", "bypass_on_local": True, "bypass_list": ["a.b"],
                    "credentials_set": True, "username": "bob", "credentials_form": "plaintext"}
    read = classic.proxy_from_store({"address": "http://p:1", "bypassOnLocal": False, "bypassList": "a.b;c.d"},
                                    {"set": True, "form": "protected", "username": None})
    assert read["bypass_list"] == ["a.b", "c.d"] and read["credentials_set"] and read["username"] is None
    assert classic.proxy_from_store({"address": ""}, None) is None


def test_proxy_write_targets():
    modern = adapters.adapter_for("modern").proxy_write_target()
    assert modern == {"kind": "json", "location": r"%ProgramFiles%\WindowsAdminCenter\Service\appsettings.json",
                      "field": "WindowsAdminCenter.Http.Proxy", "credential_members": ["ProtectedData", "Credentials"],
                      "plaintext_member": "Credentials", "protected_member": "ProtectedData",
                      "plaintext_prefix": "plaintext:", "json_depth": 100}
    classic = adapters.adapter_for("classic_server").proxy_write_target()
    assert classic["credential_members"] == ["protectedData2"] and "plaintext_member" not in classic


def test_registration_requests_as_naa_and_the_sdk_make_them():
    wanted = registration.desired({"gateway_url": "https://pc1:6600"}, "AzureCloud", "T" * 8, "A" * 8, "S" * 8)
    assert wanted["cloud"] == "Azure Global"  # MIG CreateAppConfigEntry
    classic = adapters.adapter_for("classic_desktop").registration_requests(wanted)
    modern = adapters.adapter_for("modern").registration_requests(wanted)
    assert [r["path"] for r in classic] == ["/api/gateway/aad/cloudName/Azure%20Global/application",
                                            "/api/gateway/aad/writeAppInfo"]
    assert [r["path"] for r in modern] == ["/api/aad/cloudName/Azure%20Global/application", "/api/aad/writeAppInfo"]
    assert classic[0]["body"] == {"properties": {"tenant": "tttttttt", "tenantId": "tttttttt", "clientId": "aaaaaaaa"}}
    assert classic[1]["body"] == {"properties": {"redirectUri": "https://pc1:6600", "appObjectId": "ssssssss"}}


@pytest.mark.parametrize("body", [
    {"properties": {"cloudName": "Azure Global", "tenant": "T1", "tenantId": "T1", "clientId": "A1", "appId": "A1"}},
    {"cloudName": "Azure Global", "tenantId": "T1", "appId": "A1"},  # the SDK's fields without the envelope
])
def test_app_info_answer_is_read_by_the_sdk_fields(body):
    read = adapters.adapter_for("modern").registration_from_rest({"status": 200, "body": body})
    assert read == {"readable": True, "registered": True, "cloud": "Azure Global", "tenant_id": "t1", "app_id": "a1"}
    unreadable = adapters.adapter_for("modern").registration_from_rest({"status": None, "error": "refused"})
    assert unreadable == {"readable": False, "registered": None, "error": "refused", "status": None}


def test_clouds_compare_as_the_sdk_compares_them():
    wanted = registration.desired({"gateway_url": "https://x"}, "AzureUSGovernment", "t", "a")
    assert wanted["cloud"] == "Azure US Gov"
    read = {"registered": True, "tenant_id": "t", "app_id": "a"}
    assert registration.matches({**read, "cloud": "Azure US Gov"}, wanted)
    assert registration.matches({**read, "cloud": "azureusgov"}, wanted)  # getArmEndpoint: no spaces, any case
    # what an earlier version of the collection registered: re-registered once
    assert not registration.matches({**read, "cloud": "AzureUSGovernment"}, wanted)
    assert adapters.wac_cloud_name("Azure China") == "Azure China"
    with pytest.raises(adapters.AdapterError, match="unknown cloud"):
        adapters.wac_cloud_name("AzureGermanCloud")


def test_rest_auth_per_generation():
    desktop = adapters.adapter_for("classic_desktop").rest_auth_input({"username": "u", "password": "p"})
    assert desktop == {"kind": "certificate", "registry_key": r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway",
                       "value": "ClientCertificateThumbprint",
                       "stores": ["Cert:\\CurrentUser\\My", "Cert:\\LocalMachine\\My"]}
    server = adapters.adapter_for("classic_server")
    assert server.rest_auth_input(None) == {"kind": "default"}
    assert server.rest_auth_input({"username": "u", "password": "p"}) == {"kind": "explicit", "username": "u",
                                                                          "password": "p"}
    data = adapters.adapter_for("modern").rest_request_input(6600, [], None)
    assert data["xsrf"] == {"header": "X-XSRF-TOKEN", "cookies": ["WAC-XSRF", "XSRF-TOKEN"]}
    assert data["base_url"] == "https://localhost:6600" and data["read_first"] == "/api/aad/appInfo"
    assert server.rest_request_input(443, [], None)["xsrf"]["cookies"] == ["XSRF-TOKEN"]


def test_restart_marker_location_and_restart_pending():
    server = adapters.adapter_for("classic_server")
    desktop = adapters.adapter_for("classic_desktop")
    assert server.restart_marker == {"location": "HKLM:\\SOFTWARE\\wac.fleet", "name": "GatewayRestartPending"}
    assert desktop.restart_marker is None  # desktop mode: no service, so the proxy write sets no marker
    assert adapters.info_script_input()["markers"]["restart"] == server.restart_marker
    pending = {"set": True, "since": "2026-01-01T00:00:00.0000000Z"}
    for generation, reading in (("classic_server", readings(classic=True, services=["ServerManagementGateway"])),
                                ("classic_desktop", readings(classic=True))):
        assert adapters.describe(reading)["restart_pending"] is False  # older readings: no marker reported
        reading["markers"] = {"restart": {"set": False, "since": None}}
        assert adapters.describe(reading)["restart_pending"] is False
        reading["markers"] = {"restart": pending}
        assert adapters.describe(reading)["restart_pending"] is (generation == "classic_server")


def test_info_input_carries_credentials_only_when_asked():
    assert "credentials" not in adapters.info_script_input()
    credentials = {"username": "u", "password": "p"}
    assert adapters.info_script_input(credentials)["credentials"] == credentials


def test_fact_table_is_complete_and_sourced():
    counts = facts_table.counts()
    assert counts["confirmed"] > counts["UNCONFIRMED"] > 0
    for fact in facts_table.FACTS.values():
        tag = fact.source.split()[0].rstrip(";")
        assert tag in facts_table.SOURCES or fact.status == facts_table.UNCONFIRMED, fact
        assert set(fact.generations) <= set(adapters.GENERATIONS), fact
    with pytest.raises(KeyError):
        facts_table.value("v2.no_such_fact")


def test_a_registration_stopped_between_its_writes_is_pending_again():
    reading = readings(classic=True, services=["ServerManagementGateway"], registration_body={"properties": {
        "cloudName": "Azure Global", "tenant": "t", "tenantId": "t", "clientId": "a"}})
    wanted = registration.desired({"gateway_url": "https://x"}, "AzureCloud", "t", "a")
    assert registration.matches(adapters.describe(reading)["registration"], wanted)
    reading["markers"] = {"registration": {"set": True, "since": "2026-01-01T00:00:00Z"}}
    current = adapters.describe(reading)["registration"]
    assert current["interrupted"] is True and not registration.matches(current, wanted)
    requests = adapters.adapter_for("classic_server").registration_requests(wanted)
    data = adapters.adapter_for("classic_server").rest_request_input(443, requests, None)
    assert data["marker"] == {"location": "HKLM:\\SOFTWARE\\wac.fleet", "name": "RegistrationPending"}
