# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.guid: whether a value is a GUID, by the check every wac.fleet plugin makes of its GUID options."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import is_guid

DOCUMENTATION = r"""
name: guid
short_description: Whether a value is a GUID, as wac.fleet's plugins check tenant and app IDs
version_added: 0.1.0
description:
  - True when the value is a string of the form C(00000000-0000-0000-0000-000000000000) (hexadecimal digits in
    groups of 8, 4, 4, 4 and 12, any case), the check M(wac.fleet.gateway_registration) and the Entra modules make
    of their GUID options before they send anything.
  - The role C(wac.fleet.registration) checks O(wac.fleet.registration#role:check:registration_tenant_id) and
    O(wac.fleet.registration#role:check:registration_app_id) with it, once for the fleet.
author:
  - wac.fleet maintainers (@wac-fleet)
options:
  _input:
    description: The value to check; anything that is not a string is not a GUID.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Check an app ID before touching any gateway
  ansible.builtin.assert:
    that: registration_app_id is wac.fleet.guid
    fail_msg: "registration_app_id must be a GUID, got {{ registration_app_id }}"
"""

RETURN = r"""
_value:
  description: Whether the value is a GUID.
  type: bool
"""


class TestModule:
    def tests(self):
        return {"guid": is_guid}
