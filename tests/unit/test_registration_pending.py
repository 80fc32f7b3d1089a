"""wac.fleet.registration_pending: which gateways a fleet run must visit again, from their wac_gateway facts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.filter.registration_pending import registration_pending

TENANT = "11111111-1111-1111-1111-111111111111"
APP = "22222222-2222-2222-2222-222222222222"
OBJECT = "33333333-3333-3333-3333-333333333333"


def facts(registered=True, readable=True, **changes):
    # what the gateway's appInfo answer holds (the SDK's AadAppConfig): cloud as WAC names it, tenant, app
    registration = {"readable": readable, "registered": registered, "cloud": "Azure Global", "tenant_id": TENANT,
                    "app_id": APP}
    registration.update(changes)
    # hostvars of a host: the facts are under ansible_facts (with INJECT_FACTS_AS_VARS on also at the top level)
    return {"ansible_facts": {"wac_gateway": {"gateway_url": "https://gw1.contoso.test", "registration": registration}}}


HOSTVARS = {
    "same": facts(),
    "other-app": facts(app_id="44444444-4444-4444-4444-444444444444"),
    "other-cloud": facts(cloud="Azure China"),
    "old-version": facts(cloud="AzureCloud"),  # registered by an earlier wac.fleet, with a name WAC does not use
    "spelled-apart": facts(cloud="azureglobal"),  # the SDK compares without spaces, case ignored
    "unregistered": facts(registered=False),
    "unreadable": facts(readable=False),
    "never-read": {"ansible_facts": {}},
    "not-in-hostvars-yet": {},
}


def test_present_keeps_every_gateway_that_differs_or_is_unknown_in_order():
    pending = registration_pending(list(HOSTVARS), HOSTVARS, tenant_id=TENANT, app_id=APP, app_object_id=OBJECT)
    assert pending == ["other-app", "other-cloud", "old-version", "unregistered", "unreadable", "never-read",
                       "not-in-hostvars-yet"]


def test_only_ansible_facts_count_not_a_top_level_variable():
    top_level_only = {"wac_gateway": facts()["ansible_facts"]["wac_gateway"]}
    assert registration_pending(["h"], {"h": top_level_only}, tenant_id=TENANT, app_id=APP) == ["h"]


def test_the_object_id_is_written_but_not_compared():
    # appInfo holds no object ID (SDK AadAppConfig), so a re-run cannot and does not compare it
    assert registration_pending(["same"], {"same": facts()}, tenant_id=TENANT, app_id=APP) == []


def test_without_an_app_every_gateway_is_left_to_the_role():
    assert registration_pending(["same", "other-app"], HOSTVARS, tenant_id=TENANT, app_id="") == ["same", "other-app"]


def test_absent_keeps_the_registered_and_the_unknown():
    pending = registration_pending(list(HOSTVARS), HOSTVARS, state="absent")
    assert pending == ["same", "other-app", "other-cloud", "old-version", "spelled-apart", "unreadable", "never-read",
                       "not-in-hostvars-yet"]


@pytest.mark.parametrize(("hostvars", "state", "field"), [([], "present", "hostvars"), ({}, "gone", "state")])
def test_bad_arguments_name_the_field(hostvars, state, field):
    with pytest.raises(AnsibleFilterError, match=field):
        registration_pending(["same"], hostvars, state=state)


def test_fleet_apps_compare_each_gateway_with_its_own_app():
    second = "55555555-5555-5555-5555-555555555555"
    shared = {"tenant_id": TENANT, "gateway_apps": {"on-second": "wac-2", "moved-to-second": "wac-2"},
              "apps": [{"unique_name": "wac", "app_id": APP, "object_id": OBJECT},
                       {"unique_name": "wac-2", "app_id": second, "object_id": ""}]}
    hostvars = {"same": facts(), "on-second": facts(app_id=second), "moved-to-second": facts(),
                "not-yet": facts(app_id=second)}
    pending = registration_pending(list(hostvars), hostvars, tenant_id=TENANT, fleet_apps=shared)
    assert pending == ["moved-to-second", "not-yet"]
    no_ids = {"apps": [{"unique_name": "wac", "app_id": ""}]}
    assert registration_pending(["same"], hostvars, tenant_id=TENANT, fleet_apps=no_ids) == ["same"]
