"""The emulated Microsoft Graph v1.0 subset, driven with requests over real HTTPS and msal tokens."""


from tests.emulators.tenant import clients
from tests.emulators.tenant.clients import UPSERT
from tests.emulators.tenant.wellknown import ARM_APP_ID, GRAPH_APP_ID, GRAPH_PERMISSIONS

# Also registered by tests/conftest.py; naming it here keeps this file runnable on its own.
pytest_plugins = ["tests.emulators.tenant.fixture"]

_error = clients.graph_error


def test_upsert_creates_once_then_updates(tenant, graph):
    created = graph.patch("/applications(uniqueName='wac-fleet-1')", json={"displayName": "WAC"}, headers=UPSERT)
    assert created.status_code == 201
    app = created.json()
    assert app["@odata.context"].endswith("/$metadata#applications/$entity")
    assert app["uniqueName"] == "wac-fleet-1" and app["signInAudience"] == "AzureADMyOrg"
    assert app["createdDateTime"].endswith("Z") and len(app["appId"]) == 36
    updated = graph.patch("/applications(uniqueName='wac-fleet-1')", headers=UPSERT,
                          json={"spa": {"redirectUris": ["https://localhost:6516", "http://localhost:6516"]}})
    assert updated.status_code == 204 and updated.content == b""
    again = graph.get(f"/applications(appId='{app['appId']}')").json()
    assert again["id"] == app["id"] and again["displayName"] == "WAC"
    assert again["spa"]["redirectUris"] == ["https://localhost:6516", "http://localhost:6516"]
    listed = graph.get("/applications?$filter=uniqueName eq 'wac-fleet-1'").json()["value"]
    assert [a["id"] for a in listed] == [app["id"]]
    writes = tenant.requests(write_only=True)
    assert [(e["method"], e["status"]) for e in writes] == [("PATCH", 201), ("PATCH", 204)]
    assert writes[0]["client_id"] == tenant.endpoints["identities"]["admin"]["client_id"]


def test_patch_by_unique_name_without_prefer_is_404(graph):
    _error(graph.patch("/applications(uniqueName='missing')", json={"displayName": "x"}), 404,
           "Request_ResourceNotFound")


def test_get_by_id_app_id_unique_name_and_delete(graph):
    app = graph.post("/applications", json={"displayName": "One", "uniqueName": "one"}).json()
    for path in (f"/applications/{app['id']}", f"/applications(appId='{app['appId']}')",
                 "/applications(uniqueName='one')"):
        assert graph.get(path).json()["id"] == app["id"]
    assert graph.delete(f"/applications/{app['id']}").status_code == 204
    _error(graph.get(f"/applications/{app['id']}"), 404, "Request_ResourceNotFound")
    _error(graph.get("/applications/not-a-guid"), 400, "Request_BadRequest")


