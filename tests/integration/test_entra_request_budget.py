"""Graph requests of the Entra step (entra_app, then entra_admin_consent given entra_app's outputs, as the role
entra_app does): a first run on a fresh tenant and a no-op re-run stay within a fixed budget, and consent given
the outputs reaches the same state as consent that looks everything up."""

from __future__ import annotations

import time

from tests.emulators.tenant.wellknown import ARM_APP_ID
from tests.integration._entra_support import connection, methods, run_playbook

FIRST_RUN_BUDGET = 15
RERUN_BUDGET = 6
URIS = ["https://localhost:6516", "http://localhost:6516"]
FROM_APP = {"service_principal_id": "{{ r0.service_principal_id | default(omit, true) }}",
            "resource_service_principals": "{{ r0.resource_service_principals }}"}


def _step(unique_name: str, **app_args) -> list[dict]:
    return [
        {"name": "app", "wac.fleet.entra_app": {"unique_name": unique_name, "redirect_uris": URIS, **app_args}},
        {"name": "consent", "wac.fleet.entra_admin_consent": {"app_id": "{{ r0.app_id }}", **FROM_APP},
         "when": "r0.app_id is not none"},
    ]


def test_first_run_and_noop_rerun_stay_within_budget(tenant, tmp_path):
    defaults = connection(tenant.endpoints)
    run, res = run_playbook(tmp_path, _step("wac-budget"), defaults, name="first")
    assert all(not r.get("failed") and r["changed"] for r in res.values()), run.output
    first = tenant.requests()
    assert len(first) <= FIRST_RUN_BUDGET, methods(first)
    app, consent = res["app"], res["consent"]
    assert [r["app_id"] for r in app["resource_service_principals"]] == [
        "00000003-0000-0000-c000-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013"]
    assert consent["service_principal_id"] == app["service_principal_id"]
    assert [s["resource"] for s in consent["scopes_granted"]] == [
        r["display_name"] for r in app["resource_service_principals"]]

    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, _step("wac-budget"), defaults, name="rerun")
    assert [n for n, r in res.items() if r.get("changed") or r.get("failed")] == [], run.output
    rerun = tenant.requests()
    assert len(rerun) <= RERUN_BUDGET and tenant.requests(write_only=True) == [], methods(rerun)
    print(f"\nGraph requests of the Entra step: first run {methods(first)}, re-run {methods(rerun)}")

    tenant.model.log.clear()
    looked_up = [{"name": "consent looking everything up", "wac.fleet.entra_admin_consent": {
        "app_id": app["app_id"]}}]
    _run, res_lookup = run_playbook(tmp_path, looked_up, defaults, name="lookup")
    assert not res_lookup["consent looking everything up"]["changed"]
    assert res_lookup["consent looking everything up"]["consent"] == res["consent"]["consent"]
    assert tenant.requests(write_only=True) == []


def _wait_until_replicated(tenant):
    """Objects the first run created under the delay stay invisible for up to the delay after it ends: a re-run
    started at once could still miss them (and try to create them again), so wait until all are visible."""
    model = tenant.model
    with model.lock:
        records = [*model.applications.values(), *model.service_principals.values(), *model.grants.values(),
                   *model.assignments.values()]
        last = max(r.visible_at for r in records)
    time.sleep(max(0.0, last - time.time()))


def test_outputs_carry_app_roles_through_replication_delay(tenant, tmp_path):
    """Under replication lag consent given a just-created service principal waits for it (no lookup did)."""
    rra = [{"resource": "Microsoft Graph", "delegated": ["User.Read"], "application": ["Application.Read.All"]}]
    tenant.model.faults.configure(replication_delay=2)
    run, res = run_playbook(tmp_path, _step("wac-budget-roles", required_resource_access=rra,
                                            permissions_mode="exclusive"), connection(tenant.endpoints))
    assert all(not r.get("failed") and r["changed"] for r in res.values()), run.output
    assert res["app"]["resource_service_principals"][0]["application"] == [
        {"id": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "value": "Application.Read.All"}]
    assert res["consent"]["app_roles_assigned"] == [{"resource": "Microsoft Graph", "role": "Application.Read.All"}]
    assert res["consent"]["scopes_granted"] == [{"resource": "Microsoft Graph", "scopes": ["User.Read"]}]
    tenant.model.faults.configure(replication_delay=0)
    _wait_until_replicated(tenant)
    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, _step("wac-budget-roles", required_resource_access=rra,
                                            permissions_mode="exclusive"), connection(tenant.endpoints), name="again")
    assert [n for n, r in res.items() if r.get("changed") or r.get("failed")] == [], run.output
    assert tenant.requests(write_only=True) == []


