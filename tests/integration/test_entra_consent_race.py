"""Two consents racing on the same app (parallel CI jobs, AWX slices, the two halves of a fleet): the other run
writes the tenant-wide grant and the app role assignment between this run's read and its POST. Made
deterministic with the emulator's before_request fault; entra_admin_consent converges instead of failing on the
409, with one re-read and at most one PATCH per grant."""

from __future__ import annotations

import re

import pytest

from tests.emulators.tenant.wellknown import GRAPH_APP_ID
from tests.integration._entra_support import connection, run_playbook

APPLICATION_READ_ALL = "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"
WANTED = [{"resource": "Microsoft Graph", "delegated": ["User.Read", "openid"],
           "application": ["Application.Read.All"]}]
GRANTS = "/v1.0/oauth2PermissionGrants"


def _app(tenant, name):
    """An application and its service principal, created directly in the tenant: (app_id, sp id, Graph's SP)."""
    app = tenant.model.create_application({"displayName": name, "uniqueName": name})
    sp = tenant.model.create_service_principal({"appId": app.props["appId"]})
    return app.props["appId"], sp.id, tenant.model.service_principal_by_app_id(GRAPH_APP_ID)


def _consent(app_id):
    args = {"app_id": app_id, "required_resource_access": WANTED}
    return {"name": "consent", "wac.fleet.entra_admin_consent": args}


def _writes(tenant):
    return [(e["method"], re.sub(f"^{GRANTS}/.+", GRANTS + "/{id}", e["path"]), e["status"])
            for e in tenant.requests(write_only=True)]


@pytest.mark.parametrize("concurrent_scope, final_scope", [
    ("User.Read openid", ["User.Read", "openid"]),  # the other run granted the same: nothing left to do
    ("profile User.Read", ["profile", "User.Read", "openid"]),  # it granted other scopes: PATCH to the union
])
def test_consent_converges_when_a_concurrent_run_wrote_first(tenant, tmp_path, concurrent_scope, final_scope):
    app_id, sp_id, graph = _app(tenant, "wac-race")
    assigned_to = f"/v1.0/servicePrincipals/{graph.id}/appRoleAssignedTo"

    def other_run_grants(model):
        model.create_grant({"clientId": sp_id, "consentType": "AllPrincipals", "resourceId": graph.id,
                            "scope": concurrent_scope})

    def other_run_assigns(model):
        model.assign_app_role(graph, {"principalId": sp_id, "resourceId": graph.id,
                                      "appRoleId": APPLICATION_READ_ALL})

    tenant.model.faults.configure(before_request=[
        {"method": "POST", "path": GRANTS, "nth": 1, "run": other_run_grants},
        {"method": "POST", "path": assigned_to, "nth": 1, "run": other_run_assigns}])
    run, res = run_playbook(tmp_path, [_consent(app_id)], connection(tenant.endpoints))
    consent = res["consent"]
    assert not consent.get("failed") and consent["changed"], run.output
    assert consent["scopes_granted"] == [{"resource": "Microsoft Graph", "scopes": ["User.Read", "openid"]}]
    assert consent["app_roles_assigned"] == [{"resource": "Microsoft Graph", "role": "Application.Read.All"}]
    assert [c["missing_scopes"] + c["missing_roles"] for c in consent["consent"]] == [[]]

    patched = final_scope != concurrent_scope.split()
    assert _writes(tenant) == [("POST", GRANTS, 409)] + ([("PATCH", GRANTS + "/{id}", 204)] if patched else []) + [
        ("POST", assigned_to, 409)]
    grant_reads = tenant.requests(method="GET", path_prefix=GRANTS)
    assert len(grant_reads) == 2, "one read to plan, one re-read after the 409"
    assert consent["graph_requests"]["writes"] == (3 if patched else 2)
    grants = [g.props for g in tenant.model.list_grants() if g.props["clientId"] == sp_id]
    assert [g["scope"].split() for g in grants] == [final_scope]
    assignments = [a.props["appRoleId"] for a in tenant.model.assignments_of(tenant.model.get_service_principal(
        "id", sp_id))]
    assert assignments == [APPLICATION_READ_ALL]

    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, [_consent(app_id)], connection(tenant.endpoints), name="again")
    assert not res["consent"].get("failed") and not res["consent"]["changed"], run.output
    assert tenant.requests(write_only=True) == []


def test_check_mode_is_untouched_by_the_race(tenant, tmp_path):
    """Check mode writes nothing, so the hook on the POST never fires."""
    app_id, _sp_id, _graph = _app(tenant, "wac-race-check")
    tenant.model.faults.configure(before_request=[{"path": GRANTS, "run": lambda model: None}])
    _run, res = run_playbook(tmp_path, [_consent(app_id)], connection(tenant.endpoints), args=["--check"])
    assert res["consent"]["changed"] and not res["consent"].get("failed")
    assert tenant.requests(write_only=True) == []
    assert tenant.model.faults.as_dict()["before_request"][0]["fired"] is False


def test_conflict_on_a_grant_not_yet_visible_fails_after_one_re_read(tenant, tmp_path):
    """Bounded: the concurrent grant has not replicated to the re-read; one re-read, no PATCH, no loop, and a
    message that says what happened."""
    app_id, sp_id, graph = _app(tenant, "wac-race-lag")

    def other_run_grants_far_away(model):
        model.faults.configure(replication_delay=60)
        try:
            model.create_grant({"clientId": sp_id, "consentType": "AllPrincipals", "resourceId": graph.id,
                                "scope": "User.Read"})
        finally:
            model.faults.configure(replication_delay=0)

    tenant.model.faults.configure(before_request=[{"path": GRANTS, "run": other_run_grants_far_away}])
    _run, res = run_playbook(tmp_path, [_consent(app_id)], connection(tenant.endpoints))
    consent = res["consent"]
    assert consent["failed"] and "409" in consent["msg"] and "replication lag" in consent["msg"], consent
    assert consent["graph_error"]["code"] == "Request_MultipleObjectsWithSameKeyValue"
    assert _writes(tenant) == [("POST", GRANTS, 409)]
    assert len(tenant.requests(method="GET", path_prefix=GRANTS)) == 2
