"""Job slices as AWX makes them (tests/integration/awx_jobs.py): the inventory's hosts ordered by name, slice n of K
takes hosts[n - 1::K]; groups keep their variables and children, each with only the slice's hosts."""

from __future__ import annotations

import pytest

from tests.integration.awx_jobs import inventory_hosts, slice_inventory, slices

INVENTORY = {
    "_meta": {"hostvars": {f"wac-{n:02d}": {"ansible_host": f"127.0.0.{n}"} for n in (3, 1, 5, 2, 4)}},
    "all": {"children": ["ungrouped", "wac_gateways"]},
    "wac_gateways": {"hosts": ["wac-03", "wac-01", "wac-05", "wac-02", "wac-04"], "children": ["wac_gateways_modern"],
                     "vars": {"gateway_proxy_state": "present"}},
    "wac_gateways_modern": {"hosts": ["wac-02", "wac-04"]},
}


def test_host_i_of_the_name_ordered_inventory_goes_to_slice_i_mod_k():
    assert inventory_hosts(INVENTORY) == ["wac-01", "wac-02", "wac-03", "wac-04", "wac-05"]
    halves = [["wac-01", "wac-03", "wac-05"], ["wac-02", "wac-04"]]
    quarters = [["wac-01", "wac-05"], ["wac-02"], ["wac-03"], ["wac-04"]]
    assert [inventory_hosts(part) for part in slices(INVENTORY, 2)] == halves
    assert [inventory_hosts(part) for part in slices(INVENTORY, 4)] == quarters


def test_a_slice_keeps_group_vars_and_children_with_only_its_hosts():
    part = slice_inventory(INVENTORY, 1, 2)
    assert sorted(part["_meta"]["hostvars"]) == ["wac-01", "wac-03", "wac-05"]
    assert part["wac_gateways"]["vars"] == {"gateway_proxy_state": "present"}
    assert part["wac_gateways"]["children"] == ["wac_gateways_modern"]
    assert "hosts" not in part["wac_gateways_modern"]  # none of its hosts in this slice
    assert part["all"] == INVENTORY["all"]
    assert slice_inventory(INVENTORY, 2, 2)["wac_gateways_modern"]["hosts"] == ["wac-02", "wac-04"]


def test_a_slice_number_outside_one_to_k_is_refused():
    with pytest.raises(ValueError, match=r"within 1\.\.3"):
        slice_inventory(INVENTORY, 0, 3)
