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
