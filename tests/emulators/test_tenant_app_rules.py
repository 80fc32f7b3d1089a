"""Rules the emulated tenant applies to applications as Graph does: the redirect-URI limit of each sign-in audience
(all platforms together), app roles (shape, unique values, no enabled role removed or changed), and app role
assignments to users and groups. Over real HTTPS with an msal token, as a client sees them."""

import uuid

from tests.emulators.tenant import clients
from tests.emulators.tenant.clients import UPSERT

pytest_plugins = ["tests.emulators.tenant.fixture"]

_error = clients.graph_error


def _uris(count, host="gw"):
    return [f"https://{host}-{i:04d}.contoso.test:6600" for i in range(count)]


def _role(value, **extra):
    return {"allowedMemberTypes": ["User"], "description": f"{value} role", "displayName": value,
            "id": str(uuid.uuid4()), "isEnabled": True, "value": value, **extra}


def test_256_redirect_uris_on_all_platforms_together(graph):
    app = graph.post("/applications", json={"displayName": "full", "spa": {"redirectUris": _uris(200)}}).json()
    assert graph.patch(f"/applications/{app['id']}", json={"web": {"redirectUris": _uris(56, "web")}}) \
        .status_code == 204
    body = _error(graph.patch(f"/applications/{app['id']}", json={"spa": {"redirectUris": _uris(201)}}), 400,
                  "Request_BadRequest")
    assert "'spa'" in body["message"] and "257" in body["message"]
    _error(graph.patch(f"/applications/{app['id']}", json={"publicClient": {"redirectUris": ["https://x.test"]}}),
           400, "Request_BadRequest")
    stored = graph.get(f"/applications/{app['id']}").json()
    assert len(stored["spa"]["redirectUris"]) == 200 and len(stored["web"]["redirectUris"]) == 56, "refused = unchanged"
    _error(graph.post("/applications", json={"displayName": "too many", "spa": {"redirectUris": _uris(257)}}), 400,
           "Request_BadRequest")
    _error(graph.patch("/applications(uniqueName='too-many')", headers=UPSERT,
                       json={"displayName": "too many", "spa": {"redirectUris": _uris(257)}}), 400,
           "Request_BadRequest")


def test_personal_accounts_allow_100_and_an_audience_change_is_checked_too(graph):
    personal = {"signInAudience": "AzureADandPersonalMicrosoftAccount"}
    assert graph.post("/applications", json={"displayName": "p", **personal,
                                             "spa": {"redirectUris": _uris(100)}}).status_code == 201
    _error(graph.post("/applications", json={"displayName": "p", **personal, "spa": {"redirectUris": _uris(101)}}),
           400, "Request_BadRequest")
    org = graph.post("/applications", json={"displayName": "o", "spa": {"redirectUris": _uris(150)}}).json()
    body = _error(graph.patch(f"/applications/{org['id']}", json=personal), 400, "Request_BadRequest")
    assert "'signInAudience'" in body["message"]
    assert graph.get(f"/applications/{org['id']}").json()["signInAudience"] == "AzureADMyOrg"


def test_app_roles_are_validated(graph):
    app = graph.post("/applications", json={"displayName": "roles"}).json()
    path = f"/applications/{app['id']}"
    bad = {
        "duplicate value": [_role("User"), _role("User")],
        "duplicate id": [_role("User"), {**_role("Admin"), "id": "00000000-0000-0000-0000-0000000000aa"},
                         {**_role("Other"), "id": "00000000-0000-0000-0000-0000000000AA"}],
        "id not a GUID": [{**_role("User"), "id": "user"}],
        "no member types": [_role("User", allowedMemberTypes=[])],
        "unknown member type": [_role("User", allowedMemberTypes=["Group"])],
        "space in value": [_role("Gateway User")],
        "value starts with a dot": [_role(".User")],
        "origin is read-only": [_role("User", origin="Application")],
    }
    for case, roles in bad.items():
        assert graph.patch(path, json={"appRoles": roles}).status_code == 400, case
    good = [_role("User"), _role("Admin", allowedMemberTypes=["User", "Application"])]
    assert graph.patch(path, json={"appRoles": good}).status_code == 204
    stored = graph.get(path).json()["appRoles"]
    assert [(r["value"], r["origin"], r["isEnabled"]) for r in stored] == [
        ("User", "Application", True), ("Admin", "Application", True)]
    sp = graph.post("/servicePrincipals", json={"appId": app["appId"]}).json()
    assert [r["value"] for r in sp["appRoles"]] == ["User", "Admin"], "the service principal shows the app's roles"


