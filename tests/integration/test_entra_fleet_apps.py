"""wac.fleet.entra_fleet_apps (and consent and role assignments on each app) in real ansible-playbook runs against the
emulated tenant, which refuses more redirect URIs than an app's audience allows: the fleet spread over apps, the
Graph requests per run, a concurrent writer filling an app between this run's write and its read-back, a foreign app
with a shard's name, check mode, the app roles and who is assigned them."""

from __future__ import annotations

import uuid

from tests.integration._entra_support import connection, methods, run_playbook

BASE = "wac-shards"
ROLE_NAMESPACE = uuid.UUID("5b0f4d62-3c1e-4e8a-9a4c-7f1d2f5e6a01")  # what the roles' stable IDs derive from


def gateways(count, start=0, registered=None):
    return [{"name": f"gw{i:04d}", "redirect_uris": [f"https://gw{i:04d}.contoso.test:6600"],
             "registered_app_id": registered} for i in range(start, start + count)]


def fleet_task(gws, **args):
    return {"name": "apps", "wac.fleet.entra_fleet_apps": {"unique_name": BASE, "gateways": gws, **args}}


CONSENT = {"name": "consent", "wac.fleet.entra_admin_consent": {
    "app_id": "{{ item.app_id }}", "service_principal_id": "{{ item.service_principal_id }}",
    "service_principal_created": "{{ item.service_principal_created }}",
    "resource_service_principals": "{{ item.resource_service_principals }}"},
    "loop": "{{ r0.apps | selectattr('app_id') | list }}"}


def app_props(tenant, unique_name):
    return next(r.props for r in tenant.model.applications.values() if r.props.get("uniqueName") == unique_name)


def count(app):
    return sum(len((app.get(p) or {}).get("redirectUris") or []) for p in ("spa", "web", "publicClient"))


def test_requests_per_run_and_growth_touch_only_the_app_with_room(tenant, tmp_path):
    defaults = connection(tenant.endpoints)
    run, res = run_playbook(tmp_path, [fleet_task(gateways(600)), CONSENT], defaults, name="first")
    apps = res["apps"]
    assert not apps.get("failed"), run.output
    assert [(a["unique_name"], a["redirect_uri_count"], len(a["gateways"])) for a in apps["apps"]] == [
        (BASE, 256, 256), (f"{BASE}-2", 256, 256), (f"{BASE}-3", 88, 88)]
    first = tenant.requests()
    assert len(first) <= 8 + 6 * 2, methods(first)
    assert all(not r.get("failed") and r["changed"] for r in res["consent"]["results"])

    by_name = {a["unique_name"]: a["app_id"] for a in apps["apps"]}
    registered = [dict(g, registered_app_id=by_name[apps["gateway_apps"][g["name"]]]) for g in gateways(600)]
    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, [fleet_task(registered), CONSENT], defaults, name="rerun")
    assert not res["apps"]["changed"] and not any(r["changed"] for r in res["consent"]["results"]), run.output
    rerun = tenant.requests()
    assert len(rerun) <= 4 + 2 * 2 and tenant.requests(write_only=True) == [], methods(rerun)
    print(f"\nGraph requests, 3 apps: first run {methods(first)}, re-run {methods(rerun)}")

    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, [fleet_task(registered + gateways(10, 600)), CONSENT], defaults, name="grown")
    assert res["apps"]["changed"], run.output
    third = app_props(tenant, f"{BASE}-3")
    assert {e["path"] for e in tenant.requests(write_only=True)} == {f"/v1.0/applications/{third['id']}"}
    assert count(third) == 98 and {res["apps"]["gateway_apps"][f"gw{i:04d}"] for i in range(600, 610)} == {
        f"{BASE}-3"}


