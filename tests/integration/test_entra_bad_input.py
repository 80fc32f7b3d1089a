"""Bad input to the entra_* plugins fails with a message naming the field and sends no request at all (not even
a token request); what needs the tenant to tell (unknown app_id, unknown permission, missing privilege) fails
with no write."""

from __future__ import annotations

from tests.integration._entra_support import connection, run_playbook

GOOD_APP = {"unique_name": "wac-bad-input", "redirect_uris": ["https://localhost:6516"]}


def test_local_bad_input_sends_nothing(tenant, tmp_path):
    ep = tenant.endpoints
    base = connection(ep)
    fed = connection(ep, "federated")
    cert = ep["identities"]["cert"]
    missing_file = str(tmp_path / "does-not-exist")

    def app(name, expect, **args):
        return {"name": name, "wac.fleet.entra_app": {**base, **GOOD_APP, **args}, "vars": {"expect": expect}}

    tasks = [
        app("tenant guid", "tenant_id", tenant_id="not-a-guid"),
        app("app guid", "app_id", unique_name=None, app_id="1234"),
        app("http uri", "redirect_uris[0]", redirect_uris=["http://gw.contoso.example:6516"]),
        app("uri fragment", "redirect_uris[1]", redirect_uris=["https://localhost:6516", "https://a.example/#x"]),
        app("unknown cloud", "cloud", cloud="AzureGermanCloud"),
        app("custom without hosts", "graph_host", graph_host=None),
        app("http authority", "authority_host", authority_host="http://127.0.0.1:1"),
        app("no credentials", "no credentials", client_secret=None),
        app("two kinds", "client_secret and federated_token_file",
            federated_token_file=fed.get("federated_token_file") or ep["identities"]["federated"]["token_file"]),
        app("explicit method conflict", "client_secret", auth_method="certificate",
            certificate_path=cert["certificate_path"]),
        app("unreadable certificate", "certificate_path", client_secret=None, certificate_path=missing_file),
        app("wrong pfx passphrase", "certificate_password", client_secret=None, certificate_path=cert["pfx_path"],
            certificate_password="wrong"),
        app("unreadable token file", "federated_token_file", client_secret=None, federated_token_file=missing_file),
        app("missing ca bundle", "ca_bundle", ca_bundle=missing_file),
        app("both keys", "unique_name", app_id="3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"),
        app("negative bound", "retry_max_seconds", retry_max_seconds=-1),
        app("bad permission shape", "required_resource_access[0]", required_resource_access=[{"delegated": ["x"]}]),
        {"name": "consent app guid", "wac.fleet.entra_admin_consent": {**base, "app_id": "nope"},
         "vars": {"expect": "app_id"}},
        {"name": "info two keys", "wac.fleet.entra_app_info": {**base, "app_id": "nope", "display_name": "x"},
         "vars": {"expect": "app_id"}},
        {"name": "defaults reach", "wac.fleet.entra_app_info": {"unique_name": "x"},
         "module_defaults": {"group/wac.fleet.entra": {**base, "tenant_id": "tenant-from-module-defaults"}},
         "vars": {"expect": "tenant-from-module-defaults"}},
    ]
    for task in tasks:  # None means "leave the option out"
        module = next(k for k in task if k.startswith("wac.fleet."))
        task[module] = {k: v for k, v in task[module].items() if v is not None}
    run, res = run_playbook(tmp_path, tasks, None)
    for task in tasks:
        result = res[task["name"]]
        assert result.get("failed"), (task["name"], result)
        assert task["vars"]["expect"] in result["msg"], (task["name"], result["msg"])
        assert "Traceback" not in result["msg"]
    assert tenant.requests(path_prefix=None) == [], "bad input must not reach the tenant"
    assert "Traceback" not in run.output


def test_bad_input_the_tenant_tells_writes_nothing(tenant, tmp_path):
    ep = tenant.endpoints
    model = tenant.model
    app = model.create_application({"displayName": "consent-me", "requiredResourceAccess": [{
        "resourceAppId": "00000003-0000-0000-c000-000000000000",
        "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}]}]})
    model.create_service_principal({"appId": app.props["appId"]})
    tasks = [
        {"name": "unknown permission", "wac.fleet.entra_app": {**GOOD_APP, "required_resource_access": [
            {"resource": "Microsoft Graph", "delegated": ["User.Read", "Not.A.Permission"]}]}},
        {"name": "unknown app id", "wac.fleet.entra_app": {"app_id": "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"}},
        {"name": "consent unknown app id", "wac.fleet.entra_admin_consent": {
            "app_id": "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"}},
        {"name": "reader consent", "wac.fleet.entra_admin_consent": {
            "app_id": app.props["appId"], **connection(ep, "reader")}},
        {"name": "reader create", "wac.fleet.entra_app": {**GOOD_APP, **connection(ep, "reader")}},
    ]
    _process, res = run_playbook(tmp_path, tasks, connection(ep))
    assert "'Not.A.Permission'" in res["unknown permission"]["msg"]
    assert "Microsoft Graph" in res["unknown permission"]["msg"]
    assert "does not exist" in res["unknown app id"]["msg"]
    assert "does not exist" in res["consent unknown app id"]["msg"]
    msg = res["reader consent"]["msg"]
    assert "DelegatedPermissionGrant.ReadWrite.All" in msg and "Authorization_RequestDenied" in msg, msg
    assert res["reader consent"]["graph_error"]["status"] == 403
    assert res["reader consent"]["graph_error"]["request_id"]
    assert "Application.ReadWrite.All" in res["reader create"]["msg"]
    assert all(r["failed"] for r in res.values())
    assert [e for e in tenant.requests(write_only=True) if e["status"] < 400] == []
