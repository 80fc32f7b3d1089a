"""wac.fleet.entra_app on existing apps: "use existing" never creates, foreign redirect URIs kept (additive) or
removed (exclusive), Web-to-SPA move, state=absent only for apps it created, concurrent writers end with the
union of their URIs."""

from __future__ import annotations

import threading
import time

from tests.integration._entra_support import connection, registered, run_playbook, start_playbook

FOREIGN = "https://foreign.contoso.example/wac"
OURS = "https://localhost:6516"


def _seed(tenant, name, spa=(), web=(), tags=()):
    rec = tenant.model.create_application({"displayName": name, "spa": {"redirectUris": list(spa)},
                                           "web": {"redirectUris": list(web)}, "tags": list(tags)})
    return rec.props["appId"]


def _app(tenant, app_id):
    return next(r.props for r in tenant.model.applications.values() if r.props["appId"] == app_id)


def test_existing_apps(tenant, tmp_path):
    additive = _seed(tenant, "additive", spa=[FOREIGN])
    exclusive = _seed(tenant, "exclusive", spa=[FOREIGN, OURS])
    legacy = _seed(tenant, "legacy", web=["https://gw1.contoso.example", OURS], spa=[OURS])
    foreign = _seed(tenant, "not ours")
    managed = _seed(tenant, "ours", tags=["wac.fleet:managed"])
    missing = "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
    twins = [_seed(tenant, "twin", spa=[OURS])] + [_seed(tenant, "twin") for _i in range(4)]
    unknown_api = "0d3b6ab5-3c7e-4b8e-9f4a-6a2d1c0b9e8f"  # a resource with no service principal in the tenant
    twin = next(r for r in tenant.model.applications.values() if r.props["appId"] == twins[0])
    tenant.model.update_application(twin, {"requiredResourceAccess": [{"resourceAppId": unknown_api, "resourceAccess": [
        {"id": "5f8c59db-677d-491f-a6b8-5f174b11ec1d", "type": "Scope"}]}]})
    tenant.model.faults.configure(page_size=2)  # five twins come in three pages
    keep = {"required_resource_access": []}
    tasks = [
        {"name": "additive", "wac.fleet.entra_app": {"app_id": additive, "redirect_uris": [OURS], **keep}},
        {"name": "exclusive", "wac.fleet.entra_app": {"app_id": exclusive, "redirect_uris": [OURS],
                                                      "redirect_uris_mode": "exclusive", **keep}},
        {"name": "move", "wac.fleet.entra_app": {"app_id": legacy, "move_web_to_spa": True, **keep}},
        {"name": "missing", "wac.fleet.entra_app": {"app_id": missing, "redirect_uris": [OURS], **keep}},
        {"name": "delete foreign", "wac.fleet.entra_app": {"app_id": foreign, "state": "absent"}},
        {"name": "delete foreign forced", "wac.fleet.entra_app": {"app_id": foreign, "state": "absent",
                                                                  "force": True}},
        {"name": "delete managed", "wac.fleet.entra_app": {"app_id": managed, "state": "absent"}},
        {"name": "delete again", "wac.fleet.entra_app": {"app_id": managed, "state": "absent"}},
        {"name": "info by display name", "wac.fleet.entra_app_info": {"display_name": "twin", "consent": False}},
    ]
    run, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints), args=["--diff"])
    out = run.output

    assert res["additive"]["changed"] and set(_app(tenant, additive)["spa"]["redirectUris"]) == {FOREIGN, OURS}
    assert res["additive"]["redirect_uris_removed"] == []

    assert res["exclusive"]["changed"] and _app(tenant, exclusive)["spa"]["redirectUris"] == [OURS]
    assert res["exclusive"]["redirect_uris_removed"] == [{"platform": "spa", "uri": FOREIGN}]

    moved = _app(tenant, legacy)
    assert moved["web"]["redirectUris"] == [] and set(moved["spa"]["redirectUris"]) == {
        OURS, "https://gw1.contoso.example"}
    assert {"platform": "web", "uri": OURS} in res["move"]["redirect_uris_removed"]

    assert res["missing"]["failed"] and f"app_id {missing} does not exist" in res["missing"]["msg"]
    assert res["delete foreign"]["failed"] and "force" in res["delete foreign"]["msg"]
    assert res["delete foreign forced"]["changed"] and res["delete managed"]["changed"]
    assert not res["delete again"]["changed"] and not res["delete again"].get("failed")
    remaining = {r.props["appId"] for r in tenant.model.applications.values()}
    assert foreign not in remaining and managed not in remaining and additive in remaining

    # "use existing" never creates: no upsert, no POST /applications, ever
    for entry in tenant.requests():
        assert "uniqueName=" not in entry["path"] and not (entry["method"] == "POST" and
                                                           entry["path"] == "/v1.0/applications"), entry
    assert len(tenant.model.applications) == len(remaining)
    assert "changed: [localhost]" in out
    twins_found = res["info by display name"]
    assert twins_found["exists"] and twins_found["app"] is None, "display names are not unique: no single app"
    assert {a["app_id"] for a in twins_found["apps"]} == set(twins)
    assert all(a["service_principal_id"] is None and a["consent"] is None for a in twins_found["apps"])
    shown = next(a for a in twins_found["apps"] if a["app_id"] == twins[0])["required_resource_access"]
    assert shown == [{"resource": unknown_api, "resource_app_id": unknown_api,
                      "delegated": ["5f8c59db-677d-491f-a6b8-5f174b11ec1d"], "application": []}]
    pages = [e for e in tenant.requests(method="GET") if e["path"] == "/v1.0/applications"]
    assert len(pages) == 3 and twins_found["graph_requests"]["by_method"]["GET"] >= 3


