# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The code is the action plugin plugins/action/entra_app.py (it runs on the controller); this file is its docs.

from __future__ import annotations

DOCUMENTATION = r"""
module: entra_app
short_description: Ensure the shared Microsoft Entra app registration of Windows Admin Center gateways
version_added: 0.1.0
description:
  - Creates or updates the one app registration that a fleet of Windows Admin Center gateways shares, its
    redirect URIs, its required API permissions and its service principal; or deletes it.
  - B(Create new) with O(unique_name) - the app is written with an upsert (a PATCH on the app's
    C(uniqueName) with the C(Prefer) header C(create-if-missing)), so two runs, even at the same time, can
    never make two apps. Apps it creates are
    tagged C(wac.fleet:managed).
  - B(Use existing) with O(app_id) - the app must exist; nothing is ever created for an O(app_id).
  - Lists compare as sets; a second run with the same input changes nothing and sends no write.
  - The app's redirect URIs (every platform together) must stay within Entra's limit for its sign-in audience -
    256, or 100 when personal Microsoft accounts may sign in; a task that would exceed it fails before writing.
    M(wac.fleet.entra_fleet_apps) spreads a larger fleet over several apps.
  - The app gets the app roles of O(app_roles) (by default C(User) and C(Admin), which gateway sign-in with
    Microsoft Entra ID uses); roles it has are never changed or removed.
  - Redirect URIs are written as whole lists (Graph has no optimistic concurrency for them), so after a write the
    app is read back and, if another writer dropped URIs of this task, merged and written again (bounded), so
    that concurrent runs end with the union.
  - Runs on the controller, never on the target host.
options:
  state:
    description:
      - V(present) creates or updates the app; V(absent) deletes it, only if this collection created it (tag
        C(wac.fleet:managed)) unless O(force=true).
    type: str
    default: present
    choices: [present, absent]
  unique_name:
    description:
      - Immutable alternate key of the app (Graph C(uniqueName)); creates the app when missing.
      - Exactly one of O(unique_name) and O(app_id) is required.
    type: str
  app_id:
    description:
      - Application (client) ID of an existing app to manage (the portal's "Use existing"). A GUID; an app that
        does not exist is an error, never a create.
    type: str
  display_name:
    description:
      - Display name of the app. On create it defaults to O(unique_name); otherwise left as is when not given.
      - Windows Admin Center names its apps C(WindowsAdminCenter-<gateway URL>).
    type: str
  sign_in_audience:
    description:
      - Who may sign in. On create it defaults to V(AzureADMyOrg); otherwise left as is when not given.
    type: str
    choices: [AzureADMyOrg, AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount]
  redirect_uris:
    description:
      - Redirect URIs of O(redirect_uri_platform), for example C(https://localhost:6516) and
        C(http://localhost:6516), which let many management PCs share one app ID.
      - Each must be C(https://), or C(http://) only for C(localhost), C(127.0.0.1) or C([::1]); no fragment;
        at most 256 characters.
      - When not given, the URIs are not managed (O(move_web_to_spa) still applies).
    type: list
    elements: str
  redirect_uri_platform:
    description:
      - Platform of O(redirect_uris). V(spa) (single-page application) is what current gateways need; V(web)
        for legacy gateways.
    type: str
    default: spa
    choices: [spa, web]
  redirect_uris_mode:
    description:
      - V(additive) adds the missing URIs and never removes one it was not told to.
      - V(exclusive) makes the platform's list exactly O(redirect_uris), removing the others.
    type: str
    default: additive
    choices: [additive, exclusive]
  force:
    description:
      - With O(state=absent), delete the app even if this collection did not create it.
    type: bool
    default: false
extends_documentation_fragment:
  - wac.fleet.entra_app_settings
  - wac.fleet.entra_auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: No write is sent; C(changed) and the diff show what would change.
  diff_mode:
    support: full
  platform:
    platforms: all
    details: Runs on the controller.
seealso:
  - module: wac.fleet.entra_fleet_apps
  - module: wac.fleet.entra_admin_consent
  - module: wac.fleet.entra_app_role_assignments
  - module: wac.fleet.entra_app_info
author:
  - wac.fleet maintainers (@wac-fleet)
"""

