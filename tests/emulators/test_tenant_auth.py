"""The emulated tenant's identity platform, driven by real msal over real HTTPS with the test CA."""

import threading
import time

import jwt
import msal
import pytest
import requests

from tests.emulators.tenant import clients

# Also registered by tests/conftest.py; naming it here keeps this file runnable on its own.
pytest_plugins = ["tests.emulators.tenant.fixture"]

GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]


def _claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def _confidential(ep, identity, credential, authority=None):
    return msal.ConfidentialClientApplication(
        ep["identities"][identity]["client_id"], client_credential=credential,
        authority=authority or ep["authority"], instance_discovery=False, http_client=clients.http_session(ep),
        token_cache=msal.TokenCache())


def test_discovery_per_tenant_and_common(tenant):
    ep, session = tenant.endpoints, clients.http_session(tenant.endpoints)
    config = session.get(f"{ep['authority']}/v2.0/.well-known/openid-configuration").json()
    assert config["issuer"] == f"{ep['authority']}/v2.0"
    assert config["token_endpoint"] == f"{ep['authority']}/oauth2/v2.0/token"
    assert config["device_authorization_endpoint"].endswith("/oauth2/v2.0/devicecode")
    common = session.get(f"{ep['authority_host']}/common/v2.0/.well-known/openid-configuration").json()
    assert common["issuer"] == f"{ep['authority_host']}/{{tenantid}}/v2.0"
    unknown = session.get(f"{ep['authority_host']}/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400 and unknown.json()["error_codes"] == [90002]


def test_client_secret_token_carries_roles(tenant):
    ep = tenant.endpoints
    result = _confidential(ep, "admin", ep["identities"]["admin"]["client_secret"]).acquire_token_for_client(
        GRAPH_DEFAULT)
    claims = _claims(result["access_token"])
    assert claims["tid"] == ep["tenant_id"]
    assert claims["appid"] == claims["azp"] == ep["identities"]["admin"]["client_id"]
    assert claims["oid"] == ep["identities"]["admin"]["service_principal_id"]
    assert sorted(claims["roles"]) == sorted(ep["identities"]["admin"]["roles"])
    assert "scp" not in claims
    # A custom cloud's Graph resource (the emulator's own URL) names the same resource.
    custom = _confidential(ep, "admin", ep["identities"]["admin"]["client_secret"]).acquire_token_for_client(
        [ep["graph_scope"]])
    assert _claims(custom["access_token"])["aud"] == ep["graph_host"]
    session = clients.http_session(ep)
    session.headers["Authorization"] = f"Bearer {custom['access_token']}"
    assert session.get(f"{ep['graph_url']}/applications?$top=1").status_code == 200


def test_wrong_secret_and_unknown_client_are_aad_errors(tenant):
    ep = tenant.endpoints
    bad = _confidential(ep, "admin", "not-the-secret").acquire_token_for_client(GRAPH_DEFAULT)
    assert bad["error"] == "invalid_client" and bad["error_codes"] == [7000215]
    assert bad["error_description"].startswith("AADSTS7000215:")
    unknown = msal.ConfidentialClientApplication(
        "11111111-2222-3333-4444-555555555555", client_credential="x", authority=ep["authority"],
        instance_discovery=False, http_client=clients.http_session(ep)).acquire_token_for_client(GRAPH_DEFAULT)
    assert unknown["error"] == "unauthorized_client" and unknown["error_codes"] == [700016]
    scope = _confidential(ep, "admin", ep["identities"]["admin"]["client_secret"]).acquire_token_for_client(
        ["https://graph.microsoft.com/Application.Read.All"])
    assert scope["error"] == "invalid_scope"


@pytest.mark.parametrize("form", ["pem", "pfx"])
def test_certificate_credential(tenant, form):
    ep = tenant.endpoints
    cert = ep["identities"]["cert"]
    if form == "pem":
        with open(cert["certificate_path"]) as handle:
            pem = handle.read()
        credential = {"private_key": pem, "public_certificate": pem}
    else:
        credential = {"private_key_pfx_path": cert["pfx_path"], "passphrase": cert["pfx_password"],
                      "public_certificate": True}
    result = _confidential(ep, "cert", credential).acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result
    assert _claims(result["access_token"])["appid"] == cert["client_id"]


def test_certificate_assertion_signed_by_another_key_is_refused(tenant, tmp_path):
    from tests.emulators.tenant import pki

    _cert, pem_path, _pfx, _pw = pki.client_certificate(str(tmp_path), "intruder")
    with open(pem_path) as handle:
        pem = handle.read()
    result = _confidential(tenant.endpoints, "cert", {"private_key": pem, "public_certificate": pem}) \
        .acquire_token_for_client(GRAPH_DEFAULT)
    assert result["error"] == "invalid_client" and result["error_codes"] == [700027]


def test_federated_assertion_read_from_token_file_each_time(tenant):
    ep = tenant.endpoints
    fed = ep["identities"]["federated"]
    reads = []

    def assertion():
        with open(fed["token_file"]) as handle:
            reads.append(1)
            return handle.read().strip()

    result = _confidential(ep, "federated", {"client_assertion": assertion}).acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result
    assert reads and _claims(result["access_token"])["appid"] == fed["client_id"]


def test_federated_assertion_with_wrong_subject_is_refused(tenant):
    ep = tenant.endpoints
    session = clients.http_session(ep)
    other = session.post(f"{ep['control_url']}/federated-token", json={"subject": "repo:evil/fork:ref:x"}).json()
    result = _confidential(ep, "federated", {"client_assertion": lambda: other["token"]}).acquire_token_for_client(
        GRAPH_DEFAULT)
    assert result["error_codes"] == [70021]
    assert "repo:evil/fork:ref:x" in result["error_description"]


def test_device_code_flow_completed_through_the_approval_api(tenant):
    ep = tenant.endpoints
    user = ep["identities"]["device_user"]
    app = msal.PublicClientApplication(user["client_id"], authority=ep["authority"], instance_discovery=False,
                                       http_client=clients.http_session(ep))
    flow = app.initiate_device_flow(scopes=["https://graph.microsoft.com/Application.ReadWrite.All"])
    assert flow["user_code"] in flow["message"]

    def approve():
        time.sleep(0.3)
        clients.http_session(ep).post(f"{ep['control_url']}/device/approve", json={"user_code": flow["user_code"]})

    threading.Thread(target=approve).start()
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    claims = _claims(result["access_token"])
    assert set(claims["scp"].split()) == set(user["scopes"])
    assert claims["upn"] == user["username"] and "roles" not in claims
    # The cache now holds an account, so a re-run is silent (refresh token grant).
    account = app.get_accounts()[0]
    assert account["username"] == user["username"]
    again = app.acquire_token_silent(["https://graph.microsoft.com/Application.ReadWrite.All"], account,
                                     force_refresh=True)
    assert "access_token" in again
    polls = [e for e in tenant.requests(path_prefix=None) if e["path"].endswith("/oauth2/v2.0/token")]
    assert {e["status"] for e in polls} >= {400, 200}  # authorization_pending, then the token


def test_device_code_scope_without_consent_is_refused(tenant):
    ep = tenant.endpoints
    tenant.model.faults.configure(auto_approve_device=True)
    app = msal.PublicClientApplication(ep["identities"]["device_user"]["client_id"], authority=ep["authority"],
                                       instance_discovery=False, http_client=clients.http_session(ep))
    flow = app.initiate_device_flow(scopes=["https://graph.microsoft.com/User.Read.All"])
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "invalid_grant" and result["error_codes"] == [65001]


@pytest.mark.parametrize("protocol", ["app_service", "imds"])
def test_managed_identity(tenant, monkeypatch, protocol):
    ep = tenant.endpoints
    for name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT",
                 "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"):
        monkeypatch.delenv(name, raising=False)
    if protocol == "app_service":
        monkeypatch.setenv("IDENTITY_ENDPOINT", ep["managed_identity_endpoint"])
        monkeypatch.setenv("IDENTITY_HEADER", ep["managed_identity_header"])
    else:
        monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", ep["imds_host"])
    client = msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=clients.http_session(ep),
                                        token_cache=msal.TokenCache())
    result = client.acquire_token_for_client(resource="https://graph.microsoft.com")
    assert "access_token" in result, result
    claims = _claims(result["access_token"])
    assert claims["appid"] == ep["identities"]["managed"]["client_id"]
    assert "Application.ReadWrite.All" in claims["roles"]
    user_assigned = msal.ManagedIdentityClient(
        msal.UserAssignedManagedIdentity(client_id=ep["identities"]["managed"]["client_id"]),
        http_client=clients.http_session(ep), token_cache=msal.TokenCache())
    assert "access_token" in user_assigned.acquire_token_for_client(resource="https://graph.microsoft.com")
    custom_cloud = client.acquire_token_for_client(resource=ep["graph_host"])  # the custom cloud's Graph resource
    assert _claims(custom_cloud["access_token"])["aud"] == ep["graph_host"]


