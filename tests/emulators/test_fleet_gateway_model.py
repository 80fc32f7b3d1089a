"""The emulated WAC gateway as Microsoft's own scripts describe it, with no script of ours involved: its layout
(CFG, MIG, NAA) and what its REST API accepts and refuses (SDK, NAA, WSD, AWD). Sources: docs/gateway.md."""

from __future__ import annotations

import json

import pytest

from tests.emulators.fleet.gateway_api import WebRequest
from tests.emulators.fleet.gateway_model import (
    APPSETTINGS,
    CLASSIC_KEY,
    CURRENT_USER_MY,
    STOPPED,
    ConnectionRefused,
    GatewayModel,
)
from tests.emulators.fleet.machine import NETWORK_SERVICE_FULL
from tests.emulators.fleet.session import Session

TENANT = "11111111-2222-3333-4444-555555555555"
APP = "66666666-7777-8888-9999-000000000000"
NTLM = Session.for_auth("wac-admin", "ntlm")
CREDSSP = Session.for_auth("wac-admin", "credssp")
ACCOUNT = {"kind": "explicit", "username": "wac-admin", "password": "Pa55"}


def model(generation: str, **options) -> GatewayModel:
    return GatewayModel(generation, "pc1", "PC1.fleet.wac.test", accounts={"wac-admin": "Pa55"}, **options)


def call(gateway: GatewayModel, method: str, path: str, *, auth=None, session=NTLM, body=None, headers=None,
         port=None):
    url = f"https://localhost:{port or gateway.port}{path}"
    return gateway.http(WebRequest(method, url, body, headers or {}, {}, auth or ACCOUNT, session))


def register(gateway: GatewayModel, cloud="Azure%20Global", body=None, headers=None, auth=None):
    root = gateway.rest_root
    headers = {"X-XSRF-TOKEN": gateway.xsrf_token} if headers is None else headers
    body = body or {"properties": {"tenant": TENANT, "tenantId": TENANT, "clientId": APP}}
    return call(gateway, "PUT", f"{root}/cloudName/{cloud}/application", body=body, headers=headers, auth=auth)


# ------------------------------------------------------------------------------------------------ layout
def test_modern_appsettings_as_cfg_reads_it():
    gateway = model("modern", port=6600, endpoint_fqdn="WAC.Contoso.test", service_fqdn="wac-internal.contoso.test")
    settings = json.loads(gateway.file_read(APPSETTINGS))
    assert settings["Kestrel"]["Endpoints"]["WindowsAdminCenter"]["Url"] == "https://*:6600"  # Get-WACHttpsPorts
    http = settings["WindowsAdminCenter"]["Http"]
    assert http["HttpSysUrls"] == ["https://+:6600"] and http["Proxy"] is None
    assert (http["EndpointFqdn"], http["ServiceFqdn"]) == ("wac.contoso.test", "wac-internal.contoso.test")
    system = settings["WindowsAdminCenter"]["System"]
    assert system["FileVersion"] == gateway.version and system["TokenAuthenticationMode"] == "WindowsAuthentication"
    assert "Hosting" not in settings["WindowsAdminCenter"]  # no such section in CFG
    # Set-WACNetworkServiceAccess: NetworkService has FullControl on the file
    assert NETWORK_SERVICE_FULL in gateway.file_acl(APPSETTINGS)
    assert gateway.to_dict()["appsettings_network_service_access"] is True


def test_modern_services_as_cfg_registers_them():
    gateway = model("modern")
    # Register-WACService -Automatic; Register-WACAccountManagementService: start= demand, so it is Stopped
    expected = {"WindowsAdminCenter": "Automatic", "WindowsAdminCenterAccountManagement": "Manual"}
    assert gateway.to_dict()["start_types"] == expected
    assert gateway.service_state("WindowsAdminCenterAccountManagement") == STOPPED
    assert gateway.listening()  # WindowsAdminCenter alone serves HTTPS
    gateway.apply({"services": {"WindowsAdminCenter": "Stopped"}})
    assert not gateway.listening()


def test_classic_registry_as_mig_and_naa_read_it():
    server, desktop = model("classic_server"), model("classic_desktop")
    values = server.registry_values(CLASSIC_KEY)
    assert {"SmePort", "Version", "InstallDir"} <= set(values) and "ClientCertificateThumbprint" not in values
    thumbprint = desktop.registry_values(CLASSIC_KEY)["ClientCertificateThumbprint"]
    assert desktop.find_certificate(CURRENT_USER_MY, thumbprint) == "CN=Windows Admin Center Client"


