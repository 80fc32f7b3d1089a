"""Cloud table and input validation of the Entra side (pure logic)."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import CloudError, normalize_host, resolve_cloud
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import (
    InputError,
    check_guid,
    check_redirect_uri,
    check_tenant,
    check_unique_name,
    odata_string,
)


@pytest.mark.parametrize(("name", "login", "graph"), [
    ("AzureCloud", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
    ("AzureChinaCloud", "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn"),
    ("AzureUSGovernment", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
    ("AzureUSGovernmentDoD", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
])
def test_each_cloud_resolves_its_endpoints(name, login, graph):
    cloud = resolve_cloud(name)
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert cloud.authority(tenant) == f"{login}/{tenant}"
    assert cloud.graph_url == f"{graph}/v1.0"
    assert cloud.graph_scope == f"{graph}/.default"
    assert cloud.graph_resource == graph
    assert not cloud.is_custom


def test_custom_cloud_needs_both_hosts_and_normalizes_them():
    cloud = resolve_cloud("custom", "https://127.0.0.1:8443/", "LOCALHOST:9443")
    assert (cloud.authority_host, cloud.graph_host) == ("https://127.0.0.1:8443", "https://localhost:9443")
    assert cloud.is_custom and cloud.graph_scope == "https://localhost:9443/.default"
    with pytest.raises(CloudError, match="authority_host and graph_host"):
        resolve_cloud("custom")
    with pytest.raises(CloudError, match="graph_host"):
        resolve_cloud("custom", "login.example")


def test_named_cloud_host_override_and_unknown_cloud():
    assert resolve_cloud("AzureChinaCloud", "login.chinacloudapi.cn").authority_host == "https://login.chinacloudapi.cn"
    with pytest.raises(CloudError, match="unknown cloud 'AzureGermanCloud'"):
        resolve_cloud("AzureGermanCloud")


@pytest.mark.parametrize("value", ["http://login.example", "https://login.example/tenant", "https://u:p@login.example",
                                   "https://login.example:99999", "https://?x=1"])
def test_hosts_must_be_plain_https(value):
    with pytest.raises(CloudError, match="graph_host"):
        normalize_host(value, "graph_host")


def test_guid_and_tenant():
    assert check_guid("3B8F1C5E-0D2A-4F55-9B1E-8D7C6A5B4E3F", "app_id") == "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
    for bad in ("1234", "3b8f1c5e0d2a4f559b1e8d7c6a5b4e3f", "{3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f}", None, 42):
        with pytest.raises(InputError, match="app_id"):
            check_guid(bad, "app_id")
    assert check_tenant("Contoso.onmicrosoft.com") == "contoso.onmicrosoft.com"
    for bad in ("not-a-guid", "contoso", "", "a b.example"):
        with pytest.raises(InputError, match="tenant_id"):
            check_tenant(bad)


@pytest.mark.parametrize("uri", ["https://localhost:6516", "http://localhost:6516", "http://127.0.0.1:6516/x",
                                 "http://[::1]:6516", "https://wac.contoso.example", "https://gw.example:443/path?q=1"])
def test_good_redirect_uris(uri):
    assert check_redirect_uri(uri) == uri


@pytest.mark.parametrize(("uri", "why"), [
    ("http://wac.contoso.example:6516", "must use https"),
    ("ftp://localhost", "must be an https URL"),
    ("https://localhost:6516/#frag", "fragment"),
    ("https://", "absolute URL"),
    ("localhost:6516", "absolute URL"),
    ("https://local host", "white space"),
    ("https://localhost:70000", "invalid port"),
    ("https://a.example/" + "x" * 260, "longer than 256"),
    ("", "non-empty"),
])
def test_bad_redirect_uris(uri, why):
    with pytest.raises(InputError, match=why) as err:
        check_redirect_uri(uri, "redirect_uris[3]")
    assert "redirect_uris[3]" in str(err.value)


def test_unique_name_and_odata_quoting():
    assert check_unique_name("wac-fleet shared") == "wac-fleet shared"
    for bad in ("", "   ", "a\nb", "x" * 121):
        with pytest.raises(InputError, match="unique_name"):
            check_unique_name(bad)
    assert odata_string("O'Brien's app") == "'O''Brien''s app'"
