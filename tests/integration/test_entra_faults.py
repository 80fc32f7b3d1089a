"""Throttling storms (429 with Retry-After, 503 without), the retry bound, and replication delay after creates,
survived by real ansible-playbook runs against the emulated tenant."""

from __future__ import annotations

from tests.integration._entra_support import connection, run_playbook


def _faults(ep, **settings):
    return {"name": f"faults {settings}", "ansible.builtin.uri": {
        "url": f"{ep['control_url']}/faults", "method": "POST", "body_format": "json", "body": settings,
        "ca_path": ep["ca_bundle"]}}


def test_throttling_and_replication_delay(tenant, tmp_path):
    ep = tenant.endpoints
    info = {"unique_name": "wac-faults"}
    tasks = [
        _faults(ep, throttle_next=3, retry_after=1),
        {"name": "429 storm", "wac.fleet.entra_app_info": info},
        _faults(ep, unavailable_next=2, unavailable_retry_after=None),
        {"name": "503 burst", "wac.fleet.entra_app_info": info},
        _faults(ep, throttle_next=100, retry_after=1),
        {"name": "over the bound", "wac.fleet.entra_app_info": {**info, "retry_max_seconds": 2.5}},
        _faults(ep, throttle_next=0, replication_delay=2.5),
        {"name": "create under replication delay", "wac.fleet.entra_app": {
            "unique_name": "wac-faults", "redirect_uris": ["https://localhost:6516"]}},
        {"name": "consent under replication delay", "wac.fleet.entra_admin_consent": {"app_id": "{{ r7.app_id }}"}},
        _faults(ep, replication_delay=0),
        {"name": "rerun", "wac.fleet.entra_app": {"unique_name": "wac-faults",
                                                  "redirect_uris": ["https://localhost:6516"]}},
    ]
    _process, res = run_playbook(tmp_path, tasks, connection(ep))
    storm, burst, over = res["429 storm"], res["503 burst"], res["over the bound"]
    assert not storm.get("failed") and storm["graph_requests"]["retries"] == 3, storm
    assert not burst.get("failed") and burst["graph_requests"]["retries"] == 2, burst
    assert over["failed"] and "retry_max_seconds" in over["msg"] and "429" in over["msg"], over
    assert over["graph_error"]["status"] == 429 and over["graph_requests"]["total"] <= 5
    created = res["create under replication delay"]
    consent = res["consent under replication delay"]
    assert created["changed"] and created["service_principal_id"] and not created.get("failed"), created
    assert consent["changed"] and not consent.get("failed"), consent
    assert created["graph_requests"]["retries"] + consent["graph_requests"]["retries"] >= 1
    assert not res["rerun"]["changed"] and res["rerun"]["graph_requests"]["writes"] == 0
    faulted = [e for e in tenant.requests() if e.get("fault")]
    assert len(faulted) >= 5