EXAMPLES = r"""
- name: One shared app for every gateway of the fleet, with the localhost redirect URIs
  wac.fleet.entra_app:
    unique_name: wac-fleet-shared
    display_name: WindowsAdminCenter-fleet
    redirect_uris:
      - https://localhost:6516
      - http://localhost:6516
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ automation_client_id }}"
    client_secret: "{{ automation_client_secret }}"
  register: wac_app

- name: Use an existing app, move its legacy Web URIs to SPA (settings from module_defaults)
  module_defaults:
    group/wac.fleet.entra:
      tenant_id: "{{ tenant_id }}"
      client_id: "{{ automation_client_id }}"
      certificate_path: /etc/wac/automation.pem
  wac.fleet.entra_app:
    app_id: "{{ existing_app_id }}"
    move_web_to_spa: true

- name: Exactly these URIs and permissions, in Azure US Government, run once for all gateways
  wac.fleet.entra_app:
    cloud: AzureUSGovernment
    unique_name: wac-fleet-shared
    redirect_uris: "{{ ansible_play_hosts | map('extract', hostvars, 'wac_redirect_uris') | flatten | unique }}"
    redirect_uris_mode: exclusive
    required_resource_access:
      - resource: Microsoft Graph
        delegated: [User.Read, Directory.Read.All]
      - resource: Azure Service Management
        delegated: [user_impersonation]
    permissions_mode: exclusive
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ automation_client_id }}"
    federated_token_file: "{{ lookup('ansible.builtin.env', 'AZURE_FEDERATED_TOKEN_FILE') }}"
  run_once: true

- name: Delete the app this collection created
  wac.fleet.entra_app:
    unique_name: wac-fleet-shared
    state: absent
    auth_method: device_code
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ admin_public_client_id }}"
"""

RETURN = r"""
app_id:
  description: Application (client) ID; null in check mode when the app would be created.
  returned: success
  type: str
  sample: 3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f
object_id:
  description: Object ID of the application.
  returned: success
  type: str
unique_name:
  description: The app's C(uniqueName), when it has one.
  returned: success
  type: str
display_name:
  description: Display name of the app.
  returned: O(state=present)
  type: str
tenant_id:
  description: The tenant the app is in, as given.
  returned: always
  type: str
created:
  description: Whether the app was (or, in check mode, would be) created.
  returned: success
  type: bool
service_principal_id:
  description: Object ID of the app's service principal; null in check mode when it would be created.
  returned: O(state=present) and O(service_principal=true)
  type: str
resource_service_principals:
  description:
    - The app's required permissions after the task (in check mode, as they would be), per resource service
      principal, in the form O(wac.fleet.entra_admin_consent#module:resource_service_principals) takes. Pass it
      there, with RV(service_principal_id), to grant admin consent without looking anything up again.
    - Permissions of resources the tenant does not know, or that a resource no longer offers, are left out.
  returned: O(state=present)
  type: list
  elements: dict
  contains:
    app_id:
      description: Application ID of the resource API.
      type: str
    id:
      description: Object ID of the resource's service principal in the tenant.
      type: str
    display_name:
      description: Display name of the resource's service principal.
      type: str
    delegated:
      description: Delegated permissions (scope names).
      type: list
      elements: str
    application:
      description: Application permissions (app roles), each with C(id) and C(value).
      type: list
      elements: dict
  sample: [{"app_id": "00000003-0000-0000-c000-000000000000", "id": "6f1e6c9a-4d3b-4f0e-9a43-1c2d3e4f5a6b",
            "display_name": "Microsoft Graph", "delegated": ["User.Read"],
            "application": [{"id": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "value": "Application.Read.All"}]}]
redirect_uris_added:
  description: Redirect URIs added, per platform (a move from Web to SPA shows as added to C(spa)).
  returned: success
  type: list
  elements: dict
  sample: [{"platform": "spa", "uri": "https://localhost:6516"}]
redirect_uris_removed:
  description: Redirect URIs removed, per platform.
  returned: success
  type: list
  elements: dict
  sample: [{"platform": "web", "uri": "https://localhost:6516"}]
redirect_uri_count:
  description: The app's redirect URIs on every platform together, after the task (in check mode, as they would be).
  returned: O(state=present)
  type: int
  sample: 2
redirect_uri_limit:
  description: The most redirect URIs the app may hold, by its sign-in audience (256, or 100 with personal accounts).
  returned: O(state=present)
  type: int
  sample: 256
app_roles:
  description: The app's roles after the task - C(value), C(id), C(display_name), C(allowed_member_types), C(enabled).
  returned: O(state=present)
  type: list
  elements: dict
  sample: [{"value": "User", "id": "1b4f816e-5eaf-48b9-8613-7923830595ad", "display_name": "Gateway User",
            "allowed_member_types": ["User"], "enabled": true}]
app_roles_added:
  description: Values of the app roles added (or that would be added).
  returned: O(state=present)
  type: list
  elements: str
  sample: [User, Admin]
diff:
  description: Before and after of the managed properties (display name, sign-in audience, redirect URIs per
    platform, required permissions by name, app role values, service principal).
  returned: in diff mode
  type: dict
graph_requests:
  description: HTTP requests sent by this task - C(total), C(writes), C(retries), C(by_method) to Graph and
    C(token_requests) to the authority.
  returned: always
  type: dict
  sample: {"total": 4, "writes": 0, "retries": 0, "by_method": {"GET": 4}, "token_requests": 2}
graph_error:
  description: The failed Graph call - HTTP C(status), Graph error C(code), C(message), C(request_id),
    C(method), C(path).
  returned: when a Graph call failed
  type: dict
"""