def test_an_enabled_role_is_neither_removed_nor_changed_until_disabled(tenant, graph):
    user_role, admin_role = _role("User"), _role("Admin")
    app = graph.post("/applications", json={"displayName": "roles", "appRoles": [user_role, admin_role]}).json()
    sp = graph.post("/servicePrincipals", json={"appId": app["appId"]}).json()
    user = tenant.model.add_user("ann@wacfleet.onmicrosoft.com", "Ann")
    path = f"/applications/{app['id']}"
    assigned = graph.post(f"/servicePrincipals/{sp['id']}/appRoleAssignedTo",
                          json={"principalId": user["id"], "resourceId": sp["id"], "appRoleId": admin_role["id"]})
    assert assigned.status_code == 201 and assigned.json()["principalType"] == "User"

    _error(graph.patch(path, json={"appRoles": [user_role]}), 400, "CannotDeleteOrUpdateEnabledEntitlement")
    _error(graph.patch(path, json={"appRoles": [user_role, {**admin_role, "value": "Owner"}]}), 400,
           "CannotDeleteOrUpdateEnabledEntitlement")
    assert graph.patch(path, json={"appRoles": [user_role, {**admin_role, "isEnabled": False}]}).status_code == 204
    _error(graph.post(f"/servicePrincipals/{sp['id']}/appRoleAssignedTo",
                      json={"principalId": user["id"], "resourceId": sp["id"], "appRoleId": admin_role["id"]}),
           400, "Request_BadRequest")  # a disabled role is no longer assignable
    assert graph.patch(path, json={"appRoles": [user_role]}).status_code == 204
    assert graph.get(f"/servicePrincipals/{sp['id']}/appRoleAssignedTo").json()["value"] == []


def test_users_and_groups_are_assigned_user_roles_and_service_principals_application_roles(tenant, graph):
    user_role, app_only = _role("User"), _role("Robot", allowedMemberTypes=["Application"])
    app = graph.post("/applications", json={"displayName": "assign", "appRoles": [user_role, app_only]}).json()
    sp = graph.post("/servicePrincipals", json={"appId": app["appId"]}).json()
    other = graph.post("/applications", json={"displayName": "client"}).json()
    client_sp = graph.post("/servicePrincipals", json={"appId": other["appId"]}).json()
    user = tenant.model.add_user("bob@wacfleet.onmicrosoft.com", "Bob")
    group = tenant.model.add_group("WAC gateway users")
    to = f"/servicePrincipals/{sp['id']}/appRoleAssignedTo"

    def assign(principal, role):
        return graph.post(to, json={"principalId": principal, "resourceId": sp["id"], "appRoleId": role["id"]})

    assert assign(user["id"], user_role).json()["principalType"] == "User"
    created = assign(group["id"], user_role)
    assert created.status_code == 201 and created.json()["principalType"] == "Group"
    assert created.json()["principalDisplayName"] == "WAC gateway users"
    _error(assign(group["id"], user_role), 409, "Request_MultipleObjectsWithSameKeyValue")
    _error(assign(client_sp["id"], user_role), 400, "Request_BadRequest")
    _error(assign(group["id"], app_only), 400, "Request_BadRequest")
    assert assign(client_sp["id"], app_only).status_code == 201
    _error(assign(str(uuid.uuid4()), user_role), 404, "Request_ResourceNotFound")
    listed = graph.get(to).json()["value"]
    assert sorted(a["principalType"] for a in listed) == ["Group", "ServicePrincipal", "User"]
    assert graph.delete(f"{to}/{created.json()['id']}").status_code == 204


def test_applications_filter_on_a_tag(graph):
    for name, tags in (("a", ["wac.fleet:fleet:x", "other"]), ("b", ["wac.fleet:fleet:y"]), ("c", [])):
        assert graph.post("/applications", json={"displayName": name, "tags": tags}).status_code == 201
    found = graph.get("/applications?$filter=tags/any(t:t eq 'wac.fleet:fleet:x')&$select=displayName,tags")
    assert [a["displayName"] for a in found.json()["value"]] == ["a"]
    _error(graph.get("/applications?$filter=notes/any(n:n eq 'x')"), 400, "Request_UnsupportedQuery")
