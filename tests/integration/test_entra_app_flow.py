"""wac.fleet.entra_app / entra_admin_consent / entra_app_info end to end: real ansible-playbook runs against the
emulated tenant over HTTPS with msal. Create, re-run (no write), check mode (no write), consent once."""

from __future__ import annotations

from tests.integration._entra_support import connection, methods, run_playbook

URIS = ["https://localhost:6516", "http://localhost:6516"]


def _tasks(unique_name: str, uris: list[str] | None = None) -> list[dict]:
    return [
        {"name": "app", "wac.fleet.entra_app": {"unique_name": unique_name, "display_name": "WindowsAdminCenter-fleet",
                                                "redirect_uris": URIS if uris is None else uris}},
        {"name": "consent", "wac.fleet.entra_admin_consent": {"app_id": "{{ r0.app_id }}"},
         "when": "r0.app_id is not none"},
        {"name": "info", "wac.fleet.entra_app_info": {"unique_name": unique_name}},
    ]


def test_create_rerun_check_mode_and_consent(tenant, tmp_path):
    defaults = connection(tenant.endpoints)  # every connection option comes from module_defaults

    # check mode on an empty tenant: the create is reported, nothing is written
    _process, res = run_playbook(tmp_path, _tasks("wac-flow")[:1], defaults, args=["--check", "--diff"], name="check")
    app = res["app"]
    assert not app.get("failed"), app
    assert app["changed"] and app["created"] and app["app_id"] is None
    assert app["diff"]["before"] == {} and sorted(app["diff"]["after"]["redirect_uris"]["spa"]) == sorted(URIS)
    assert tenant.requests(write_only=True) == []
    assert app["graph_requests"]["writes"] == 0

    # first run: creates the app (one upsert), its service principal, the consent
    run, res = run_playbook(tmp_path, _tasks("wac-flow"), defaults, args=["--diff"], name="first")
    assert all(not r.get("failed") for r in res.values()), run.output
    app, consent, info = res["app"], res["consent"], res["info"]
    assert app["changed"] and app["created"] and app["service_principal_id"]
    assert {a["uri"] for a in app["redirect_uris_added"]} == set(URIS)
    writes = tenant.requests(write_only=True)
    upserts = [w for w in writes if w["method"] == "PATCH" and "uniqueName=" in w["path"]]
    assert len(upserts) == 1 and upserts[0]["status"] == 201
    assert not [w for w in writes if w["method"] == "POST" and w["path"] == "/v1.0/applications"]
    assert consent["changed"] and len(consent["scopes_granted"]) == 2
    assert info["app"]["consent_complete"] is True and info["app"]["managed_by_wac_fleet"] is True
    assert sorted(info["app"]["redirect_uris"]["spa"]) == sorted(URIS)
    grants = [g for g in tenant.model.grants.values() if g.props["clientId"] == app["service_principal_id"]]
    assert len(grants) == 2 and all(g.props["consentType"] == "AllPrincipals" for g in grants)
    first_run = methods(tenant.requests())

    # re-run, URIs in another order: changed=0 and not a single write reaches Graph
    tenant.model.log.clear()
    run, res = run_playbook(tmp_path, _tasks("wac-flow", list(reversed(URIS))), defaults, name="rerun")
    assert [name for name, r in res.items() if r.get("changed") or r.get("failed")] == [], run.output
    assert tenant.requests(write_only=True) == []
    rerun = methods(tenant.requests())
    print(f"\nGraph requests by method: first run {first_run}, re-run {rerun}")
    assert len([a for a in tenant.model.applications.values() if a.props.get("uniqueName") == "wac-flow"]) == 1

    # check mode with one more URI: changed with a diff, still no write
    tenant.model.log.clear()
    extra = [*URIS, "https://wac.contoso.example:443"]
    _process, res = run_playbook(tmp_path, _tasks("wac-flow", extra)[:1], defaults, args=["--check", "--diff"],
                                 name="check2")
    assert res["app"]["changed"] and res["app"]["redirect_uris_added"] == [
        {"platform": "spa", "uri": "https://wac.contoso.example:443"}]
    assert "https://wac.contoso.example:443" in res["app"]["diff"]["after"]["redirect_uris"]["spa"]
    assert "https://wac.contoso.example:443" not in res["app"]["diff"]["before"]["redirect_uris"]["spa"]
    assert tenant.requests(write_only=True) == []


