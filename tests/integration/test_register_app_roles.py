"""register_wac.yml with the role variables entra_app_gateway_users and entra_app_gateway_admins: the shared app has
the roles User and Admin, the users and groups named are assigned them, a re-run writes nothing even after an
administrator added a role by hand, and exclusive mode removes who is no longer named."""

from __future__ import annotations

import uuid


def assigned(world, app) -> dict[str, set[str]]:
    sp = world.tenant.model.service_principal_of_app(app["appId"])
    roles = {r["id"]: r["value"] for r in app["appRoles"]}
    result: dict[str, set[str]] = {}
    for assignment in world.tenant.model.assignments_to(sp):
        result.setdefault(roles[assignment.props["appRoleId"]], set()).add(assignment.props["principalId"])
    return result


def test_roles_and_assignments_by_role_variables_are_idempotent_and_keep_a_hand_added_role(fleet_world):
    world = fleet_world(count=3)
    model = world.tenant.model
    group = model.add_group("WAC gateway users")["id"]
    admin = model.add_user(f"admin-{uuid.uuid4().hex[:6]}@wacfleet.onmicrosoft.com", "Gateway Admin")["id"]
    world.write_vars(entra_app_gateway_users=[group, admin], entra_app_gateway_admins=[admin])

    first = world.run(name="first")
    assert first.rc == 0, first.output[-3000:]
    app = world.app()
    assert [(r["value"], r["displayName"]) for r in app["appRoles"]] == [
        ("User", "Gateway User"), ("Admin", "Gateway Administrator")]
    assert assigned(world, app) == {"User": {group, admin}, "Admin": {admin}}

    record = model.get_application("id", app["id"])
    roles = [{k: v for k, v in r.items() if k != "origin"} for r in record.props["appRoles"]]
    model.update_application(record, {"appRoles": [*roles, {
        "allowedMemberTypes": ["User"], "description": "Reads the gateway's logs", "displayName": "Auditor",
        "id": str(uuid.uuid4()), "isEnabled": True, "value": "Auditor"}]})
    writes = len(world.graph_writes())
    rerun = world.run(name="rerun")
    assert rerun.rc == 0 and rerun.hosts("changed") == [], rerun.output[-3000:]
    assert len(world.graph_writes()) == writes
    assert [r["value"] for r in world.app()["appRoles"]] == ["User", "Admin", "Auditor"]
    assert {r["id"] for r in world.app()["appRoles"]} >= {r["id"] for r in app["appRoles"]}, "IDs never change"

    world.write_vars(entra_app_gateway_users=[group], entra_app_gateway_admins=[],
                     entra_app_assignments_mode="exclusive")
    exclusive = world.run("register_wac.yml", "--diff", name="exclusive")
    assert exclusive.rc == 0, exclusive.output[-3000:]
    assert assigned(world, world.app()) == {"User": {group}}
    assert {r["check"] for r in world.report(exclusive)["gateways"]} == {"ok"}
