# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.registration_pending: the gateways whose facts do not show the registration wanted."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_apps import app_of
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_registration import desired, matches

DOCUMENTATION = r"""
name: registration_pending
short_description: The gateways whose Azure registration still differs, from their wac_gateway facts
version_added: 0.1.0
description:
  - From the C(wac_gateway) facts M(wac.fleet.gateway_ready) or M(wac.fleet.gateway_info) set (read from each
    host's C(ansible_facts), so that it works with C(INJECT_FACTS_AS_VARS) off), picks the hosts
    whose registration differs from the one wanted, as M(wac.fleet.gateway_registration) would compare it. Runs on
    the controller and reads no gateway, so that a fleet playbook visits only the gateways it has to change.
  - A host is kept when it has no C(wac_gateway) facts or its registration could not be read (the task then reads
    it again), and a host is kept when O(tenant_id) or its app ID is empty with O(state=present) (the role then
    decides, for example in check mode before the shared app exists).
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
  state:
    description: C(present) (registered to the app below) or C(absent) (unregistered).
    type: str
    choices: [present, absent]
    default: present
  cloud:
    description: The Azure cloud wanted.
    type: str
    default: AzureCloud
  tenant_id:
    description: The tenant wanted.
    type: str
    default: ""
  app_id:
    description: The app (client) ID wanted.
    type: str
    default: ""
  app_object_id:
    description: The app's object ID wanted; empty keeps what the gateway has.
    type: str
    default: ""
  fleet_apps:
    description:
      - The fact C(entra_app_shared) of the C(wac.fleet.entra_app) role. Given, each gateway is compared with its own
        app of the fleet (see P(wac.fleet.gateway_app#filter)) instead of O(app_id) and O(app_object_id).
    type: dict
"""

EXAMPLES = r"""
- name: Pick the gateways to register
  ansible.builtin.set_fact:
    to_register: >-
      {{ groups['wac_gateways'] | wac.fleet.registration_pending(hostvars, tenant_id=tenant, app_id=app) }}
"""

RETURN = r"""
_value:
  description: The host names, in the order given, whose registration differs or is unknown.
  type: list
  elements: str
"""


def registration_pending(hosts, hostvars, state="present", cloud="AzureCloud", tenant_id="", app_id="",
                         app_object_id="", fleet_apps=None):
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("registration_pending: hostvars must be the hostvars magic variable")
    if state not in ("present", "absent"):
        raise AnsibleFilterError(f"registration_pending: state must be present or absent, got {state!r}")
    hosts = list(hosts)
    if state == "present" and not (tenant_id and (app_id or fleet_apps)):
        return hosts
    pending = []
    for host in hosts:
        host_app_id, host_object_id = app_id, app_object_id
        if fleet_apps is not None and state == "present":
            app = app_of(fleet_apps, host)
            host_app_id, host_object_id = app["app_id"], app["service_principal_id"]
        facts = ((hostvars.get(host) or {}).get("ansible_facts") or {}).get("wac_gateway")
        current = (facts or {}).get("registration") or {}
        if not current.get("readable") or (state == "present" and not host_app_id):
            pending.append(host)
            continue
        wanted = desired(facts, cloud, tenant_id, host_app_id, host_object_id or None) if state == "present" else None
        if not matches(current, wanted):
            pending.append(host)
    return pending


class FilterModule:
    def filters(self):
        return {"registration_pending": registration_pending}