def test_a_file_moved_over_appsettings_loses_the_network_service_entry():
    gateway = model("modern")
    gateway.file_create(APPSETTINGS + ".tmp", gateway.file_read(APPSETTINGS))
    gateway.file_move(APPSETTINGS + ".tmp", APPSETTINGS)
    assert gateway.to_dict()["appsettings_network_service_access"] is False
    in_place = model("modern")
    in_place.file_write(APPSETTINGS, in_place.file_read(APPSETTINGS))
    assert in_place.to_dict()["appsettings_network_service_access"] is True


# ------------------------------------------------------------------------------------------------ authentication
@pytest.mark.parametrize("generation", ["classic_server", "modern"])
def test_windows_authentication_needs_credentials_the_logon_can_give(generation):
    gateway = model(generation)
    path = f"{gateway.rest_root}/appInfo"
    assert call(gateway, "GET", path, auth={"kind": "default"}, session=NTLM).status == 401
    assert call(gateway, "GET", path, auth={"kind": "default"}, session=CREDSSP).status == 200
    assert call(gateway, "GET", path, auth=ACCOUNT).status == 200
    assert call(gateway, "GET", path, auth={**ACCOUNT, "password": "wrong"}).status == 401
    assert call(gateway, "GET", path, auth={"kind": "none"}).status == 401


def test_desktop_mode_takes_only_its_client_certificate():
    gateway = model("classic_desktop")
    path = f"{gateway.rest_root}/appInfo"
    assert call(gateway, "GET", path, auth=ACCOUNT, session=CREDSSP).status == 403
    assert call(gateway, "GET", path, auth={"kind": "certificate", "thumbprint": "00" * 20}).status == 403
    own = {"kind": "certificate", "thumbprint": gateway.client_certificate}
    assert call(gateway, "GET", path, auth=own).status == 200


def test_form_login_refuses_windows_authentication():
    gateway = model("modern", login_mode="FormLogin")
    assert call(gateway, "GET", "/api/aad/appInfo", auth=ACCOUNT, session=CREDSSP).status == 401
    with pytest.raises(ValueError, match="login mode"):
        model("modern", login_mode="Basic")


def test_writes_need_the_xsrf_cookie_echoed():
    gateway = model("classic_server")
    read = call(gateway, "GET", "/api/gateway/aad/appInfo")
    assert read.cookies == {"XSRF-TOKEN": gateway.xsrf_token}
    assert call(model("modern"), "GET", "/api/aad/appInfo").cookies.keys() == {"WAC-XSRF"}
    assert register(gateway, headers={}).status == 400
    assert register(gateway, headers={"X-XSRF-TOKEN": "forged"}).status == 400
    assert register(gateway).status == 200


def test_nothing_answers_on_another_port_or_while_stopped():
    gateway = model("classic_server", port=6600)
    with pytest.raises(ConnectionRefused):
        call(gateway, "GET", "/api/gateway/aad/appInfo", port=443)
    gateway.apply({"services": "Stopped"})
    with pytest.raises(ConnectionRefused):
        call(gateway, "GET", "/api/gateway/aad/appInfo")


@pytest.mark.parametrize("generation", ["classic_server", "classic_desktop", "modern"])
def test_only_the_generations_own_root_answers(generation):
    gateway = model(generation)
    desktop = generation == "classic_desktop"
    auth = {"kind": "certificate", "thumbprint": gateway.client_certificate} if desktop else None
    other = "/api/aad" if gateway.rest_root == "/api/gateway/aad" else "/api/gateway/aad"
    assert call(gateway, "GET", f"{gateway.rest_root}/appInfo", auth=auth).status == 200
    assert call(gateway, "GET", f"{other}/appInfo", auth=auth).status == 404


