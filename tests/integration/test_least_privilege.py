"""Least privilege: the emulated tenant enforces Graph permissions per route. For each Entra plugin (and each of its
modes) the smallest set of application permissions works, and with one fewer the task fails with a message naming
the missing permission, having written nothing. The gateway plugins and roles use no Graph permission at all (they
act over WinRM as a local administrator of the PC).

The identities are seeded into the tenant model with exactly the given app role assignments on Microsoft Graph."""

from __future__ import annotations

import hashlib

from tests.integration._entra_support import run_playbook

GRAPH = "00000003-0000-0000-c000-000000000000"
USER_READ_SCOPE = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"  # Microsoft Graph delegated User.Read
USER_READ_ALL_ROLE = "df021288-bdef-4463-88db-98f22de89214"  # Microsoft Graph application User.Read.All
READ = "Application.Read.All"
OWNED_BY = "Application.ReadWrite.OwnedBy"
READ_WRITE = "Application.ReadWrite.All"
GRANTS = "DelegatedPermissionGrant.ReadWrite.All"
GRANTS_READ = "DelegatedPermissionGrant.Read.All"
ASSIGNMENTS = "AppRoleAssignment.ReadWrite.All"


def identity(tenant, *roles: str) -> dict:
    """Connection options of a caller holding exactly `roles` (created once per session)."""
    name = "least-" + ("+".join(sorted(roles)) or "none")
    secret = "lp-" + hashlib.sha256(name.encode()).hexdigest()[:24]
    ident = tenant.model.identities.get(name) or tenant.model.add_identity(name, list(roles), secrets=[secret])
    ep = tenant.endpoints
    return {"cloud": "custom", "authority_host": ep["authority_host"], "graph_host": ep["graph_host"],
            "ca_bundle": ep["ca_bundle"], "tenant_id": ep["tenant_id"], "client_id": ident.app_id,
            "client_secret": secret}


def task(name: str, module: str, conn: dict, **args) -> dict:
    return {"name": name, f"wac.fleet.{module}": {**conn, **args}}


def check(results: dict, works: list[str], denied: dict[str, str]) -> None:
    for name in works:
        assert not results[name].get("failed"), (name, results[name].get("msg"))
    for name, permission in denied.items():
        result = results[name]
        assert result.get("failed"), (name, result)
        assert "lacks the Microsoft Graph permission" in result["msg"], (name, result["msg"])
        assert permission in result["msg"], (name, result["msg"])


def writes_by(tenant, conn: dict) -> list[dict]:
    """Writes of that caller that Graph carried out (a write refused with 403 changed nothing)."""
    return [e for e in tenant.requests(write_only=True) if e["client_id"] == conn["client_id"] and e["status"] < 400]


def test_entra_app_create_needs_only_application_readwrite_ownedby(tenant, tmp_path):
    minimal, without = identity(tenant, OWNED_BY), identity(tenant, READ)
    new = {"unique_name": "least-create", "redirect_uris": ["https://gw.contoso.test"]}
    tasks = [task("minimal creates", "entra_app", minimal, **new),
             task("minimal re-run", "entra_app", minimal, **new),
             task("without OwnedBy", "entra_app", without, **{**new, "unique_name": "least-create-2"})]
    results = run_playbook(tmp_path, tasks)[1]
    check(results, ["minimal creates", "minimal re-run"], {"without OwnedBy": OWNED_BY})
    assert results["minimal creates"]["changed"] and not results["minimal re-run"]["changed"]
    assert writes_by(tenant, without) == []


def test_entra_app_updating_an_app_it_does_not_own_needs_application_readwrite_all(tenant, tmp_path):
    app = tenant.model.create_application({"displayName": "owned-by-someone-else", "uniqueName": "least-existing"})
    minimal, read_only, owned_by = identity(tenant, READ_WRITE), identity(tenant, READ), identity(tenant, OWNED_BY)
    change = {"app_id": app.props["appId"], "redirect_uris": ["https://gw.contoso.test"],
              "required_resource_access": []}
    tasks = [task("read-only cannot", "entra_app", read_only, **change),
             task("OwnedBy of another's app cannot", "entra_app", owned_by, **change),
             task("minimal updates", "entra_app", minimal, **change),
             task("a re-run needs only Read.All", "entra_app", read_only, **change),
             task("check mode needs only Read.All", "entra_app", read_only,
                  **{**change, "redirect_uris": ["https://gw2.contoso.test"]}),
             task("no permission cannot read", "entra_app", identity(tenant), **change)]
    tasks[4]["check_mode"] = True
    results = run_playbook(tmp_path, tasks)[1]
    check(results, ["minimal updates", "a re-run needs only Read.All", "check mode needs only Read.All"],
          {"read-only cannot": READ_WRITE, "OwnedBy of another's app cannot": READ_WRITE,
           "no permission cannot read": READ})
    assert results["minimal updates"]["changed"] and results["check mode needs only Read.All"]["changed"]
    assert writes_by(tenant, read_only) == [] and writes_by(tenant, owned_by) == []


