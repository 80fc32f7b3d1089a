# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The code is the action plugin plugins/action/entra_app_info.py (it runs on the controller); this file is its docs.

from __future__ import annotations

DOCUMENTATION = r"""
module: entra_app_info
short_description: Read a Microsoft Entra app registration, its redirect URIs, permissions and consent state
version_added: 0.1.0
description:
  - Read-only view of an app registration for reports and drift checks - redirect URIs per platform, required
    permissions by name, service principal, and tenant-wide consent (granted and missing scopes and roles per
    resource).
  - Display names are not unique in Entra, so O(display_name) may return several apps.
  - Runs on the controller, never on the target host; never writes.
options:
  app_id:
    description: Application (client) ID. Exactly one of O(app_id), O(unique_name), O(display_name) is required.
    type: str
  unique_name:
    description: The app's C(uniqueName).
    type: str
  display_name:
    description: Display name (every app with this exact name is returned).
    type: str
  consent:
    description: Also read the consent state (needs C(DelegatedPermissionGrant.Read.All) or
      C(Directory.Read.All)).
    type: bool
    default: true
extends_documentation_fragment:
  - wac.fleet.entra_auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
    details: Runs on the controller.
seealso:
  - module: wac.fleet.entra_app
  - module: wac.fleet.entra_admin_consent
author:
  - wac.fleet maintainers (@wac-fleet)
"""

EXAMPLES = r"""
- name: Read the shared app
  wac.fleet.entra_app_info:
    unique_name: wac-fleet-shared
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ reader_client_id }}"
    client_secret: "{{ reader_client_secret }}"
  register: info

- name: Fail when consent is missing
  ansible.builtin.assert:
    that: info.app.consent_complete
    fail_msg: "Admin consent missing: {{ info.app.consent | map(attribute='missing_scopes') | flatten }}"
"""

RETURN = r"""
exists:
  description: Whether at least one app matched.
  returned: success
  type: bool
app:
  description: The app when exactly one matched, else null. Same form as an element of RV(apps).
  returned: success
  type: dict
apps:
  description: Every app that matched.
  returned: success
  type: list
  elements: dict
  contains:
    app_id:
      description: Application (client) ID.
      type: str
    object_id:
      description: Object ID of the application.
      type: str
    display_name:
      description: Display name.
      type: str
    unique_name:
      description: C(uniqueName), if set.
      type: str
    sign_in_audience:
      description: Who may sign in.
      type: str
    managed_by_wac_fleet:
      description: Whether the app carries the C(wac.fleet:managed) tag (created by M(wac.fleet.entra_app)).
      type: bool
    redirect_uris:
      description: Redirect URIs per platform (C(spa), C(web), C(public_client)).
      type: dict
    required_resource_access:
      description: Required permissions by name, per resource.
      type: list
      elements: dict
    service_principal_id:
      description: Object ID of the service principal; null when the app has none.
      type: str
    consent:
      description: Per resource, granted and missing scopes and roles (as in M(wac.fleet.entra_admin_consent));
        null without a service principal or with O(consent=false).
      type: list
      elements: dict
    consent_complete:
      description: Whether every required permission has tenant-wide consent.
      type: bool
tenant_id:
  description: The tenant, as given.
  returned: always
  type: str
graph_requests:
  description: HTTP requests sent by this task (see M(wac.fleet.entra_app)).
  returned: always
  type: dict
"""
