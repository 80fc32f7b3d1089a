"""Fault injection of the emulated tenant (in-process and through the control API), the request log, reset."""

import time

import pytest

from tests.emulators.tenant import clients

# Also registered by tests/conftest.py; naming it here keeps this file runnable on its own.
pytest_plugins = ["tests.emulators.tenant.fixture"]


@pytest.fixture
def session(tenant):
    return clients.graph_session(tenant.endpoints, "admin")


def test_throttle_next_k_with_retry_after(tenant, session):
    url = f"{tenant.endpoints['graph_url']}/applications"
    tenant.model.faults.configure(throttle_next=2, retry_after=7)
    answers = [session.get(url) for _i in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "7"
    assert answers[0].json()["error"]["innerError"]["request-id"] == answers[0].headers["request-id"]
    assert [e["fault"] for e in tenant.requests()] == [429, 429, None]
    assert {e["client_id"] for e in tenant.requests()} == {tenant.endpoints["identities"]["admin"]["client_id"]}


def test_throttle_every_nth_request(tenant, session):
    url = f"{tenant.endpoints['graph_url']}/applications"
    tenant.model.faults.configure(throttle_every=3, retry_after=0)
    assert [session.get(url).status_code for _i in range(6)] == [200, 200, 429, 200, 200, 429]


def test_unavailable_burst_only_on_writes(tenant, session):
    url = f"{tenant.endpoints['graph_url']}/applications"
    tenant.model.faults.configure(unavailable_next=2, methods=["POST"])
    assert session.get(url).status_code == 200
    burst = [session.post(url, json={"displayName": "x"}) for _i in range(3)]
    assert [b.status_code for b in burst] == [503, 503, 201]
    assert "Retry-After" not in burst[0].headers


def test_replication_delay_after_create(tenant, session):
    graph = tenant.endpoints["graph_url"]
    tenant.model.faults.configure(replication_delay=3.0)
    app = session.post(f"{graph}/applications", json={"displayName": "fresh", "uniqueName": "fresh"}).json()
    missing = session.get(f"{graph}/applications(appId='{app['appId']}')")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"
    assert session.get(f"{graph}/applications?$filter=displayName eq 'fresh'").json()["value"] == []
    sp = session.post(f"{graph}/servicePrincipals", json={"appId": app["appId"]})
    assert sp.status_code == 400
    assert "does not reference a valid application object" in sp.json()["error"]["message"]
    # The alternate key is enforced at write time: an upsert during the delay updates, never duplicates.
    upsert = session.patch(f"{graph}/applications(uniqueName='fresh')", json={"notes": "n"},
                           headers={"Prefer": "create-if-missing"})
    assert upsert.status_code == 204
    time.sleep(max(0.0, tenant.model.get_application("id", app["id"], consistent=True).visible_at - time.time()))
    assert session.get(f"{graph}/applications/{app['id']}").json()["notes"] == "n"
    assert session.post(f"{graph}/servicePrincipals", json={"appId": app["appId"]}).status_code == 201


def test_control_api_faults_log_and_reset(tenant, session):
    ep = tenant.endpoints
    control = clients.http_session(ep)
    assert control.post(f"{ep['control_url']}/faults", json={"throttle_next": 1}).json()["throttle_next"] == 1
    assert control.post(f"{ep['control_url']}/faults", json={"no_such_fault": 1}).status_code == 400
    assert session.post(f"{ep['graph_url']}/applications", json={"displayName": "a"}).status_code == 429
    assert session.post(f"{ep['graph_url']}/applications", json={"displayName": "a"}).status_code == 201
    log = control.get(f"{ep['control_url']}/requests", params={"write_only": "1", "path_prefix": "/v1.0"}).json()
    assert [(e["method"], e["status"]) for e in log["value"]] == [("POST", 429), ("POST", 201)]
    everything = control.get(f"{ep['control_url']}/requests").json()["value"]
    assert any(e["path"].endswith("/oauth2/v2.0/token") for e in everything)
    assert not any(e["path"].startswith("/_emulator") for e in everything)
    table = control.get(f"{ep['control_url']}/permissions").json()["value"]
    assert {"method": "POST", "path": "/v1.0/oauth2PermissionGrants",
            "permissions": ["DelegatedPermissionGrant.ReadWrite.All"]} in table
    assert control.post(f"{ep['control_url']}/reset").status_code == 204
    assert tenant.requests() == []
    names = [a["displayName"] for a in session.get(f"{ep['graph_url']}/applications").json()["value"]]
    assert "a" not in names and "wac-fleet emulator admin" in names