def test_entra_admin_consent_needs_read_and_grants_and_assignments_for_app_roles(tenant, tmp_path):
    model = tenant.model
    delegated = model.create_application({"displayName": "least-consent-delegated", "requiredResourceAccess": [
        {"resourceAppId": GRAPH, "resourceAccess": [{"id": USER_READ_SCOPE, "type": "Scope"}]}]})
    both = model.create_application({"displayName": "least-consent-both", "requiredResourceAccess": [
        {"resourceAppId": GRAPH, "resourceAccess": [{"id": USER_READ_SCOPE, "type": "Scope"},
                                                    {"id": USER_READ_ALL_ROLE, "type": "Role"}]}]})
    given = model.create_application({"displayName": "least-consent-given"})
    for app in (delegated, both, given):
        model.create_service_principal({"appId": app.props["appId"]})
    from_entra_app = {"app_id": given.props["appId"],
                      "service_principal_id": model.service_principal_of_app(given.props["appId"]).id,
                      "resource_service_principals": [{"app_id": GRAPH, "id": model.service_principal_by_app_id(
                          GRAPH).id, "delegated": ["User.Read"]}]}
    minimal = identity(tenant, READ, GRANTS)
    with_roles = identity(tenant, READ, GRANTS, ASSIGNMENTS)
    no_read, no_grants = identity(tenant, GRANTS), identity(tenant, READ)
    no_assignments = minimal
    tasks = [task("delegated without Read.All", "entra_admin_consent", no_read, app_id=delegated.props["appId"]),
             task("delegated without grants", "entra_admin_consent", no_grants, app_id=delegated.props["appId"]),
             task("delegated minimal", "entra_admin_consent", minimal, app_id=delegated.props["appId"]),
             task("app roles without assignments", "entra_admin_consent", no_assignments,
                  app_id=both.props["appId"]),
             task("app roles minimal", "entra_admin_consent", with_roles, app_id=both.props["appId"]),
             task("given entra_app's outputs, grants alone", "entra_admin_consent", no_read, **from_entra_app)]
    results = run_playbook(tmp_path, tasks)[1]
    check(results, ["delegated minimal", "app roles minimal", "given entra_app's outputs, grants alone"],
          {"delegated without Read.All": READ, "delegated without grants": GRANTS,
           "app roles without assignments": ASSIGNMENTS})
    assert results["delegated minimal"]["changed"] and results["app roles minimal"]["changed"]
    assert results["given entra_app's outputs, grants alone"]["changed"]
    assert [e["path"] for e in writes_by(tenant, no_read)] == ["/v1.0/oauth2PermissionGrants"]
    assert writes_by(tenant, no_grants) == []
    assert [e["path"] for e in writes_by(tenant, minimal) if "appRoleAssignedTo" in e["path"]] == []


def test_entra_app_info_needs_application_read_all_and_a_grant_reader_for_consent(tenant, tmp_path):
    app = tenant.model.create_application({"displayName": "least-info", "uniqueName": "least-info"})
    tenant.model.create_service_principal({"appId": app.props["appId"]})
    tasks = [task("minimal without consent", "entra_app_info", identity(tenant, READ), unique_name="least-info",
                  consent=False),
             task("consent state", "entra_app_info", identity(tenant, READ, GRANTS_READ), unique_name="least-info"),
             task("consent state without grant reader", "entra_app_info", identity(tenant, READ),
                  unique_name="least-info"),
             task("nothing", "entra_app_info", identity(tenant), unique_name="least-info", consent=False)]
    results = run_playbook(tmp_path, tasks)[1]
    check(results, ["minimal without consent", "consent state"],
          {"consent state without grant reader": GRANTS_READ, "nothing": READ})
    assert results["minimal without consent"]["app"]["app_id"] == app.props["appId"]
    assert tenant.requests(write_only=True) == []


def test_fleet_apps_need_ownedby_and_role_assignments_need_assignments_with_read(tenant, tmp_path):
    """entra_fleet_apps creates and re-reads the fleet's apps (here 2) with Application.ReadWrite.OwnedBy, a re-run
    needs only Application.Read.All; assigning users to app roles needs AppRoleAssignment.ReadWrite.All together with
    Application.Read.All (Graph: "AppRoleAssignment.ReadWrite.All and Application.Read.All")."""
    owned, read = identity(tenant, OWNED_BY), identity(tenant, READ)
    assign_minimal, assign_alone = identity(tenant, ASSIGNMENTS, READ), identity(tenant, ASSIGNMENTS)
    user = tenant.model.add_user("least-assign@wacfleet.onmicrosoft.com", "Least Assign")["id"]
    gateways = [{"name": f"gw{i:03d}", "redirect_uris": [f"https://gw{i:03d}.contoso.test:6600"]} for i in range(300)]
    fleet = {"unique_name": "least-fleet", "gateways": gateways}
    given = {"app_id": "{{ r0.apps[1].app_id }}", "service_principal_id": "{{ r0.apps[1].service_principal_id }}",
             "app_roles": "{{ r0.apps[1].app_roles }}"}
    tasks = [task("minimal creates", "entra_fleet_apps", owned, **fleet),
             task("a re-run needs only Read.All", "entra_fleet_apps", read, **fleet),
             task("Read.All cannot create", "entra_fleet_apps", read, **{**fleet, "unique_name": "least-fleet-x"}),
             task("assignments alone cannot assign", "entra_app_role_assignments", assign_alone,
                  assignments={"User": [user]}, **given),
             task("assignments minimal", "entra_app_role_assignments", assign_minimal,
                  assignments={"User": [user]}, **given)]
    results = run_playbook(tmp_path, tasks)[1]
    check(results, ["minimal creates", "a re-run needs only Read.All", "assignments minimal"],
          {"Read.All cannot create": OWNED_BY,
           "assignments alone cannot assign": f"{ASSIGNMENTS} together with {READ}"})
    assert [a["unique_name"] for a in results["minimal creates"]["apps"]] == ["least-fleet", "least-fleet-2"]
    assert not results["a re-run needs only Read.All"]["changed"] and results["assignments minimal"]["changed"]
    assert writes_by(tenant, read) == [] and writes_by(tenant, assign_alone) == []