# ------------------------------------------------------------------------------------------------ registration
def test_registration_as_mig_stores_it_and_the_sdk_reads_it():
    gateway = model("modern")
    assert call(gateway, "GET", "/api/aad/appInfo").body == {"properties": {}}
    assert register(gateway).status == 200
    body = {"properties": {"redirectUri": "https://pc1.fleet.wac.test", "appObjectId": "sp-object-id"}}
    headers = {"X-XSRF-TOKEN": gateway.xsrf_token}
    assert call(gateway, "PUT", "/api/aad/writeAppInfo", body=body, headers=headers).status == 200
    answer = call(gateway, "GET", "/api/aad/appInfo").body["properties"]
    # SDK AadAppConfig: no redirect URI and no object ID in it
    assert set(answer) == {"cloudName", "tenant", "tenantId", "clientId", "appId", "appDisplayName",
                           "appVerifyAddress"}
    assert answer["cloudName"] == "Azure Global" and answer["clientId"] == APP
    assert gateway.aad_status == {"redirectUri": "https://pc1.fleet.wac.test", "aapObjectId": "sp-object-id",
                                  "aadAuthEnabled": False}  # MIG's v2 spelling
    assert call(gateway, "DELETE", "/api/aad/application", headers=headers).status == 204
    assert gateway.registration() is None


@pytest.mark.parametrize(("cloud", "status"), [("Azure%20China", 200), ("azureusgov", 200), ("AzureCloud", 400),
                                               ("AzureGermanCloud", 400)])
def test_only_the_cloud_names_wac_stores_register(cloud, status):
    gateway = model("classic_server")
    assert register(gateway, cloud=cloud).status == status


def test_the_registration_body_needs_naas_tenant_member():
    gateway = model("classic_server")
    assert register(gateway, body={"properties": {"tenantId": TENANT, "clientId": APP}}).status == 400
    assert gateway.registration() is None


@pytest.mark.parametrize("generation", ["classic_server", "modern"])
def test_registration_fails_until_the_gateway_restarts_after_a_proxy_change(generation):
    gateway = model(generation, start_delay=0)
    gateway.set_proxy({"address": "http://proxy:3128"})
    assert gateway.to_dict()["proxy_pending_restart"] is True
    assert register(gateway).status == 502
    service = gateway.gateway_service
    gateway.stop_service_and_wait(service, 5)
    gateway.start_service(service)
    assert register(gateway).status == 200


def test_proxy_credentials_the_gateway_cannot_read_break_its_calls_to_azure():
    gateway = model("modern", start_delay=0)
    settings = gateway.settings()
    settings["WindowsAdminCenter"]["Http"]["Proxy"] = {"Address": "http://p:1", "BypassOnLocal": True,
                                                       "BypassList": [], "ProtectedData": "AQAAANCMnd8B..."}
    gateway.file_write(APPSETTINGS, json.dumps(settings))
    gateway.stop_service_and_wait("WindowsAdminCenter", 5)
    gateway.start_service("WindowsAdminCenter")
    assert gateway.proxy()["credentials_readable"] is False
    answer = register(gateway)
    assert answer.status == 502 and "407" in answer.body["error"]["message"]


def test_set_proxy_writes_cfgs_form_and_keeps_the_service_fqdn_bypassed():
    gateway = model("modern", service_fqdn="wac-internal.contoso.test")
    gateway.set_proxy({"address": "http://p:1", "username": "bob", "password": "S3cret:x"})
    document = gateway.settings()["WindowsAdminCenter"]["Http"]["Proxy"]
    assert document["ProtectedData"] == "" and document["Credentials"].startswith("plaintext:")
    assert document["BypassList"] == ["wac-internal.contoso.test"]
    assert gateway.proxy()["username"] == "bob" and gateway.proxy_password() == "S3cret:x"


def test_to_dict_and_apply_drift():
    gateway = model("classic_desktop")
    state = gateway.apply({"proxy": {"address": "http://drift:8080", "bypass_list": ["a.b"]},
                           "registration": {"tenant_id": TENANT, "app_id": APP, "cloud": "AzureCloud"},
                           "desktop_running": False})
    json.dumps(state)
    assert state["proxy"]["address"] == "http://drift:8080" and state["registration"]["cloud"] == "AzureCloud"
    assert state["listening"] is False
    with pytest.raises(ValueError, match="unknown model fields"):
        gateway.apply({"colour": "blue"})
    with pytest.raises(ValueError, match="login_mode"):
        gateway.apply({"login_mode": "FormLogin"})  # only v2 has one
    with pytest.raises(ValueError, match="unknown generation"):
        GatewayModel("v3", "x", "x.test")
