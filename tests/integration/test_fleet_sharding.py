"""A fleet past Entra's redirect-URI limit, end to end: register_wac.yml over 600 server-mode gateways (each its own
redirect URI) through real WinRM against the emulated tenant, which refuses an app with more than 256 URIs.

The fleet ends with three apps, none over 256; every gateway is registered to an app that holds its URI; a re-run
changes nothing and writes nothing to Graph; ten more gateways go to the app with room and touch no other app.
The one 600-gateway run of the suite (see docs/development.md for its time); smaller fleets elsewhere show the rest.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.fleet_world import UNIQUE_NAME

GATEWAYS = 600
ADDED = 10
SERVER_MODE = {"generations": ["classic_server", "modern"]}  # each its own https://<fqdn>:<port> redirect URI
FIRST_RUN_BUDGET = 8 + 6 * 2  # Graph requests of a first run: 8, and 6 for each further app
RERUN_BUDGET = 4 + 2 * 2

# Three playbook runs over 610 gateways: about 5 minutes on 2 cores (docs/development.md), more under load, past the
# suite's 300 s per test (the runs have their own timeouts below).
pytestmark = pytest.mark.timeout(2400)


def graph_requests(world, since: int) -> list[dict]:
    return world.tenant.requests()[since:]


def test_600_gateways_three_apps_rerun_writes_nothing_and_ten_more_touch_only_the_app_with_room(fleet_world):
    started = time.monotonic()
    world = fleet_world(count=GATEWAYS + ADDED, fleet_options=SERVER_MODE, forks=25)
    first_hosts, added = world.hosts[:GATEWAYS], world.hosts[GATEWAYS:]
    limit = ("--limit", ",".join(first_hosts))
    timings = {"fleet_start_s": round(time.monotonic() - started, 1)}

    clock = time.monotonic()
    first = world.run("register_wac.yml", *limit, name="first", timeout=900)
    timings["first_run_s"] = round(time.monotonic() - clock, 1)
    assert first.rc == 0, first.output[-3000:]
    apps = world.fleet_apps()
    assert sorted(apps) == [UNIQUE_NAME, f"{UNIQUE_NAME}-2", f"{UNIQUE_NAME}-3"]
    assert [world.uri_count(apps[n]) for n in sorted(apps)] == [256, 256, 88]
    assert world.misplaced(first_hosts) == []
    assert len(graph_requests(world, 0)) <= FIRST_RUN_BUDGET, world.tenant.requests()
    report = world.report(first)
    assert {r["check"] for r in report["gateways"] if r["host"] in first_hosts} == {"ok"}
    assert [(a["unique_name"], a["redirect_uri_count"], a["redirect_uri_limit"]) for a in report["apps"]] == [
        (UNIQUE_NAME, 256, 256), (f"{UNIQUE_NAME}-2", 256, 256), (f"{UNIQUE_NAME}-3", 88, 256)]
    for app in apps.values():
        assert [r["value"] for r in app["appRoles"]] == ["User", "Admin"]
        sp = world.tenant.model.service_principal_of_app(app["appId"])
        assert sp is not None and any(g.props["clientId"] == sp.id for g in world.tenant.model.list_grants())

    seen = len(world.tenant.requests())
    clock = time.monotonic()
    rerun = world.run("register_wac.yml", *limit, name="rerun", timeout=600)
    timings["rerun_s"] = round(time.monotonic() - clock, 1)
    assert rerun.rc == 0, rerun.output[-3000:]
    assert rerun.hosts("changed") == []
    assert [e for e in graph_requests(world, seen) if e["method"] != "GET"] == []
    assert len(graph_requests(world, seen)) <= RERUN_BUDGET, graph_requests(world, seen)

    seen = len(world.tenant.requests())
    registrations = world.registrations()
    grown = world.run("register_wac.yml", name="grown", timeout=600)
    assert grown.rc == 0, grown.output[-3000:]
    third = world.fleet_apps()[f"{UNIQUE_NAME}-3"]
    app_writes = {e["path"] for e in graph_requests(world, seen) if e["method"] != "GET"
                  and e["path"].startswith("/v1.0/applications")}
    assert app_writes == {f"/v1.0/applications/{third['id']}"}, "only the app with room is written"
    assert world.uri_count(third) == 88 + ADDED and world.misplaced() == []
    assert {name: world.registrations()[name] for name in first_hosts} == \
        {name: registrations[name] for name in first_hosts}, "the first 600 stay where they are"
    assert {world.registrations()[name]["app_id"] for name in added} == {third["appId"]}
    print(f"\n600-gateway fleet: {timings}")