def test_writer_that_drops_our_uris_is_merged_again(tenant, tmp_path):
    """Another writer replaces the SPA list right after our write (Graph has no ETag for it): the read-back
    after the settle delay sees ours missing and writes the union."""
    app_id = _seed(tenant, "contended", spa=[FOREIGN])
    rec = next(r for r in tenant.model.applications.values() if r.props["appId"] == app_id)
    other = "https://other-writer.contoso.example"
    done = threading.Event()

    def other_writer():
        deadline = time.time() + 60
        while time.time() < deadline and not done.is_set():
            if any(e["method"] == "PATCH" for e in tenant.requests()):
                tenant.model.update_application(rec, {"spa": {"redirectUris": [FOREIGN, other]}})
                return
            time.sleep(0.01)

    thread = threading.Thread(target=other_writer, daemon=True)
    thread.start()
    tasks = [{"name": "app", "wac.fleet.entra_app": {"app_id": app_id, "redirect_uris": [OURS],
                                                     "required_resource_access": []}}]
    try:
        _process, res = run_playbook(tmp_path, tasks, connection(tenant.endpoints))
    finally:
        done.set()
        thread.join(5)
    assert res["app"]["changed"] and not res["app"].get("failed")
    assert set(rec.props["spa"]["redirectUris"]) == {FOREIGN, other, OURS}
    assert len([e for e in tenant.requests() if e["method"] == "PATCH"]) == 2


def test_two_runs_at_once_end_with_the_union(tenant, tmp_path):
    defaults = connection(tenant.endpoints)
    uris = ["https://gw-a.contoso.example", "https://gw-b.contoso.example"]
    started = []
    for index, uri in enumerate(uris):
        run_dir = tmp_path / f"run{index}"
        run_dir.mkdir()
        tasks = [{"name": "app", "wac.fleet.entra_app": {"unique_name": "wac-concurrent", "redirect_uris": [uri]}}]
        started.append(start_playbook(run_dir, tasks, defaults))
    results = []
    for run, path in started:
        results.append(registered(run.wait(180), path)["app"])
    assert all(not r.get("failed") for r in results), results
    apps = [r.props for r in tenant.model.applications.values() if r.props.get("uniqueName") == "wac-concurrent"]
    assert len(apps) == 1, "two concurrent runs must never make two apps"
    assert set(uris) <= set(apps[0]["spa"]["redirectUris"])
    assert len({r["app_id"] for r in results}) == 1
