"""The per-generation adapters: detection from raw readings, URLs, proxy shapes, registration requests."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_adapters as adapters


def readings(classic=False, modern=False, services=(), processes=None, port=None, proxy=None, credentials=None):
    def store(found, values):
        return {"found": found, "values": values if found else {}, "proxy_credentials": credentials,
                "registration": {"status": 200, "body": {"properties": {}}} if found else None}
    return {
        "stores": {"classic": store(classic, {"port": port, "version": "1.5", "proxy": proxy}),
                   "modern": store(modern, {"port": port, "endpoint_fqdn": "wac.contoso.com", "proxy": proxy})},
        "services": {name: {"status": "Running"} for name in services},
        "processes": processes or {"SmeDesktop": False},
        "fqdn": "PC1.Contoso.com",
    }


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


def test_urls_per_generation():
    server = adapters.adapter_for("classic_server")
    assert server.redirect_uris("pc1.contoso.com", 443) == ["https://pc1.contoso.com"]
    assert server.redirect_uris("pc1.contoso.com", 6600) == ["https://pc1.contoso.com:6600"]
    desktop = adapters.adapter_for("classic_desktop")
    assert desktop.redirect_uris("pc1.contoso.com", 6516) == ["https://localhost:6516", "http://localhost:6516"]
    modern = adapters.adapter_for("modern")
    assert modern.gateway_url("pc1.contoso.com", 443, "WAC.Contoso.com") == "https://wac.contoso.com"
    assert not desktop.restart_supported and server.restart_supported


def test_describe_modern_uses_endpoint_fqdn_and_default_port():
    services = ["WindowsAdminCenter", "WindowsAdminCenterAccountManagement"]
    facts = adapters.describe(readings(modern=True, services=services))
    assert facts["port"] == 443 and facts["redirect_uris"] == ["https://wac.contoso.com"]
    assert facts["fqdn"] == "pc1.contoso.com" and facts["registration"]["registered"] is False


def test_proxy_shapes():
    classic = adapters.adapter_for("classic_server")
    modern = adapters.adapter_for("modern")
    desired = {"address": "http://p:1", "bypass_on_local": True, "bypass_list": ["a.b"]}
    assert classic.proxy_document(desired) == {"address": "http://p:1", "bypassOnLocal": True, "bypassList": ["a.b"]}
    assert modern.proxy_document(desired) == {"Address": "http://p:1", "BypassOnLocal": True, "BypassList": ["a.b"]}
    read = classic.proxy_from_store({"address": "http://p:1", "bypassOnLocal": False, "bypassList": "a.b;c.d"},
                                    {"set": True, "username": "bob"})
    assert read == {"address": "http://p:1", "bypass_on_local": False, "bypass_list": ["a.b", "c.d"],
                    "credentials_set": True, "username": "bob"}
    assert classic.proxy_from_store({"address": ""}, None) is None


def test_registration_paths_differ_by_generation():
    desired = {"cloud": "AzureCloud", "tenant_id": "t", "app_id": "a", "redirect_uri": "https://x"}
    classic = [r["path"] for r in adapters.adapter_for("classic_desktop").registration_requests(desired)]
    modern = [r["path"] for r in adapters.adapter_for("modern").registration_requests(desired)]
    assert classic == ["/api/gateway/aad/cloudName/AzureCloud/application", "/api/gateway/aad/writeAppInfo"]
    assert modern == ["/api/aad/cloudName/AzureCloud/application", "/api/aad/writeAppInfo"]
    unreadable = adapters.adapter_for("modern").registration_from_rest({"status": None, "error": "refused"})
    assert unreadable == {"readable": False, "registered": None, "error": "refused"}


def test_restart_marker_location_and_restart_pending():
    server = adapters.adapter_for("classic_server")
    desktop = adapters.adapter_for("classic_desktop")
    assert server.restart_marker == {"location": "HKLM:\\SOFTWARE\\wac.fleet", "name": "GatewayRestartPending"}
    assert desktop.restart_marker is None  # desktop mode: no service, so the proxy write sets no marker
    assert adapters.info_script_input()["restart_marker"] == server.restart_marker
    pending = {"set": True, "since": "2026-01-01T00:00:00.0000000Z"}
    for generation, reading in (("classic_server", readings(classic=True, services=["ServerManagementGateway"])),
                                ("classic_desktop", readings(classic=True))):
        assert adapters.describe(reading)["restart_pending"] is False  # older readings: no marker reported
        reading["restart_marker"] = {"set": False, "since": None}
        assert adapters.describe(reading)["restart_pending"] is False
        reading["restart_marker"] = pending
        assert adapters.describe(reading)["restart_pending"] is (generation == "classic_server")
