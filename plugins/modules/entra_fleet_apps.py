# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The code is the action plugin plugins/action/entra_fleet_apps.py (it runs on the controller); this file is its docs.

from __future__ import annotations

DOCUMENTATION = r"""
module: entra_fleet_apps
short_description: The shared Entra app(s) of a fleet of gateways, spread over several apps past Entra's limits
version_added: 0.1.0
description:
  - Ensures the app registration(s) a fleet of Windows Admin Center gateways registers to, with every gateway's
    redirect URIs, the required API permissions, the app roles and a service principal, and says which app each
    gateway gets.
  - An app registration holds at most 256 redirect URIs, every platform counted together (100 when personal
    Microsoft accounts may sign in); Entra cannot raise the limit. A fleet that fits gets one app, O(unique_name),
    exactly as M(wac.fleet.entra_app) makes it. A larger fleet is spread over the apps O(unique_name),
    C(<unique_name>-2), C(<unique_name>-3), ... each with the same permissions and roles.
  - The assignment is stable. A gateway registered to an app of the fleet stays with it; one whose redirect URIs an
    app of the fleet holds stays with that app; the others fill the apps in order; a new app is created only when
    none has room. Desktop-mode gateways all need C(https://localhost:6516) and C(http://localhost:6516), so they
    fit in any app that has them.
  - The fleet's apps are found in one request by their tag C(wac.fleet:fleet:<unique_name>) (Graph supports
    C($filter) on C(tags)); the first app is also read by its unique name when the list lacks it (a first run, or
    an app an earlier version made), and a new app's unique name is checked free before it is created (an app of
    another owner with that name is skipped, never written).
  - Redirect URIs are written as whole lists and Graph has no optimistic concurrency for them. After its writes the
    task waits longer than its own read-to-write time, reads back what it wrote and writes again what a concurrent
    run (another AWX slice, for one) dropped - or, when that run filled the app, moves those gateways to the next
    app - at most 4 rounds, so that concurrent runs never push an app past its limit and never lose a URI.
  - Graph requests - a re-run that changes nothing sends 2 reads (the fleet's apps, and the service principals of
    the apps and of the permissions' resources, up to 13 apps a request); a first run of one app 6 (the list, the
    first app read by its name, the service principals, the app's creation, its read-back, its service principal);
    each further app adds 4 (its name checked free, its creation, read-back and service principal).
  - Runs on the controller, never on the target host; use it once for the fleet (C(run_once)).
options:
  unique_name:
    description:
      - Immutable alternate key (Graph C(uniqueName)) of the fleet's first app; the others are
        C(<unique_name>-2), C(<unique_name>-3), ... At most 115 characters.
      - Keep it unique to the fleet, as for M(wac.fleet.entra_app); names of the form C(<unique_name>-<n>) are the
        fleet's.
    type: str
    required: true
  display_name:
    description:
      - Display name of the first app; the others get C(-2), C(-3), ... appended. On create it defaults to the
        app's unique name; otherwise left as is when not given.
    type: str
  sign_in_audience:
    description:
      - Who may sign in to every app of the fleet, and so how many redirect URIs each holds - 256 for
        V(AzureADMyOrg) and V(AzureADMultipleOrgs), 100 for V(AzureADandPersonalMicrosoftAccount) (and, the
        stricter reading, V(PersonalMicrosoftAccount)). On create it defaults to V(AzureADMyOrg); otherwise left as
        is when not given.
      - A change the apps' redirect URIs do not fit in fails before anything is written.
    type: str
    choices: [AzureADMyOrg, AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount]
  gateways:
    description:
      - The gateways of the fleet, each with the redirect URIs it needs (SPA platform) and the app it is registered
        to now. The filter P(wac.fleet.fleet_gateways#filter) builds this list from the C(wac_gateway) facts of
        M(wac.fleet.gateway_ready) or M(wac.fleet.gateway_info).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The gateway's name (its inventory name); unique in the list.
        type: str
        required: true
      redirect_uris:
        description: The redirect URIs the gateway needs in its app.
        type: list
        elements: str
        default: []
      registered_app_id:
        description: The app (client) ID the gateway is registered to now, if any; it keeps that app.
        type: str
  extra_redirect_uris:
    description: Redirect URIs to add to the first app besides the gateways'.
    type: list
    elements: str
    default: []
  redirect_uris_mode:
    description:
      - V(additive) adds the missing URIs and never removes one; the URIs an app holds already count against its
        limit.
      - V(exclusive) makes each app's SPA list exactly the URIs of its gateways (and O(extra_redirect_uris) for the
        first app), removing the others - also those of gateways not in O(gateways), such as gateways left out of
        the play by C(--limit).
    type: str
    default: additive
    choices: [additive, exclusive]
  max_apps:
    description:
      - The most apps the fleet may have; a fleet that needs more fails before anything is written (a guard against
        a wrong O(gateways) list creating apps).
    type: int
    default: 20
extends_documentation_fragment:
  - wac.fleet.entra_app_settings
  - wac.fleet.entra_auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: No write is sent; C(changed), the diff and RV(gateway_apps) show what would be.
  diff_mode:
    support: full
  platform:
    platforms: all
    details: Runs on the controller.
seealso:
  - module: wac.fleet.entra_app
  - module: wac.fleet.entra_admin_consent
  - module: wac.fleet.entra_app_role_assignments
author:
  - wac.fleet maintainers (@wac-fleet)
"""

