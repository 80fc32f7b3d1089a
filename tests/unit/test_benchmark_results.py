"""The fleet benchmark's own bookkeeping (benchmarks/results.py, benchmarks/playbooks.py): pure logic only."""

from __future__ import annotations

import json

import yaml

from benchmarks import playbooks, results

RECAP = """
PLAY RECAP *********************************************************************
wac-0001                   : ok=5    changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0
wac-0002                   : ok=1    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0
wac-0003                   : ok=2    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
"""


def test_recap_and_failed_hosts_count_unreachable_failed_and_missing():
    recap = results.parse_recap(RECAP)
    assert recap["wac-0001"] == {"ok": 5, "changed": 3, "unreachable": 0, "failed": 0}
    assert results.failed_hosts(recap, ["wac-0001", "wac-0002", "wac-0003", "wac-0004"]) == [
        "wac-0002", "wac-0003", "wac-0004"]


def test_graph_summary_separates_graph_from_sign_in_and_counts_writes():
    entries = [
        {"method": "POST", "path": "/tid/oauth2/v2.0/token", "status": 200},
        {"method": "GET", "path": "/v1.0/applications", "status": 200},
        {"method": "GET", "path": "/v1.0/applications", "status": 429},
        {"method": "PATCH", "path": "/v1.0/applications(uniqueName='x')", "status": 201},
        {"method": "POST", "path": "/v1.0/servicePrincipals", "status": 201},
        {"method": "GET", "path": "/v1.0x/not-graph", "status": 404},
    ]
    summary = results.graph_summary(entries)
    assert summary["graph_requests"] == 4
    assert summary["graph_writes"] == 2
    assert summary["login_requests"] == 2
    assert summary["graph_by_method"] == {"GET": 2, "PATCH": 1, "POST": 1}
    assert summary["graph_throttled"] == 1


def test_fleet_delta_counts_this_phase_only_and_restarted_pcs():
    before = {"a": {"scripts": 6, "wsman": {"Create": 4}, "service_starts": 1},
              "b": {"scripts": 3, "wsman": {"Create": 3}, "service_starts": 0}}
    after = {"a": {"scripts": 7, "wsman": {"Create": 5, "Command": 1}, "service_starts": 1},
             "b": {"scripts": 6, "wsman": {"Create": 5, "Command": 3}, "service_starts": 2}}
    delta = results.fleet_delta(before, after)
    assert delta["winrm_commands_per_host"] == 3
    assert delta["winrm_commands_per_host_min"] == 1
    assert delta["winrm_commands_total"] == 4
    assert delta["wsman_per_host_mean"] == {"Command": 2.0, "Create": 1.5}
    assert delta["restarts"] == 1
    assert results.floor_tasks(delta) == 3
    assert results.floor_tasks({"winrm_commands_per_host": 0}) == 1


def phase(wall, floor, **counts):
    base = {"graph_requests": 5, "graph_writes": 0, "winrm_commands_per_host": 1, "restarts": 0, "failed": 0,
            "graph_by_method": {"GET": 5}, "apps": [{"unique_name": "wac", "redirect_uris": 3, "limit": 256}],
            "redirect_uris_missing": 0}
    return {"wall_s": wall, "floor_wall_s": floor, **base, **counts}