def test_bad_outputs_fail_naming_the_option_and_send_nothing(tenant, tmp_path):
    graph_sp = tenant.model.service_principal_by_app_id("00000003-0000-0000-c000-000000000000").id
    good = {"app_id": "00000003-0000-0000-c000-000000000000", "id": graph_sp, "delegated": ["User.Read"]}
    app_id = "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
    cases = {
        "service_principal_id": {"service_principal_id": "not-a-guid"},
        "resource_service_principals[0].id": {"resource_service_principals": [{**good, "id": "x"}]},
        "resource_service_principals[0].app_id": {"resource_service_principals": [{**good, "app_id": None}]},
        "resource_service_principals[0] has unknown keys: scopes": {
            "resource_service_principals": [{**good, "scopes": ["User.Read"]}]},
        "resource_service_principals[0].delegated": {
            "resource_service_principals": [{**good, "delegated": "User.Read"}]},
        "resource_service_principals[1].app_id": {"resource_service_principals": [good, good]},
        "resource_service_principals[0].application[0]": {
            "resource_service_principals": [{**good, "application": [{"value": "Application.Read.All"}]}]},
        "resource_service_principals[0].application[0].id": {
            "resource_service_principals": [{**good, "application": [{"id": "x", "value": "Application.Read.All"}]}]},
        "required_resource_access|resource_service_principals": {
            "resource_service_principals": [good], "required_resource_access": [{"resource": "Microsoft Graph"}]},
    }
    tasks = [{"name": expect, "wac.fleet.entra_admin_consent": {"app_id": app_id, **args}}
             for expect, args in cases.items()]
    _run, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints))
    for expect in cases:
        assert res[expect].get("failed") and expect in res[expect]["msg"], (expect, res[expect])
        assert "Traceback" not in res[expect]["msg"]
    assert tenant.requests(path_prefix=None) == [], "bad input must not reach the tenant"


def test_outputs_cover_permissions_the_app_already_had(tenant, tmp_path):
    """Additive permissions keep the app's other resources: entra_app reads their service principals too, and leaves
    out a permission its resource no longer offers."""
    arm = tenant.model.service_principal_by_app_id(ARM_APP_ID)
    impersonation = next(s["id"] for s in arm.props["oauth2PermissionScopes"] if s["value"] == "user_impersonation")
    tenant.model.create_application({"displayName": "wac-budget-foreign", "uniqueName": "wac-budget-foreign",
                                     "requiredResourceAccess": [{"resourceAppId": ARM_APP_ID, "resourceAccess": [
                                         {"id": impersonation, "type": "Scope"},
                                         {"id": "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f", "type": "Scope"}]}]})
    rra = [{"resource": "Microsoft Graph", "delegated": ["User.Read"]}]
    run, res = run_playbook(tmp_path, _step("wac-budget-foreign", required_resource_access=rra),
                            connection(tenant.endpoints))
    assert all(not r.get("failed") and r["changed"] for r in res.values()), run.output
    assert [(r["app_id"], r["id"], r["delegated"]) for r in res["app"]["resource_service_principals"]] == [
        (ARM_APP_ID, arm.id, ["user_impersonation"]),
        ("00000003-0000-0000-c000-000000000000", tenant.model.service_principal_by_app_id(
            "00000003-0000-0000-c000-000000000000").id, ["User.Read"])]
    assert len(res["consent"]["scopes_granted"]) == 2
