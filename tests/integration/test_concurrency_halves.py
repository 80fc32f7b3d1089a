"""Two register_wac.yml runs at the same moment against the same tenant, each over half of the fleet (what AWX job
slicing does): exactly one app afterwards, holding the union of both halves' redirect URIs, and every gateway
registered to it; and, for a fleet past the redirect-URI limit, no app over the limit, no URI lost, every gateway
registered to an app holding its URI. The halves sign in as two identities (secret and certificate) so the tenant's
request log tells their requests apart and shows the two runs' Graph writes really overlapped."""

from __future__ import annotations

import json

from tests.integration.fleet_world import UNIQUE_NAME

ROUNDS = 2


def app_window(world, client_id: str) -> tuple[float, float]:
    times = [e["time"] for e in world.tenant.requests() if e["client_id"] == client_id
             and e["path"].startswith("/v1.0/applications")]
    assert times, f"no application request of {client_id}"
    return min(times), max(times)


def test_two_halves_at_once_share_one_app_with_the_union_of_their_uris(fleet_world):
    world = fleet_world(count=6)
    endpoints = world.tenant.endpoints
    cert = endpoints["identities"]["cert"]
    connection_b = {**world.vars["entra_app_connection"], "client_id": cert["client_id"],
                    "certificate_path": cert["certificate_path"]}
    extra_b = world.work / "half-b.json"
    extra_b.write_text(json.dumps({"entra_app_connection": connection_b}))
    half_a, half_b = world.hosts[:3], world.hosts[3:]
    admin_id = endpoints["identities"]["admin"]["client_id"]

    for round_number in range(ROUNDS):
        world.tenant.reset()  # round 2: the app is gone; both halves race to create it again and re-register
        world.tenant.model.faults.configure(hold_writes_for_clients=2)  # both read before either writes
        first = world.start("register_wac.yml", "--limit", ",".join(half_a), name=f"a{round_number}")
        second = world.start("register_wac.yml", "--limit", ",".join(half_b), "-e", f"@{extra_b}",
                             name=f"b{round_number}", env={"AZURE_CLIENT_SECRET": None})
        run_a, run_b = world.finish(first), world.finish(second)
        assert run_a.rc == 0, run_a.output
        assert run_b.rc == 0, run_b.output

        apps = world.apps()
        assert len(apps) == 1, [a["displayName"] for a in apps]
        (app,) = apps
        assert app["uniqueName"] == UNIQUE_NAME
        assert world.redirect_uris() <= set(app["spa"]["redirectUris"]), (
            f"round {round_number}: missing {sorted(world.redirect_uris() - set(app['spa']['redirectUris']))}")
        for name in world.hosts:
            assert world.gateway(name)["registration"]["app_id"] == app["appId"], name

        start_a, end_a = app_window(world, admin_id)
        start_b, end_b = app_window(world, cert["client_id"])
        assert start_a < end_b and start_b < end_a, "the two runs' Graph requests did not overlap: no race"
        creates = [e for e in world.tenant.requests(write_only=True) if e["path"].startswith("/v1.0/applications")]
        assert {e["client_id"] for e in creates} == {admin_id, cert["client_id"]}, "both runs wrote the app"


def test_two_halves_past_the_limit_never_overfill_an_app_nor_lose_a_uri(fleet_world):
    """130 server-mode gateways whose app allows personal Microsoft accounts (100 redirect URIs an app): both halves
    find room in the first app, both write it, and the one whose URIs the other's write dropped moves what no longer
    fits to the next app. The tenant refuses any write past 100, so an app over the limit cannot even be made."""
    world = fleet_world(count=130, fleet_options={"generations": ["classic_server", "modern"]}, forks=20,
                        entra_app_sign_in_audience="AzureADandPersonalMicrosoftAccount")
    cert = world.tenant.endpoints["identities"]["cert"]
    connection_b = {**world.vars["entra_app_connection"], "client_id": cert["client_id"],
                    "certificate_path": cert["certificate_path"]}
    extra_b = world.work / "half-b.json"
    extra_b.write_text(json.dumps({"entra_app_connection": connection_b}))
    half_a, half_b = world.hosts[::2], world.hosts[1::2]
    world.tenant.model.faults.configure(hold_writes_for_clients=2)  # both read before either writes

    first = world.start("register_wac.yml", "--limit", ",".join(half_a), name="a")
    second = world.start("register_wac.yml", "--limit", ",".join(half_b), "-e", f"@{extra_b}", name="b",
                         env={"AZURE_CLIENT_SECRET": None})
    run_a, run_b = world.finish(first, timeout=600), world.finish(second, timeout=600)
    assert run_a.rc == 0, run_a.output[-3000:]
    assert run_b.rc == 0, run_b.output[-3000:]

    apps = world.fleet_apps()
    counts = {name: world.uri_count(app) for name, app in sorted(apps.items())}
    assert all(n <= 100 for n in counts.values()), counts
    assert sorted(counts) == [UNIQUE_NAME, f"{UNIQUE_NAME}-2"] and sum(counts.values()) == 130, counts
    held = {uri for app in apps.values() for uri in app["spa"]["redirectUris"]}
    assert world.redirect_uris() <= held, f"lost: {sorted(world.redirect_uris() - held)}"
    assert world.misplaced() == []
    start_a, end_a = app_window(world, world.tenant.endpoints["identities"]["admin"]["client_id"])
    start_b, end_b = app_window(world, cert["client_id"])
    assert start_a < end_b and start_b < end_a, "the two runs' Graph requests did not overlap: no race"