EXAMPLES = r"""
- name: The fleet's apps, with every gateway's redirect URIs (what the wac.fleet.entra_app role does)
  wac.fleet.entra_fleet_apps:
    unique_name: wac-fleet-gateways
    display_name: WindowsAdminCenter-fleet
    gateways: "{{ ansible_play_hosts | wac.fleet.fleet_gateways(hostvars) }}"
    move_web_to_spa: true
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ automation_client_id }}"
    certificate_path: /etc/wac/automation.pem
  run_once: true
  register: wac_apps

- name: Admin consent for every app of the fleet
  wac.fleet.entra_admin_consent:
    app_id: "{{ item.app_id }}"
    service_principal_id: "{{ item.service_principal_id }}"
    service_principal_created: "{{ item.service_principal_created }}"
    resource_service_principals: "{{ item.resource_service_principals }}"
  loop: "{{ wac_apps.apps }}"
  run_once: true
"""

RETURN = r"""
apps:
  description:
    - Every app of the fleet, in order (in check mode, as it would be; an app to be created has no IDs yet).
  returned: success
  type: list
  elements: dict
  contains:
    unique_name:
      description: The app's unique name (O(unique_name), C(<unique_name>-2), ...).
      type: str
    index:
      description: Its number in the fleet (1 for O(unique_name)).
      type: int
    app_id:
      description: Application (client) ID; the gateways of this app register to it.
      type: str
    object_id:
      description: Object ID of the application.
      type: str
    service_principal_id:
      description: Object ID of its service principal (the enterprise application).
      type: str
    service_principal_created:
      description: Whether this task created the service principal (then it has no consent yet).
      type: bool
    display_name:
      description: Display name.
      type: str
    sign_in_audience:
      description: Sign-in audience.
      type: str
    created:
      description: Whether the app was (or would be) created by this task.
      type: bool
    changed:
      description: Whether this task wrote (or would write) the app or created its service principal.
      type: bool
    redirect_uri_count:
      description: Its redirect URIs on every platform together.
      type: int
    redirect_uri_limit:
      description: The most it may hold (256, or 100 with personal accounts).
      type: int
    redirect_uris:
      description: Its SPA redirect URIs.
      type: list
      elements: str
    gateways:
      description: Names of the gateways that register to it.
      type: list
      elements: str
    redirect_uris_added:
      description: URIs added by this task, per platform.
      type: list
      elements: dict
    redirect_uris_removed:
      description: URIs removed by this task, per platform.
      type: list
      elements: dict
    app_roles:
      description: Its app roles - C(value), C(id), C(display_name), C(allowed_member_types), C(enabled).
      type: list
      elements: dict
    app_roles_added:
      description: Values of the roles this task added.
      type: list
      elements: str
    resource_service_principals:
      description: What admin consent covers for it, as M(wac.fleet.entra_admin_consent) takes it.
      type: list
      elements: dict
  sample:
    - {"unique_name": "wac-fleet-gateways", "index": 1, "app_id": "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f",
       "redirect_uri_count": 256, "redirect_uri_limit": 256, "gateways": ["wac-0001", "wac-0002"]}
gateway_apps:
  description: For every gateway of O(gateways), the unique name of the app it registers to.
  returned: success
  type: dict
  sample: {"wac-0001": "wac-fleet-gateways", "wac-0300": "wac-fleet-gateways-2"}
unique_name:
  description: O(unique_name).
  returned: success
  type: str
tenant_id:
  description: The tenant, as given.
  returned: always
  type: str
created:
  description: Whether any app was (or would be) created.
  returned: success
  type: bool
diff:
  description: Before and after of every app's managed properties, by unique name.
  returned: in diff mode
  type: dict
graph_requests:
  description: HTTP requests sent by this task - C(total), C(writes), C(retries), C(by_method) to Graph and
    C(token_requests) to the authority.
  returned: always
  type: dict
graph_error:
  description: The failed Graph call - HTTP C(status), Graph error C(code), C(message), C(request_id),
    C(method), C(path).
  returned: when a Graph call failed
  type: dict
"""
