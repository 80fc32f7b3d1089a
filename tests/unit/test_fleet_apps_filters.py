"""wac.fleet.gateway_app and wac.fleet.fleet_gateways: a gateway's app of the fleet, and the gateways as
wac.fleet.entra_fleet_apps takes them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.filter.fleet_gateways import fleet_gateways
from ansible_collections.wac.fleet.plugins.filter.gateway_app import gateway_app
from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_apps import registration_of

SHARED = {"tenant_id": "t", "app_id": "a1", "object_id": "o1", "service_principal_id": "s1",
          "gateway_apps": {"gw1": "wac", "gw2": "wac-2"},
          "apps": [{"unique_name": "wac", "app_id": "a1", "object_id": "o1", "service_principal_id": "s1",
                    "redirect_uris": ["https://gw1"]},
                   {"unique_name": "wac-2", "app_id": "a2", "object_id": "o2", "service_principal_id": "s2"}]}


def test_each_gateway_gets_its_app_and_the_first_app_is_the_default():
    assert gateway_app(SHARED, "gw2") == {"unique_name": "wac-2", "app_id": "a2", "object_id": "o2",
                                          "service_principal_id": "s2"}
    assert gateway_app(SHARED, "gw1")["app_id"] == "a1"
    assert gateway_app(SHARED, "unknown")["app_id"] == "a1"


def test_an_existing_app_used_as_is_and_nothing_at_all():
    existing = {"tenant_id": "t", "app_id": "x", "object_id": "y", "apps": []}
    assert gateway_app(existing, "gw1") == {"unique_name": "", "app_id": "x", "object_id": "y",
                                            "service_principal_id": ""}
    assert gateway_app(None, "gw1") == {}
    assert gateway_app({}, "gw1") == {"unique_name": "", "app_id": "", "object_id": "", "service_principal_id": ""}


class _LookupOnly(dict):
    """A fleet's gateway_apps that refuses to be walked: only a lookup of one gateway is allowed."""

    def _walked(self, *_args):
        raise AssertionError("the whole of gateway_apps was walked for one gateway")

    __iter__ = keys = values = items = copy = __eq__ = _walked  # len() and get() are O(1)


def test_registration_of_looks_up_one_gateway_and_templates_only_its_leaves():
    templated = []

    def template(value):
        templated.append(value)
        return value.upper() if value == "t" else value

    apps = _LookupOnly({f"gw{i}": "wac" for i in range(1000)} | {"gw2": "wac-2"})
    shared = {**SHARED, "failure": "", "gateway_apps": apps}
    wanted = {"tenant_id": "T", "app_id": "a2", "service_principal_id": "s2", "failure": ""}
    assert registration_of(shared, "gw2", template) == wanted
    assert sorted(map(str, templated)) == ["", "a2", "s2", "t"]  # the leaves used, never the fact
    assert registration_of({**SHARED, "failure": "consent refused"}, "gw1", str)["failure"] == "consent refused"
    assert registration_of(None, "gw1", str) == {"tenant_id": "", "app_id": "", "service_principal_id": "",
                                                 "failure": ""}


def test_fleet_gateways_from_facts():
    hostvars = {
        "gw1": {"ansible_facts": {"wac_gateway": {"redirect_uris": ["https://gw1:6600"],
                                                  "registration": {"registered": True, "app_id": "a2"}}}},
        "gw2": {"ansible_facts": {"wac_gateway": {"redirect_uris": ["https://localhost:6516", "http://localhost:6516"],
                                                  "registration": {"registered": False, "app_id": None}}}},
        "down": {"ansible_facts": {}},
    }
    assert fleet_gateways(["gw1", "gw2", "down", "absent"], hostvars) == [
        {"name": "gw1", "redirect_uris": ["https://gw1:6600"], "registered_app_id": "a2"},
        {"name": "gw2", "redirect_uris": ["https://localhost:6516", "http://localhost:6516"],
         "registered_app_id": None}]
    with pytest.raises(AnsibleFilterError, match="hostvars"):
        fleet_gateways(["gw1"], [])
