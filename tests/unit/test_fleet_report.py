"""The fleet report model: outcomes per gateway from task results, and its four renderings."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_report import FleetReport


def run_of_three() -> FleetReport:
    report = FleetReport()
    report.add_hosts(["pc-a", "pc-b", "pc-c"])
    for host, gen in (("pc-a", "classic_server"), ("pc-b", "modern")):
        report.record(host, "wac.fleet.gateway_info", "ok", {"generation": gen, "redirect_uris": [f"https://{host}"]})
    report.record("pc-a", "wac.fleet.gateway_proxy", "changed", {"changed": True})
    report.record("pc-a", "wac.fleet.gateway_service", "changed", {"changed": True})
    report.record("pc-b", "gateway_proxy", "ok", {})
    report.record("pc-c", "wac.fleet.gateway_info", "unreachable", {"msg": "ntlm: the server refused\nthe  connection"})
    report.record("pc-a", "wac.fleet.entra_app", "changed", {"app_id": "A", "tenant_id": "T", "client_secret": "x"})
    report.record("pc-a", "wac.fleet.gateway_registration", "changed", {})
    report.record("pc-b", "wac.fleet.gateway_registration", "failed", {"msg": "gateway answered 500"})
    return report


def test_outcomes_per_gateway():
    summary = run_of_three().summary()
    rows = {r["host"]: r for r in summary["gateways"]}
    assert rows["pc-a"] | {"reason": None} == {
        "host": "pc-a", "generation": "classic_server", "redirect_uris": ["https://pc-a"], "proxy": "changed",
        "restart": "changed", "registration": "changed", "outcome": "changed", "reason": None,
        "registered_app_id": None, "registration_read": False, "app_id": None, "check": None, "checks": {},
    }
    assert rows["pc-b"]["outcome"] == "failed" and rows["pc-b"]["reason"] == "gateway answered 500"
    assert rows["pc-c"]["outcome"] == "unreachable"
    assert rows["pc-c"]["reason"] == "ntlm: the server refused the connection"
    assert summary["totals"] == {"gateways": 3, "ok": 0, "changed": 1, "failed": 1, "unreachable": 1, "restarted": 1}
    assert summary["entra"] == {"entra_app": {"status": "changed", "app_id": "A", "tenant_id": "T"}}


def test_skipped_task_does_not_hide_an_earlier_outcome_and_done_counts_failures():
    report = run_of_three()
    report.record("pc-a", "wac.fleet.gateway_service", "skipped", {})
    assert report.summary()["gateways"][0]["restart"] == "changed"
    assert report.done_count() == 3
    assert report.failed_count() == 2


def test_renderings_carry_every_gateway_and_no_secret():
    report = run_of_three()
    summary = report.summary()
    table = report.table(summary)
    assert table.splitlines()[0].split()[:3] == ["host", "generation", "proxy"]
    assert "3 gateways: 0 ok, 1 changed, 1 failed, 1 unreachable, 1 restarted" in table
    markdown = report.markdown(summary)
    assert markdown.count("\n| pc-") == 3
    suites = ET.fromstring(report.junit(summary))
    suite = suites.find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
    assert [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None] == ["pc-b", "pc-c"]
    for text in (table, markdown, json.dumps(summary), report.junit(summary)):
        assert "client_secret" not in text


def fleet_of_apps(consent_missing=False) -> FleetReport:
    """Three gateways over two apps: pc-b's URI was dropped from its app, pc-c says it is registered elsewhere."""
    report = FleetReport()
    report.add_hosts(["pc-a", "pc-b", "pc-c"])
    for host in ("pc-a", "pc-b", "pc-c"):
        registered = {"readable": True, "registered": True, "app_id": "A2" if host == "pc-c" else "A1"}
        report.record(host, "wac.fleet.gateway_ready", "ok", {
            "generation": "modern", "redirect_uris": [f"https://{host}"],
            "ansible_facts": {"wac_gateway": {"registration": registered}}})
    report.record("pc-a", "wac.fleet.entra_fleet_apps", "changed", {
        "gateway_apps": {"pc-a": "wac", "pc-b": "wac", "pc-c": "wac-2"},
        "apps": [{"unique_name": "wac", "app_id": "A1", "redirect_uris": ["https://pc-a"], "redirect_uri_count": 1,
                  "redirect_uri_limit": 256, "gateways": ["pc-a", "pc-b"]},
                 {"unique_name": "wac-2", "app_id": "A3", "redirect_uris": ["https://pc-c"],
                  "redirect_uri_count": 1, "redirect_uri_limit": 256, "gateways": ["pc-c"]}]})
    missing = ["User.Read"] if consent_missing else []
    report.record("pc-a", "wac.fleet.entra_admin_consent", "changed", {"results": [
        {"app_id": "A1", "consent": [{"missing_scopes": [], "missing_roles": []}]},
        {"app_id": "A3", "consent": [{"missing_scopes": missing, "missing_roles": []}]}]})
    report.record("pc-c", "wac.fleet.gateway_registration", "changed", {
        "registration": {"cloud": "AzureCloud", "tenant_id": "T", "app_id": "A3"}})
    return report


def test_each_gateway_shows_its_app_and_which_end_to_end_check_fails():
    report = fleet_of_apps()
    summary = report.summary()
    rows = {r["host"]: r for r in summary["gateways"]}
    assert {h: (r["app_id"], r["check"]) for h, r in rows.items()} == {
        "pc-a": ("A1", "ok"), "pc-b": ("A1", "failed: redirect_uri"), "pc-c": ("A3", "ok")}
    assert summary["apps"] == [
        {"unique_name": "wac", "app_id": "A1", "redirect_uri_count": 1, "redirect_uri_limit": 256, "gateways": 2},
        {"unique_name": "wac-2", "app_id": "A3", "redirect_uri_count": 1, "redirect_uri_limit": 256, "gateways": 1}]
    assert summary["totals"]["check_failed"] == 1
    table = report.table(summary)
    assert "app wac-2 (A3): 1/256 redirect URIs, 1 gateways" in table
    assert "1 failing the end-to-end check" in table
    suite = ET.fromstring(report.junit(summary)).find("testsuite")
    assert [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None] == ["pc-b"]

    rows = {r["host"]: r for r in fleet_of_apps(consent_missing=True).summary()["gateways"]}
    assert rows["pc-c"]["check"] == "failed: consent" and rows["pc-c"]["checks"]["registered"] is True


def test_checks_not_known_are_said_so():
    report = fleet_of_apps()
    report.apps.consent.clear()  # consent not run (an app used as is)
    rows = {r["host"]: r for r in report.summary()["gateways"]}
    assert rows["pc-a"]["check"] == "unknown: consent"


def test_a_run_in_check_mode_makes_no_end_to_end_check():
    report = fleet_of_apps()
    report.record("pc-a", "wac.fleet.gateway_registration", "changed", {}, check_mode=True)
    assert {r["check"] for r in report.summary()["gateways"]} == {None}
