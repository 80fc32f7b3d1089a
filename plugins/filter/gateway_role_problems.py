# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_role_problems: what wac.fleet.gateway_ready would refuse in the gateway role's variables."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import role_problems

DOCUMENTATION = r"""
name: gateway_role_problems
short_description: The gateway role's settings that wac.fleet.gateway_ready would refuse, by variable name
version_added: 0.2.0
description:
  - Runs on the controller the checks M(wac.fleet.gateway_ready) makes before it sends anything (the proxy address
    and bypass list, credentials, the wait times), on the variables of the role C(wac.fleet.gateway), and returns
    one message per problem, naming the variable. The role's C(check) entry point fails on any, once for the fleet.
author:
  - wac.fleet maintainers (@wac-fleet)
options:
  _input:
    description: The role's variables, C(gateway_proxy_*), C(gateway_restart_timeout), C(gateway_restart_delay).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the gateway settings
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    settings: {gateway_proxy_state: present, gateway_proxy_address: "ftp://proxy", gateway_restart_timeout: 30}
    problems: "{{ settings | wac.fleet.gateway_role_problems }}"
"""

RETURN = r"""
_value:
  description: The messages, empty when every setting is good.
  type: list
  elements: str
"""


def gateway_role_problems(settings):
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("gateway_role_problems: the input must be a dict of the gateway role's variables")
    return role_problems(dict(settings))


class FilterModule:
    def filters(self):
        return {"gateway_role_problems": gateway_role_problems}
