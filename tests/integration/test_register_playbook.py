"""register_wac.yml and unregister_wac.yml across an emulated fleet of every generation, end to end: the real
playbooks, roles and plugins in ansible-playbook subprocesses, against the emulated tenant and fleet."""

from __future__ import annotations

from tests.integration.fleet_world import PROXY


def registrations(world) -> dict:
    return world.registrations()


def run(world, *args, name):
    playbook = args[0] if args and args[0].endswith(".yml") else "register_wac.yml"
    rest = args[1:] if args and args[0].endswith(".yml") else args
    result = world.run(playbook, *rest, name=name)
    result.name = name
    return result


def reported_uris(world, name, run_name="first") -> list[str]:
    """The redirect URIs gateway_info reported for the PC (what the Entra role aggregates), from the fleet report."""
    rows = {row["host"]: row for row in world.report(run_name)["gateways"]}
    return rows[name]["redirect_uris"]


def gateway(world, name) -> dict:
    return world.fleet.pcs[name].model.to_dict()


def writes(world) -> list[dict]:
    return world.tenant.requests(write_only=True)


def test_first_run_rerun_drift_check_mode_and_unregister(fleet_world):
    world = fleet_world(count=6)

    first = run(world, name="first")
    assert first.rc == 0, first.output
    assert first.hosts("changed") == world.hosts
    app = world.app()
    assert "wac.fleet:managed" in app["tags"]
    needed = {uri for name in world.hosts for uri in reported_uris(world, name)}
    assert needed <= set(app["spa"]["redirectUris"])
    for name, registration in registrations(world).items():
        assert registration["app_id"] == app["appId"], name
        assert registration["tenant_id"] == world.tenant.endpoints["tenant_id"], name
        assert gateway(world, name)["proxy"]["address"] == PROXY
    report = world.report(first.name)
    assert report["totals"]["changed"] == 6 and report["totals"]["failed"] == 0
    assert report["entra"]["entra_fleet_apps"]["app_id"] == app["appId"]
    assert {(r["app_id"], r["check"]) for r in report["gateways"]} == {(app["appId"], "ok")}
    assert report["apps"] == [{"unique_name": "wac-fleet-gateways", "app_id": app["appId"], "gateways": 6,
                               "redirect_uri_count": len(app["spa"]["redirectUris"]), "redirect_uri_limit": 256}]
    assert [r["value"] for r in app["appRoles"]] == ["User", "Admin"]
    restarted = {r["host"] for r in report["gateways"] if r["restart"] == "changed"}
    assert restarted == {h for h in world.hosts if gateway(world, h)["generation"] != "classic_desktop"}

    writes_before = len(writes(world))
    scripts_before = {name: len(world.scripts(name)) for name in world.hosts}
    rerun = run(world, name="rerun")
    assert rerun.rc == 0, rerun.output
    assert rerun.hosts("changed") == []
    assert len(writes(world)) == writes_before
    for name in world.hosts:  # the re-run reads each gateway once and writes nothing
        assert world.scripts(name)[scripts_before[name]:] == ["gateway_info"], name
    # one task per gateway (the settings check and the Entra step run once, on one host), and the registration play
    # has no gateway to visit
    per_gateway = [h for h in world.hosts if rerun.recap[h] == dict(rerun.recap[h], ok=1, skipped=0)]
    assert len(per_gateway) == len(world.hosts) - 1, rerun.recap
    assert "skipping: no hosts matched" in rerun.output

    proxy_drift, registration_drift = world.hosts[0], world.hosts[4]
    world.fleet.pcs[proxy_drift].model.apply({"proxy": {"address": "http://rogue.contoso.test:8080"}})
    world.fleet.pcs[registration_drift].model.apply({"registration": None})
    before = {name: gateway(world, name) for name in world.hosts}

    check = run(world, "--check", "--diff", name="check")
    assert check.rc == 0, check.output
    assert check.hosts("changed") == sorted([proxy_drift, registration_drift])
    assert "rogue.contoso.test" in check.output  # the diff shows the proxy it would replace
    assert {name: gateway(world, name) for name in world.hosts} == before
    assert len(writes(world)) == writes_before

    drift = run(world, name="drift")
    assert drift.rc == 0, drift.output
    assert drift.hosts("changed") == sorted([proxy_drift, registration_drift])
    assert gateway(world, proxy_drift)["proxy"]["address"] == PROXY
    assert gateway(world, registration_drift)["registration"]["app_id"] == app["appId"]
    assert len(writes(world)) == writes_before

    gone = world.hosts[2]
    unregister = run(world, "unregister_wac.yml", "--limit", gone, name="unregister")
    assert unregister.rc == 0, unregister.output
    assert unregister.hosts("changed") == [gone]
    assert gateway(world, gone)["registration"] is None
    assert world.app() is not None  # the Entra app stays, as in the UI
    assert all(registrations(world)[name] for name in world.hosts if name != gone)