def test_result_has_the_issue_shape_medians_of_timings_worst_of_counts():
    reps = [{"first": phase(10.0, 5.0, graph_writes=4), "rerun": phase(4.0, 2.0)},
            {"first": phase(30.0, 10.0, graph_writes=5, graph_by_method={"GET": 6, "PATCH": 5}),
             "rerun": phase(3.0, 2.0, redirect_uris_missing=2)},
            {"first": phase(12.0, 8.0, graph_writes=4), "rerun": phase(5.0, 4.0, failed=1)}]
    out = results.result(10, 25, reps, {"graph_requests": 20, "redirect_uris_lost": 7, "wall_s": 3},
                         controller_peak_kb=2048, emulator_peak_kb=1536)
    assert list(out) == ["gateways", "forks", "first", "rerun", "naive", "controller_peak_rss_mb",
                         "emulator_peak_rss_mb"]
    keys = ["wall_s", "floor_wall_s", "ratio", "graph_requests", "graph_writes", "graph_by_method", "apps",
            "redirect_uris_missing", "winrm_commands_per_host", "restarts", "failed"]
    assert list(out["first"]) == keys and list(out["rerun"]) == keys
    assert out["first"]["wall_s"] == 12.0 and out["first"]["floor_wall_s"] == 8.0
    assert out["first"]["ratio"] == 2.0  # median of the paired ratios 2.0, 3.0, 1.5
    assert out["first"]["graph_writes"] == 5 and out["first"]["graph_by_method"] == {"GET": 6, "PATCH": 5}
    assert out["rerun"]["failed"] == 1 and out["rerun"]["redirect_uris_missing"] == 2
    assert out["naive"] == {"graph_requests": 20, "redirect_uris_lost": 7}
    assert out["controller_peak_rss_mb"] == 2.0 and out["emulator_peak_rss_mb"] == 1.5
    json.dumps(out)


def test_floor_playbook_runs_the_noop_marker_as_raw_tasks(tmp_path):
    plays = yaml.safe_load(playbooks.write_floor(tmp_path, 4).read_text())
    assert len(plays) == 1 and plays[0]["hosts"] == "wac_gateways" and plays[0]["gather_facts"] is False
    assert [task["ansible.builtin.raw"] for task in plays[0]["tasks"]] == [playbooks.NOOP] * 4
    assert playbooks.NOOP == "# wac.fleet operation: noop"


def test_redirect_uris_missing_compares_the_fleet_report_with_every_app_platform():
    report = {"gateways": [{"host": "a", "redirect_uris": ["https://localhost:6516", "http://localhost:6516"]},
                           {"host": "b", "redirect_uris": ["https://b.fleet.wac.test"]},
                           {"host": "c", "redirect_uris": None}]}
    apps = [{"spa": {"redirectUris": ["https://localhost:6516", "http://localhost:6516"]}, "web": {"redirectUris": []}},
            {"spa": {"redirectUris": []}, "web": {"redirectUris": ["https://other"]}}]
    assert results.redirect_uris_missing(report, apps) == 1
    apps[1]["web"]["redirectUris"].append("https://b.fleet.wac.test")
    assert results.redirect_uris_missing(report, apps) == 0
    assert results.redirect_uris_missing(None, apps) is None


def test_fleet_apps_counts_every_platform_against_the_audience_limit():
    apps = [{"uniqueName": "wac-2", "tags": ["wac.fleet:managed"], "signInAudience": "AzureADMyOrg",
             "spa": {"redirectUris": ["https://a", "https://b"]}, "web": {"redirectUris": ["https://c"]}},
            {"uniqueName": "wac", "tags": ["wac.fleet:managed"], "signInAudience": "AzureADandPersonalMicrosoftAccount",
             "spa": {"redirectUris": ["https://d"]}},
            {"uniqueName": None, "tags": [], "spa": {"redirectUris": ["https://naive"]}}]
    assert results.fleet_apps(apps) == [{"unique_name": "wac", "redirect_uris": 1, "limit": 100},
                                        {"unique_name": "wac-2", "redirect_uris": 3, "limit": 256}]


def test_a_phase_without_floor_has_null_floor_and_ratio():
    """--floor rerun: the first run's floor is not run; its floor and ratio are null (valid JSON), the re-run's kept."""
    reps = [{"first": phase(600.0, None), "rerun": phase(60.0, 50.0)}]
    out = results.result(10000, 25, reps, {"graph_requests": None, "redirect_uris_lost": None},
                         controller_peak_kb=1024, emulator_peak_kb=1024)
    assert out["first"]["wall_s"] == 600.0 and out["first"]["floor_wall_s"] is None and out["first"]["ratio"] is None
    assert out["rerun"]["ratio"] == 1.2
    assert "NaN" not in json.dumps(out)
