"""The test wac.fleet.guid is the GUID check of the plugins' options."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid
from ansible_collections.wac.fleet.plugins.test import guid as guid_plugin  # its TestModule, not collected here

# the Jinja test as Ansible loads it (tests/integration runs it through a playbook)
IS_GUID = guid_plugin.TestModule().tests()["guid"]
GUID = "0a0a0a0a-1111-2222-3333-444444444444"


@pytest.mark.parametrize("value", [GUID, "ABCDEF01-2345-6789-abcd-ef0123456789"])
def test_a_guid_is_one_for_the_test_and_the_plugins(value):
    assert IS_GUID(value) is True
    assert check_guid(value, "app_id") == value.lower()


@pytest.mark.parametrize("value", ["", "not-a-guid", GUID[:-1], "{" + GUID + "}", GUID.replace("-", ""),
                                   GUID + " ", GUID + "\n", 42, None, [GUID]])
def test_anything_else_is_refused_by_both(value):
    assert IS_GUID(value) is False
    with pytest.raises(InputError, match="app_id must be a GUID"):
        check_guid(value, "app_id")