def test_what_a_concurrent_writer_overflows_moves_to_the_next_app(tenant, tmp_path):
    """Between this run's write and its read-back another run fills the first app (dropping this run's new URIs, as a
    whole-list write does): the read-back sees it, and the dropped gateways move to the next app."""
    defaults = connection(tenant.endpoints)
    run, res = run_playbook(tmp_path, [fleet_task(gateways(250))], defaults, name="first")
    first = res["apps"]["apps"][0]
    assert res["apps"]["apps"][0]["redirect_uri_count"] == 250, run.output
    foreign = [f"https://other-run-{i}.contoso.test" for i in range(6)]

    def other_run_fills_the_app(model):
        record = model.get_application("id", first["object_id"])
        model.update_application(record, {"spa": {"redirectUris": list(first["redirect_uris"]) + foreign}})

    tenant.model.faults.configure(before_request=[{"method": "GET", "path": f"/v1.0/applications/{first['object_id']}",
                                                   "run": other_run_fills_the_app}])
    fleet = gateways(250, registered=first["app_id"]) + gateways(10, 250)
    run, res = run_playbook(tmp_path, [fleet_task(fleet)], defaults, name="race")
    apps = res["apps"]
    assert not apps.get("failed"), run.output
    assert tenant.model.faults.as_dict()["before_request"][0]["fired"]
    one, two = app_props(tenant, BASE), app_props(tenant, f"{BASE}-2")
    assert count(one) == 256 and set(foreign) <= set(one["spa"]["redirectUris"]), "the other run's URIs are kept"
    moved = {f"https://gw{i:04d}.contoso.test:6600" for i in range(250, 260)}
    assert set(two["spa"]["redirectUris"]) == moved, "none of this run's URIs is lost"
    assert {apps["gateway_apps"][f"gw{i:04d}"] for i in range(250, 260)} == {f"{BASE}-2"}


def test_personal_accounts_shard_at_100_and_a_foreign_app_is_never_written(tenant, tmp_path):
    foreign = tenant.model.create_application({"displayName": "not ours", "uniqueName": f"{BASE}-2",
                                               "spa": {"redirectUris": ["https://not-ours.test"]}})
    before = dict(foreign.props)
    personal = fleet_task(gateways(150), sign_in_audience="AzureADandPersonalMicrosoftAccount")
    run, res = run_playbook(tmp_path, [personal], connection(tenant.endpoints))
    apps = res["apps"]
    assert not apps.get("failed"), run.output
    assert [(a["unique_name"], a["redirect_uri_count"], a["redirect_uri_limit"]) for a in apps["apps"]] == [
        (BASE, 100, 100), (f"{BASE}-3", 50, 100)]
    assert foreign.props == before
    assert all(e["path"] != f"/v1.0/applications/{foreign.id}" for e in tenant.requests(write_only=True))


def test_check_mode_plans_the_apps_and_writes_nothing(tenant, tmp_path):
    run, res = run_playbook(tmp_path, [fleet_task(gateways(300))], connection(tenant.endpoints),
                            args=["--check", "--diff"])
    apps = res["apps"]
    assert apps["changed"] and apps["created"], run.output
    assert [(a["unique_name"], a["app_id"], a["redirect_uri_count"]) for a in apps["apps"]] == [
        (BASE, None, 256), (f"{BASE}-2", None, 44)]
    assert set(apps["diff"]["after"]) == {BASE, f"{BASE}-2"} and apps["diff"]["before"][BASE] == {}
    assert tenant.requests(write_only=True) == []


def test_app_roles_are_stable_and_a_role_added_by_hand_stays(tenant, tmp_path):
    defaults = connection(tenant.endpoints)
    legacy = tenant.model.create_application({"displayName": "made by an earlier version", "uniqueName": BASE,
                                              "tags": ["wac.fleet:managed"],
                                              "spa": {"redirectUris": ["https://kept.contoso.test"]}})
    run, res = run_playbook(tmp_path, [fleet_task(gateways(3))], defaults)
    app = res["apps"]["apps"][0]
    assert app["app_roles_added"] == ["User", "Admin"] and app["object_id"] == legacy.id, run.output
    roles = {r["value"]: r for r in legacy.props["appRoles"]}
    assert {v: r["id"] for v, r in roles.items()} == {
        v: str(uuid.uuid5(ROLE_NAMESPACE, f"{BASE}/{v}")) for v in ("User", "Admin")}
    assert (roles["Admin"]["displayName"], roles["Admin"]["allowedMemberTypes"]) == ("Gateway Administrator", ["User"])
    assert "https://kept.contoso.test" in legacy.props["spa"]["redirectUris"]
    assert f"wac.fleet:fleet:{BASE}" in legacy.props["tags"]

    auditor = {"allowedMemberTypes": ["User"], "description": "Reads only", "displayName": "Auditor",
               "id": str(uuid.uuid4()), "isEnabled": True, "value": "Auditor"}
    kept = [{k: v for k, v in r.items() if k != "origin"} for r in legacy.props["appRoles"]]  # read-only in writes
    tenant.model.update_application(legacy, {"appRoles": [*kept, auditor]})
    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, [fleet_task(gateways(3))], defaults, name="again")
    assert not res["apps"]["changed"] and tenant.requests(write_only=True) == [], run.output
    assert [r["value"] for r in legacy.props["appRoles"]] == ["User", "Admin", "Auditor"]
    assert {r["value"]: r["id"] for r in legacy.props["appRoles"]}["User"] == roles["User"]["id"]


