"""The gateway role's input check is gateway_ready's own check, named by the role's variables; and the role's
defaults are the module's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.filter.gateway_role_problems import gateway_role_problems
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import PROXY_OPTIONS, ROLE_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
ROLE_SPEC = yaml.safe_load((ROOT / "roles/gateway/meta/argument_specs.yml").read_text())["argument_specs"]["main"]


def defaults() -> dict:
    return {name: spec.get("default") for name, spec in ROLE_SPEC["options"].items()}


def test_good_settings_have_no_problem():
    assert gateway_role_problems(defaults()) == []  # unmanaged proxy
    assert gateway_role_problems({**defaults(), "gateway_proxy_state": "present",
                                  "gateway_proxy_address": "http://proxy.contoso.test:3128"}) == []


def test_every_problem_is_named_by_its_role_variable():
    problems = gateway_role_problems({**defaults(), "gateway_proxy_state": "present", "gateway_proxy_address": "",
                                      "gateway_proxy_password": "x", "gateway_proxy_bypass_list": ["https://a.b"],
                                      "gateway_restart_timeout": 0, "gateway_restart_delay": -1})
    assert [p.split()[0].rstrip(":") for p in problems] == [
        "gateway_proxy_password", "gateway_proxy_address", "gateway_proxy_bypass_list", "gateway_restart_timeout",
        "gateway_restart_delay"]
    assert "gateway_proxy_password was given without gateway_proxy_username" in problems[0]
    bad = gateway_role_problems({**defaults(), "gateway_proxy_state": "absent", "gateway_proxy_username": "a b"})
    assert bad == ["gateway_proxy_username must be a non-empty name without white space, got 'a b'"]
    with pytest.raises(AnsibleFilterError, match="dict of the gateway role's variables"):
        gateway_role_problems(["gateway_proxy_state"])


def test_role_defaults_are_the_modules():
    role = defaults()
    for option, spec in PROXY_OPTIONS.items():
        if "default" in spec:
            assert role[ROLE_VARIABLES[option]] == spec["default"], option
