# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The code is the action plugin plugins/action/entra_admin_consent.py (it runs on the controller); this file is its
# docs.

from __future__ import annotations

DOCUMENTATION = r"""
module: entra_admin_consent
short_description: Grant tenant-wide admin consent to the permissions of a Microsoft Entra app
version_added: 0.1.0
description:
  - Grants admin consent for the whole tenant to the permissions an app requires (its C(requiredResourceAccess)),
    or to an explicit list, the portal's "Grant admin consent" button.
  - Delegated permissions become one C(oauth2PermissionGrant) per resource with C(consentType) C(AllPrincipals);
    missing scopes are merged into an existing grant, never duplicated, and a grant is only patched when scopes
    are missing.
  - Application permissions become app role assignments (C(appRoleAssignedTo) of the resource's service
    principal), one per role, created only when missing.
  - Concurrent runs on the same app (parallel CI jobs, AWX slices) converge. When Graph answers that a grant
    already exists (HTTP 409 C(Request_MultipleObjectsWithSameKeyValue)) because another run created it after
    this task read the grants, the task reads the grants once more and patches the scopes still missing into that
    grant. An app role assignment that already exists counts as done. If the other run's grant is not visible
    yet (replication lag), the task fails; run it again.
  - Given the results RV(wac.fleet.entra_app#module:service_principal_id) and
    RV(wac.fleet.entra_app#module:resource_service_principals) as O(service_principal_id) and
    O(resource_service_principals), it looks nothing up (so it needs no C(Application.Read.All)) and reads only
    the app's grants (and, for application permissions, its app role assignments).
  - A caller without the privilege gets an error naming the Microsoft Graph permission it lacks
    (C(DelegatedPermissionGrant.ReadWrite.All), C(AppRoleAssignment.ReadWrite.All), C(Application.Read.All)).
  - Runs on the controller, never on the target host.
options:
  app_id:
    description:
      - Application (client) ID of the app (a GUID). The app and its service principal must exist (see
        M(wac.fleet.entra_app)).
    type: str
    required: true
  required_resource_access:
    description:
      - Consent to these permissions (by name, as in M(wac.fleet.entra_app)) instead of the app's own
        C(requiredResourceAccess).
    type: list
    elements: dict
    suboptions:
      resource:
        description: The resource API by display name or application ID.
        type: str
        required: true
      delegated:
        description: Delegated permissions (scopes).
        type: list
        elements: str
        default: []
      application:
        description: Application permissions (app roles).
        type: list
        elements: str
        default: []
  service_principal_id:
    description:
      - Object ID of the app's service principal (a GUID), as RV(wac.fleet.entra_app#module:service_principal_id)
        returns it. Given, it is not looked up; one created moments ago is waited for (up to
        O(consistency_timeout)) when Entra has not replicated it yet.
      - It is not checked against O(app_id); pass the one M(wac.fleet.entra_app) returned for the same app.
    type: str
  service_principal_created:
    description:
      - V(true) when the task before created O(service_principal_id) (M(wac.fleet.entra_fleet_apps) returns it per
        app as C(service_principal_created)) - a new service principal has no grant yet, so they are not read and the
        grants are created at once. A grant a concurrent run created meanwhile is met with Graph's 409 and merged.
      - Requires O(service_principal_id).
    type: bool
    default: false
  resource_service_principals:
    description:
      - Consent to exactly these permissions, per resource service principal, as
        RV(wac.fleet.entra_app#module:resource_service_principals) returns them, instead of reading the app's
        C(requiredResourceAccess) and looking up each resource. Nothing in it is looked up; an empty list consents
        to nothing.
      - Mutually exclusive with O(required_resource_access).
    type: list
    elements: dict
    suboptions:
      app_id:
        description: Application ID of the resource API (a GUID).
        type: str
        required: true
      id:
        description: Object ID of the resource's service principal in the tenant (a GUID).
        type: str
        required: true
      display_name:
        description: Display name of the resource, shown in the results (default its application ID).
        type: str
      delegated:
        description: Delegated permissions (scope names) to grant tenant-wide.
        type: list
        elements: str
        default: []
      application:
        description: Application permissions (app roles) to assign, each with C(id), the app role's GUID, and
          C(value), its name.
        type: list
        elements: dict
        default: []
extends_documentation_fragment:
  - wac.fleet.entra_auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: No write is sent; C(changed) and the diff show what would be granted.
  diff_mode:
    support: full
  platform:
    platforms: all
    details: Runs on the controller.
seealso:
  - module: wac.fleet.entra_app
  - module: wac.fleet.entra_app_info
author:
  - wac.fleet maintainers (@wac-fleet)
"""

EXAMPLES = r"""
- name: Register the shared app, then grant admin consent to its permissions
  module_defaults:
    group/wac.fleet.entra:
      tenant_id: "{{ tenant_id }}"
      client_id: "{{ automation_client_id }}"
      client_secret: "{{ automation_client_secret }}"
  block:
    - name: Shared app
      wac.fleet.entra_app:
        unique_name: wac-fleet-shared
        redirect_uris: [https://localhost:6516, http://localhost:6516]
      register: wac_app

    - name: Admin consent for every permission the app requires
      wac.fleet.entra_admin_consent:
        app_id: "{{ wac_app.app_id }}"

    - name: The same, from what entra_app already read (no lookups)
      wac.fleet.entra_admin_consent:
        app_id: "{{ wac_app.app_id }}"
        service_principal_id: "{{ wac_app.service_principal_id | default(omit, true) }}"
        resource_service_principals: "{{ wac_app.resource_service_principals }}"

- name: Consent to one more delegated permission only
  wac.fleet.entra_admin_consent:
    app_id: "{{ wac_app.app_id }}"
    required_resource_access:
      - resource: Microsoft Graph
        delegated: [User.Read]
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ automation_client_id }}"
    certificate_path: /etc/wac/automation.pfx
    certificate_password: "{{ pfx_passphrase }}"
"""

RETURN = r"""
app_id:
  description: Application (client) ID of the app.
  returned: success
  type: str
tenant_id:
  description: The tenant, as given.
  returned: always
  type: str
service_principal_id:
  description: Object ID of the app's service principal (the C(clientId) of its grants).
  returned: success
  type: str
consent:
  description: Consent state per resource after the task (in check mode, before it).
  returned: success
  type: list
  elements: dict
  contains:
    resource:
      description: Display name of the resource's service principal.
      type: str
    resource_app_id:
      description: Application ID of the resource.
      type: str
    granted_scopes:
      description: Delegated scopes granted tenant-wide.
      type: list
      elements: str
    missing_scopes:
      description: Delegated scopes still missing.
      type: list
      elements: str
    granted_roles:
      description: Application roles assigned.
      type: list
      elements: str
    missing_roles:
      description: Application roles still missing.
      type: list
      elements: str
scopes_granted:
  description: Scopes this task granted (or would grant), per resource.
  returned: success
  type: list
  elements: dict
  sample: [{"resource": "Microsoft Graph", "scopes": ["User.Read"]}]
app_roles_assigned:
  description: Application roles this task assigned (or would assign).
  returned: success
  type: list
  elements: dict
  sample: [{"resource": "Microsoft Graph", "role": "Application.Read.All"}]
diff:
  description: Consent state before and after.
  returned: in diff mode
  type: dict
graph_requests:
  description: HTTP requests sent by this task (see M(wac.fleet.entra_app)).
  returned: always
  type: dict
graph_error:
  description: The failed Graph call (see M(wac.fleet.entra_app)).
  returned: when a Graph call failed
  type: dict
"""
