# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.fleet_gateways: the gateways as wac.fleet.entra_fleet_apps takes them, from their wac_gateway facts."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_apps import gateway_entry

DOCUMENTATION = r"""
name: fleet_gateways
short_description: Gateways with their redirect URIs and current app, for wac.fleet.entra_fleet_apps
version_added: 0.1.0
description:
  - For each host given, from the C(ansible_facts.wac_gateway) facts M(wac.fleet.gateway_ready) or
    M(wac.fleet.gateway_info) set, a dict C(name), C(redirect_uris) (what the gateway needs in its app) and
    C(registered_app_id) (the app (client) ID it is registered to, or null), in the form
    O(wac.fleet.entra_fleet_apps#module:gateways) takes.
  - Hosts without these facts (not read, unreachable) are left out.
author:
  - wac.fleet maintainers (@wac-fleet)
positional: hostvars
options:
  _input:
    description: Inventory host names.
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The fleet's apps from every gateway of the play
  wac.fleet.entra_fleet_apps:
    unique_name: wac-fleet-gateways
    gateways: "{{ ansible_play_hosts | wac.fleet.fleet_gateways(hostvars) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: One dict per host with facts - C(name), C(redirect_uris), C(registered_app_id).
  type: list
  elements: dict
"""


def fleet_gateways(hosts, hostvars):
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("fleet_gateways: hostvars must be the hostvars magic variable")
    result = []
    for host in hosts:
        entry = gateway_entry(host, ((hostvars.get(host) or {}).get("ansible_facts") or {}).get("wac_gateway"))
        if entry is not None:
            result.append(entry)
    return result


class FilterModule:
    def filters(self):
        return {"fleet_gateways": fleet_gateways}