def test_paging_filter_and_select(tenant, graph):
    tenant.model.faults.configure(page_size=3)
    for i in range(7):
        assert graph.post("/applications", json={"displayName": f"page-{i}", "tags": ["paged"]}).status_code == 201
    seen, url, pages = [], "/applications?$select=id,displayName", 0
    session = clients.graph_session(tenant.endpoints, "reader")
    response = graph.get(url).json()
    while True:
        pages += 1
        assert set(response["value"][0]) == {"id", "displayName"}
        assert response["@odata.context"].endswith("#applications(id,displayName)")
        seen += [a["displayName"] for a in response["value"]]
        if "@odata.nextLink" not in response:
            break
        response = session.get(response["@odata.nextLink"]).json()
    assert [n for n in seen if n.startswith("page-")] == [f"page-{i}" for i in range(7)]
    assert pages == -(-len(seen) // 3)
    top = graph.get("/applications?$top=2&$filter=startswith(displayName,'page-')").json()
    assert len(top["value"]) == 2 and "$top=2" in top["@odata.nextLink"]
    exact = graph.get("/applications?$filter=displayName eq 'PAGE-4'").json()["value"]
    assert [a["displayName"] for a in exact] == ["page-4"]  # eq on strings is case-insensitive, as in Entra
    _error(graph.get("/applications?$filter=notes eq 'x'"), 400, "Request_UnsupportedQuery")
    _error(graph.get("/applications?$select=nope"), 400, "Request_BadRequest")


def test_bad_bodies_are_400(graph):
    _error(graph.post("/applications", json={"displayName": "x", "redirectUris": []}), 400, "Request_BadRequest")
    _error(graph.post("/applications", json={"displayName": "x", "appId": "1"}), 400, "Request_BadRequest")
    _error(graph.post("/applications", json={"displayName": "x", "spa": {"redirectUris": ["http://evil.example"]}}),
           400, "Request_BadRequest")
    _error(graph.post("/applications", data="{not json", headers={"Content-Type": "application/json"}), 400,
           "Request_BadRequest")


def test_permissions_enforced_per_route(tenant, graph):
    ep = tenant.endpoints
    reader = clients.graph_session(ep, "reader")
    assert reader.get(f"{ep['graph_url']}/applications").status_code == 200
    body = _error(reader.post(f"{ep['graph_url']}/applications", json={"displayName": "x"}), 403,
                  "Authorization_RequestDenied")
    assert body["message"] == "Insufficient privileges to complete the operation."
    _error(reader.get(f"{ep['graph_url']}/oauth2PermissionGrants"), 403, "Authorization_RequestDenied")
    owned_by = clients.graph_session(ep, "owned_by")
    mine = owned_by.post(f"{ep['graph_url']}/applications", json={"displayName": "mine"})
    assert mine.status_code == 201
    assert owned_by.patch(f"{ep['graph_url']}/applications/{mine.json()['id']}",
                          json={"notes": "ok"}).status_code == 204
    theirs = graph.post("/applications", json={"displayName": "theirs"}).json()
    _error(owned_by.patch(f"{ep['graph_url']}/applications/{theirs['id']}", json={"notes": "no"}), 403,
           "Authorization_RequestDenied")


def test_builtin_resources_have_the_real_permission_ids(graph):
    sp = graph.get(f"/servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    scopes = {s["value"]: s["id"] for s in sp["oauth2PermissionScopes"]}
    roles = {r["value"]: r["id"] for r in sp["appRoles"]}
    assert scopes["User.Read"] == "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
    assert roles["Application.ReadWrite.All"] == "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
    assert all(scopes.get(n, s) == s and roles.get(n, r) == r for n, (s, r) in GRAPH_PERMISSIONS.items())
    arm = graph.get(f"/servicePrincipals?$filter=appId eq '{ARM_APP_ID}'").json()["value"][0]
    assert {s["value"]: s["id"] for s in arm["oauth2PermissionScopes"]} == {
        "user_impersonation": "41094075-9dad-400e-a0bd-54e686782033"}


def test_service_principal_grants_and_app_role_assignments(graph):
    app = graph.post("/applications", json={"displayName": "consent me"}).json()
    sp = graph.post("/servicePrincipals", json={"appId": app["appId"]})
    assert sp.status_code == 201
    sp = sp.json()
    _error(graph.post("/servicePrincipals", json={"appId": app["appId"]}), 409,
           "Request_MultipleObjectsWithSameKeyValue")
    resource = graph.get(f"/servicePrincipals(appId='{GRAPH_APP_ID}')").json()
    grant_body = {"clientId": sp["id"], "consentType": "AllPrincipals", "resourceId": resource["id"],
                  "scope": "User.Read"}
    grant = graph.post("/oauth2PermissionGrants", json=grant_body)
    assert grant.status_code == 201
    grant = grant.json()
    _error(graph.post("/oauth2PermissionGrants", json=grant_body), 409, "Request_MultipleObjectsWithSameKeyValue")
    assert graph.patch(f"/oauth2PermissionGrants/{grant['id']}", json={"scope": "User.Read Directory.Read.All"}) \
        .status_code == 204
    listed = graph.get(f"/oauth2PermissionGrants?$filter=clientId eq '{sp['id']}'").json()["value"]
    assert [g["scope"] for g in listed] == ["User.Read Directory.Read.All"]
    role_id = next(r["id"] for r in resource["appRoles"] if r["value"] == "Application.Read.All")
    assignment = {"principalId": sp["id"], "resourceId": resource["id"], "appRoleId": role_id}
    created = graph.post(f"/servicePrincipals/{resource['id']}/appRoleAssignedTo", json=assignment)
    assert created.status_code == 201 and created.json()["principalType"] == "ServicePrincipal"
    _error(graph.post(f"/servicePrincipals/{resource['id']}/appRoleAssignedTo", json=assignment), 409,
           "Request_MultipleObjectsWithSameKeyValue")
    mine = graph.get(f"/servicePrincipals/{sp['id']}/appRoleAssignments").json()["value"]
    assert [a["appRoleId"] for a in mine] == [role_id]
    assigned = graph.get(f"/servicePrincipals/{resource['id']}/appRoleAssignedTo?$filter=principalId eq "
                         f"'{sp['id']}'").json()["value"]
    assert len(assigned) == 1
    assert graph.delete(f"/oauth2PermissionGrants/{grant['id']}").status_code == 204
    assert graph.delete(f"/applications/{app['id']}").status_code == 204  # takes its service principal along
    _error(graph.get(f"/servicePrincipals/{sp['id']}"), 404, "Request_ResourceNotFound")


def test_unknown_segment_is_graph_shaped(graph):
    _error(graph.get("/nothingHere"), 400, "BadRequest")


def test_count_and_orderby_need_consistency_level(graph):
    for name in ("b-app", "a-app", "c-app"):
        graph.post("/applications", json={"displayName": name, "tags": ["sorted"]})
    _error(graph.get("/applications?$count=true"), 400, "Request_UnsupportedQuery")
    eventual = {"ConsistencyLevel": "eventual"}
    body = graph.get("/applications?$count=true&$orderby=displayName desc&$filter=startswith(displayName,'a')"
                     "&$select=displayName", headers=eventual).json()
    assert body["@odata.count"] == 1 and body["value"] == [{"displayName": "a-app"}]
    _error(graph.get("/applications?$orderby=notes", headers=eventual), 400, "Request_UnsupportedQuery")


def test_delegated_token_is_checked_by_its_scopes(tenant):
    import msal

    ep = tenant.endpoints
    tenant.model.faults.configure(auto_approve_device=True)
    user = ep["identities"]["device_user"]
    app = msal.PublicClientApplication(user["client_id"], authority=ep["authority"], instance_discovery=False,
                                       http_client=clients.http_session(ep))
    result = app.acquire_token_by_device_flow(app.initiate_device_flow(["https://graph.microsoft.com/.default"]))
    session = clients.http_session(ep)
    session.headers["Authorization"] = f"Bearer {result['access_token']}"
    created = session.post(f"{ep['graph_url']}/applications", json={"displayName": "by a user"})
    assert created.status_code == 201
    owner = tenant.model.get_application("id", created.json()["id"]).owners
    assert owner == {user["user_id"]}