def test_run_once_on_windows_hosts_needs_no_connection(tenant, tmp_path):
    """On a play over Windows hosts (winrm to a port nothing listens on) the plugin runs once, on the
    controller, and never opens the hosts' connection."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[wac_gateways]\nwac-0001 ansible_host=127.0.0.1 ansible_port=9 ansible_connection=winrm "
                         "ansible_user=nobody ansible_password=nothing\n"
                         "wac-0002 ansible_host=127.0.0.1 ansible_port=9 ansible_connection=winrm "
                         "ansible_user=nobody ansible_password=nothing\n")
    tasks = [{"name": "app", "wac.fleet.entra_app": {"unique_name": "wac-run-once", "redirect_uris": URIS},
              "run_once": True}]
    run, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints), hosts="wac_gateways",
                            inventory=str(inventory))
    assert res["app"]["changed"] and not res["app"].get("failed"), run.output
    assert "unreachable=0" in run.output
    assert len([w for w in tenant.requests(write_only=True) if "uniqueName=" in w["path"]]) == 1


def test_application_permissions_consent_once_then_idempotent(tenant, tmp_path):
    rra = [{"resource": "Microsoft Graph", "delegated": ["User.Read"], "application": ["Application.Read.All"]}]
    tasks = [
        {"name": "app", "wac.fleet.entra_app": {"unique_name": "wac-roles", "required_resource_access": rra,
                                                "permissions_mode": "exclusive"}},
        {"name": "consent", "wac.fleet.entra_admin_consent": {"app_id": "{{ r0.app_id }}"}},
        {"name": "consent again", "wac.fleet.entra_admin_consent": {"app_id": "{{ r0.app_id }}"}},
        {"name": "consent explicit subset", "wac.fleet.entra_admin_consent": {
            "app_id": "{{ r0.app_id }}", "required_resource_access": [
                {"resource": "00000003-0000-0000-c000-000000000000", "delegated": ["User.Read"]}]}},
        {"name": "info", "wac.fleet.entra_app_info": {"app_id": "{{ r0.app_id }}"}},
    ]
    run, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints))
    assert all(not r.get("failed") for r in res.values()), run.output
    consent = res["consent"]
    assert consent["changed"]
    assert consent["app_roles_assigned"] == [{"resource": "Microsoft Graph", "role": "Application.Read.All"}]
    assert consent["scopes_granted"] == [{"resource": "Microsoft Graph", "scopes": ["User.Read"]}]
    assert not res["consent again"]["changed"] and res["consent again"]["graph_requests"]["writes"] == 0
    assert not res["consent explicit subset"]["changed"]
    state = res["info"]["app"]["consent"]
    assert state == [{"resource": "Microsoft Graph", "resource_app_id": "00000003-0000-0000-c000-000000000000",
                      "granted_scopes": ["User.Read"], "missing_scopes": [],
                      "granted_roles": ["Application.Read.All"], "missing_roles": []}]
    sp_id = res["app"]["service_principal_id"]
    assignments = [a for a in tenant.model.assignments.values() if a.props["principalId"] == sp_id]
    assert len(assignments) == 1
    writes = [(w["method"], w["path"].split("/")[-1]) for w in tenant.requests(write_only=True)]
    assert writes.count(("POST", "appRoleAssignedTo")) == 1 and writes.count(("POST", "oauth2PermissionGrants")) == 1