def test_token_endpoint_faults_then_recovery(tenant):
    ep = tenant.endpoints
    tenant.model.faults.configure(token_errors_next=2, token_error="server_error")
    session = clients.http_session(ep)
    form = {"grant_type": "client_credentials", "client_id": ep["identities"]["admin"]["client_id"],
            "client_secret": ep["identities"]["admin"]["client_secret"], "scope": GRAPH_DEFAULT[0]}
    url = f"{ep['authority']}/oauth2/v2.0/token"
    first, second, third = (session.post(url, data=form) for _i in range(3))
    assert first.status_code == second.status_code == 500
    assert first.json()["error"] == "server_error" and first.json()["error_codes"]
    assert third.status_code == 200 and third.json()["token_type"] == "Bearer"


def test_graph_refuses_tokens_it_did_not_issue(tenant):
    ep = tenant.endpoints
    claims = {"tid": ep["tenant_id"], "aud": "https://graph.microsoft.com", "roles": ["Directory.ReadWrite.All"],
              "exp": int(time.time()) + 600}
    forged = jwt.encode(claims, "a-key-the-emulator-never-used-for-anything", algorithm="HS256")
    response = requests.Session()
    response.trust_env = False
    answer = response.get(f"{ep['graph_url']}/applications", headers={"Authorization": f"Bearer {forged}"},
                          verify=ep["ca_bundle"])
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert answer.headers["request-id"] == answer.json()["error"]["innerError"]["request-id"]