def test_users_and_groups_assigned_additive_then_exclusive(tenant, tmp_path):
    defaults = connection(tenant.endpoints)
    user = tenant.model.add_user(f"ann-{uuid.uuid4().hex[:6]}@wacfleet.onmicrosoft.com", "Ann")["id"]
    group = tenant.model.add_group("WAC gateway users")["id"]
    admin = tenant.model.add_user(f"bob-{uuid.uuid4().hex[:6]}@wacfleet.onmicrosoft.com", "Bob")["id"]

    def assign(assignments, mode="additive"):
        return {"name": "assign", "wac.fleet.entra_app_role_assignments": {
            "app_id": "{{ item.app_id }}", "service_principal_id": "{{ item.service_principal_id }}",
            "app_roles": "{{ item.app_roles }}", "assignments": assignments, "assignments_mode": mode},
            "loop": "{{ r0.apps }}"}

    wanted = {"User": [user, group], "Admin": [admin]}
    run, res = run_playbook(tmp_path, [fleet_task(gateways(3)), assign(wanted)], defaults, args=["--diff"])
    (first,) = res["assign"]["results"]
    assert first["changed"] and sorted(a["role"] for a in first["assigned"]) == ["Admin", "User", "User"], \
        run.output
    sp = tenant.model.get_service_principal("id", first["service_principal_id"])
    assigned = {(a.props["principalId"], a.props["principalType"]) for a in tenant.model.assignments_to(sp)}
    assert assigned == {(user, "User"), (group, "Group"), (admin, "User")}
    assert first["diff"]["after"]["assignments"] == {"User": sorted([user, group]), "Admin": [admin]}

    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, [fleet_task(gateways(3)), assign(wanted)], defaults, name="again")
    assert not res["assign"]["results"][0]["changed"] and tenant.requests(write_only=True) == [], run.output

    run, res = run_playbook(tmp_path, [fleet_task(gateways(3)), assign({"User": [group], "Admin": []}, "exclusive")],
                            defaults, args=["--check"], name="check")
    planned = res["assign"]["results"][0]
    assert planned["changed"] and tenant.requests(write_only=True) == [], run.output
    assert sorted((r["principal_id"], r["role"]) for r in planned["removed"]) == sorted(
        [(user, "User"), (admin, "Admin")])
    run, res = run_playbook(tmp_path, [fleet_task(gateways(3)), assign({"User": [group], "Admin": []}, "exclusive")],
                            defaults, name="exclusive")
    assert res["assign"]["results"][0]["changed"], run.output
    assert {a.props["principalId"] for a in tenant.model.assignments_to(sp)} == {group}

    run, res = run_playbook(tmp_path, [fleet_task(gateways(3)), assign({"Owner": [user]})], defaults, name="bad")
    assert "has no app role 'Owner'" in res["assign"]["results"][0]["msg"], run.output


def test_bad_input_fails_naming_it_before_any_request(tenant, tmp_path):
    cases = {
        "gateways[1].name: gateway 'gw0000' is listed twice": {"gateways": gateways(1) + gateways(1)},
        "gateways[0].registered_app_id": {"gateways": gateways(1, registered="app-1")},
        "gateways[0].redirect_uris[0]": {"gateways": [{"name": "gw", "redirect_uris": ["http://gw.contoso.test"]}]},
        "gateways[0] has unknown keys: uri": {"gateways": [{"name": "gw", "uri": "https://gw.test"}]},
        "unique_name must be at most 115": {"unique_name": "x" * 116},
        "max_apps must be at least 1": {"max_apps": 0},
        "app_roles[0].value": {"app_roles": [{"value": "Gateway User"}]},
        "app_roles[0].allowed_member_types": {"app_roles": [{"value": "User", "allowed_member_types": ["Group"]}]},
    }
    tasks = [{"name": expect, "wac.fleet.entra_fleet_apps": {"unique_name": BASE, **args}}
             for expect, args in cases.items()]
    _run, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints))
    for expect in cases:
        assert res[expect].get("failed") and expect in res[expect]["msg"], (expect, res[expect])
    assert tenant.requests(path_prefix=None) == [], "bad input must not reach the tenant"

    too_many = [fleet_task(gateways(600), max_apps=2)]
    _run, res = run_playbook(tmp_path, too_many, connection(tenant.endpoints), name="max")
    assert "more than max_apps=2" in res["apps"]["msg"] and tenant.requests(write_only=True) == []
