# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_app: the app of the fleet a gateway registers to."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_apps import app_of

DOCUMENTATION = r"""
name: gateway_app
short_description: The Entra app of the fleet a gateway registers to
version_added: 0.1.0
description:
  - From the fact C(entra_app_shared) the C(wac.fleet.entra_app) role publishes, the app a gateway registers to -
    its app among the fleet's (C(gateway_apps), when the fleet is spread over several apps), else the fleet's first
    app, else the existing app the role used as is.
  - Returns C(unique_name), C(app_id), C(object_id) (of the application) and C(service_principal_id), each an empty
    string when unknown (in check mode before the app exists, or when the Entra step failed).
author:
  - wac.fleet maintainers (@wac-fleet)
positional: host
options:
  _input:
    description: The fact C(entra_app_shared) (a dict with C(apps) and C(gateway_apps)).
    type: dict
    required: true
  host:
    description: The gateway's inventory name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Register each gateway to its app
  wac.fleet.gateway_registration:
    tenant_id: "{{ entra_app_shared.tenant_id }}"
    app_id: "{{ (entra_app_shared | wac.fleet.gateway_app(inventory_hostname)).app_id }}"
"""

RETURN = r"""
_value:
  description: The app - C(unique_name), C(app_id), C(object_id), C(service_principal_id).
  type: dict
"""


def gateway_app(shared, host):
    return app_of(shared, host)


class FilterModule:
    def filters(self):
        return {"gateway_app": gateway_app}
