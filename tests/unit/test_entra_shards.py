"""The sharding plan: which app of the fleet each gateway gets, against Entra's redirect-URI limits."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import DesiredApp
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_shards import (
    Gateway,
    plan_shards,
    shard_index,
    shard_name,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError

DESKTOP = ("https://localhost:6516", "http://localhost:6516")
ADDITIVE = DesiredApp(redirect_uris_mode="additive", move_web_to_spa=True)


def server(number: int, app_id: str | None = None) -> Gateway:
    return Gateway(f"gw{number:04d}", (f"https://gw{number:04d}.contoso.test:6600",), app_id)


def app(app_id: str, uris=(), web=(), audience="AzureADMyOrg") -> dict:
    return {"appId": app_id, "signInAudience": audience, "spa": {"redirectUris": list(uris)},
            "web": {"redirectUris": list(web)}, "publicClient": {"redirectUris": []}}


def test_names_of_the_fleets_apps():
    assert [shard_name("wac", i) for i in (1, 2, 10)] == ["wac", "wac-2", "wac-10"]
    assert [shard_index("wac", n) for n in ("wac", "wac-2", "wac-17", "wac-1", "wac-02", "wac-x", "wacky", None)] \
        == [1, 2, 17, None, None, None, None, None]


def test_a_fleet_that_fits_gets_one_app():
    plan = plan_shards({}, [server(i) for i in range(200)] + [Gateway("desk", DESKTOP)], ADDITIVE)
    assert set(plan.gateways.values()) == {1} and plan.new == [1]
    assert plan.apps[1]["count"] == 202 and plan.apps[1]["limit"] == 256


def test_600_server_gateways_fill_three_apps_in_order():
    plan = plan_shards({}, [server(i) for i in range(600)], ADDITIVE, unique_name="wac")
    assert plan.new == [1, 2, 3]
    assert [plan.apps[i]["count"] for i in (1, 2, 3)] == [256, 256, 88]
    assert plan.gateways["gw0000"] == 1 and plan.gateways["gw0256"] == 2 and plan.gateways["gw0599"] == 3


def test_desktop_gateways_share_their_two_uris_in_any_app():
    full = app("a1", [f"https://gw{i:04d}.contoso.test:6600" for i in range(254)] + list(DESKTOP))
    plan = plan_shards({1: full}, [Gateway(f"desk{i}", DESKTOP) for i in range(50)] + [server(999)], ADDITIVE)
    assert all(plan.gateways[f"desk{i}"] == 1 for i in range(50))
    assert plan.gateways["gw0999"] == 2 and plan.new == [2]


def test_registered_gateways_stay_and_new_ones_fill_the_app_with_room():
    first = app("a1", [server(i).redirect_uris[0] for i in range(256)])
    second = app("a2", [server(i).redirect_uris[0] for i in range(256, 300)])
    fleet = [server(i, "a1") for i in range(256)] + [server(i, "A2") for i in range(256, 300)]
    fleet += [server(i) for i in range(300, 310)]
    plan = plan_shards({1: first, 2: second}, fleet, ADDITIVE)
    assert plan.new == [] and plan.apps[1]["count"] == 256 and plan.apps[2]["count"] == 54
    assert {plan.gateways[f"gw{i:04d}"] for i in range(300, 310)} == {2}


def test_a_gateway_stays_with_the_app_that_holds_its_uri_and_its_registration_wins():
    first = app("a1", [server(1).redirect_uris[0], server(2).redirect_uris[0]])
    second = app("a2", [server(1).redirect_uris[0]])
    plan = plan_shards({1: first, 2: second}, [server(1, "a2"), server(2), server(3)], ADDITIVE)
    assert plan.gateways == {"gw0001": 2, "gw0002": 1, "gw0003": 1}


def test_a_registered_gateway_whose_app_filled_up_moves_to_the_next_app_with_room():
    others = [f"https://other{i}.test" for i in range(256)]
    plan = plan_shards({1: app("a1", others), 2: app("a2")}, [server(1, "a1")], ADDITIVE)
    assert plan.gateways == {"gw0001": 2} and plan.apps[1]["gateways"] == []


def test_a_taken_unique_name_is_skipped():
    plan = plan_shards({}, [server(i) for i in range(300)], ADDITIVE, taken={2})
    assert plan.new == [1, 3]


def test_personal_accounts_shard_at_100_counting_every_platform():
    personal = DesiredApp(sign_in_audience="AzureADandPersonalMicrosoftAccount", redirect_uris_mode="additive")
    existing = app("a1", web=[f"https://legacy{i}.test" for i in range(10)])
    plan = plan_shards({1: existing}, [server(i) for i in range(150)], personal)
    assert [plan.apps[i]["count"] for i in (1, 2)] == [100, 60]
    assert len(plan.apps[1]["gateways"]) == 90


def test_exclusive_mode_counts_only_what_it_keeps():
    crowded = app("a1", [f"https://old{i}.test" for i in range(256)])
    exclusive = DesiredApp(redirect_uris_mode="exclusive")
    plan = plan_shards({1: crowded}, [server(i) for i in range(10)], exclusive)
    assert plan.new == [] and plan.apps[1]["count"] == 10


def test_extra_uris_go_to_the_first_app_and_what_cannot_fit_fails_naming_it():
    plan = plan_shards({}, [server(i) for i in range(256)], ADDITIVE, extra_uris=["https://portal.contoso.test"])
    assert plan.uris_of(1)[0] == "https://portal.contoso.test" and plan.new == [1, 2]
    assert plan.apps[1]["count"] == 256 and plan.apps[2]["gateways"] == ["gw0255"]
    with pytest.raises(InputError, match="extra redirect URIs"):
        plan_shards({}, [], ADDITIVE, extra_uris=[f"https://x{i}.test" for i in range(257)])
    shrink = DesiredApp(sign_in_audience="AzureADandPersonalMicrosoftAccount")
    with pytest.raises(InputError, match="holds 150 redirect URIs"):
        plan_shards({1: app("a1", [f"https://o{i}.test" for i in range(150)])}, [], shrink, unique_name="wac")
    with pytest.raises(InputError, match="max_apps=2"):
        plan_shards({}, [server(i) for i in range(600)], ADDITIVE, max_apps=2)