def test_check_mode_on_a_new_fleet_changes_nothing_anywhere(fleet_world):
    world = fleet_world(count=3)
    before = {name: gateway(world, name) for name in world.hosts}
    check = run(world, "--check", "--diff", name="check")
    assert check.rc == 0, check.output
    assert check.hosts("changed") == world.hosts
    assert world.app() is None and writes(world) == []
    assert {name: gateway(world, name) for name in world.hosts} == before


def test_two_gateways_down_do_not_stop_the_others_and_a_rerun_converges(fleet_world):
    world = fleet_world(count=6)
    down = world.hosts[1:3]
    world.fleet.set_faults(down[0], refuse=True)
    world.fleet.set_faults(down[1], auth_fail=True)

    outcome = run(world, name="outcome")
    assert outcome.rc != 0
    assert outcome.hosts("unreachable") == sorted(down)
    up = [h for h in world.hosts if h not in down]
    assert all(gateway(world, h)["registration"] for h in up)
    assert not any(gateway(world, h)["registration"] for h in down)
    rows = {r["host"]: r for r in world.report(outcome.name)["gateways"]}
    assert {h: rows[h]["outcome"] for h in down} == dict.fromkeys(down, "unreachable")
    assert all(rows[h]["reason"] for h in down)
    uris_after_first = set(world.app()["spa"]["redirectUris"])

    for name in down:
        world.fleet.set_faults(name, refuse=False, auth_fail=False)
    again = run(world, name="again")
    assert again.rc == 0, again.output
    gateways_changed = [r["host"] for r in world.report("again")["gateways"] if r["outcome"] == "changed"]
    assert gateways_changed == sorted(down)  # the recap also counts the app's new URIs on the run_once host
    assert world.report("again")["entra"]["entra_fleet_apps"]["status"] == "changed"
    assert all(registrations(world).values())
    everyone = {u for h in world.hosts for u in reported_uris(world, h, "again")}
    only_down = everyone - {u for h in up for u in reported_uris(world, h, "outcome")}
    assert only_down and not only_down & uris_after_first  # the unreachable gateways' URIs came with the re-run
    assert everyone <= set(world.app()["spa"]["redirectUris"])


def test_an_existing_app_id_is_used_without_any_write_to_it(fleet_world):
    world = fleet_world(count=3)
    existing = world.tenant.model.create_application({"displayName": "WindowsAdminCenter-https://wac.contoso.test",
                                                      "spa": {"redirectUris": ["https://wac.contoso.test"]}})
    world.write_vars(entra_app_id=existing.props["appId"])

    outcome = run(world, name="outcome")
    assert outcome.rc == 0, outcome.output
    assert writes(world) == []
    assert world.app() is None  # no shared app was made
    assert existing.props["spa"]["redirectUris"] == ["https://wac.contoso.test"]
    for name, registration in registrations(world).items():
        assert registration["app_id"] == existing.props["appId"], name
    assert "lacks redirect URIs these gateways need" in outcome.output

    world.write_vars(entra_app_id="0a0a0a0a-1111-2222-3333-444444444444")
    rest_calls = {name: world.scripts(name).count("gateway_rest") for name in world.hosts}
    missing = run(world, name="missing")
    assert missing.rc != 0
    assert missing.hosts("failed") == world.hosts
    assert "is not an app of the tenant" in missing.output
    # the registration play fails the gateway with the Entra step's reason and sends it nothing
    assert "The shared Entra app step failed (nothing sent)" in missing.output
    assert {name: world.scripts(name).count("gateway_rest") for name in world.hosts} == rest_calls
    assert writes(world) == []


def test_bad_gateway_settings_stop_the_run_before_any_gateway_or_graph_request(fleet_world):
    world = fleet_world(count=3)
    world.write_vars(gateway_proxy_address="", gateway_proxy_username="", gateway_proxy_password="Pa55")
    bad = run(world, name="bad")
    assert bad.rc != 0
    # the checks of wac.fleet.gateway_ready itself, every problem at once, named by the role's variables
    assert "gateway_proxy_address is required" in bad.output
    assert "gateway_proxy_password was given without gateway_proxy_username" in bad.output
    assert all(world.scripts(name) == [] for name in world.hosts)
    assert world.tenant.requests() == []


CHECK_TASK = "TASK [wac.fleet.registration : Check the registration settings before touching any gateway]"


def test_a_registration_app_id_that_is_no_guid_stops_the_registration_before_any_gateway_is_sent_a_request(fleet_world):
    world = fleet_world(count=3)
    world.write_vars(registration_app_id="0a0a0a0a-1111-2222-3333-44444444444")  # one digit short
    bad = run(world, name="bad")
    assert bad.rc != 0
    # the registration play's check, once for the fleet (the test wac.fleet.guid), names both variables
    assert "registration_tenant_id and registration_app_id must be GUIDs" in bad.output
    assert bad.output.count(CHECK_TASK) == 1
    assert all("gateway_rest" not in world.scripts(name) for name in world.hosts)

    world.write_vars(registration_app_id="0A0A0A0A-1111-2222-3333-444444444444")  # a GUID (of no app): check passes
    good = run(world, name="good")
    assert "must be GUIDs" not in good.output
    assert good.output.count(CHECK_TASK) == 1
