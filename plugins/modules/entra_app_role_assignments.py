# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# The code is the action plugin plugins/action/entra_app_role_assignments.py (it runs on the controller); this file
# is its docs.

from __future__ import annotations

DOCUMENTATION = r"""
module: entra_app_role_assignments
short_description: Assign users and groups to the app roles of the gateways' Entra app
version_added: 0.1.0
description:
  - Assigns users and groups (by object ID) to app roles of an app registration, through its service principal
    (the enterprise application's "Users and groups"). Windows Admin Center gateways that sign users in with
    Microsoft Entra ID let in the users assigned the role C(User) ("Gateway User") or C(Admin) ("Gateway
    Administrator") of their app (WAC's user access control docs).
  - O(assignments_mode=additive) (default) adds the missing assignments and removes none;
    O(assignments_mode=exclusive) also removes the user and group assignments of the roles named in O(assignments)
    that are not listed. Assignments of service principals (application permissions) and to roles not named are
    never touched.
  - Graph requests - one read of the service principal's assignments, one POST per missing assignment, one DELETE
    per removed one; plus one read of the service principal when O(service_principal_id) and O(app_roles) are not
    given.
  - Runs on the controller, never on the target host.
options:
  app_id:
    description: Application (client) ID of the app whose roles are assigned.
    type: str
    required: true
  service_principal_id:
    description:
      - Object ID of the app's service principal, as M(wac.fleet.entra_fleet_apps) or M(wac.fleet.entra_app)
        return it. Given together with O(app_roles), nothing is looked up.
    type: str
  app_roles:
    description:
      - The app's roles, each with C(value) and C(id), as M(wac.fleet.entra_fleet_apps) returns them in
        C(apps[].app_roles). Given together with O(service_principal_id); otherwise read from the service principal.
    type: list
    elements: dict
  assignments:
    description:
      - App role value to the object IDs (GUIDs) of the users and groups assigned it, for example a key C(User)
        and a key C(Admin), each with a list. A role the app lacks, or a disabled one, is an error naming it.
      - Assigning a group assigns its members (group-based assignment needs a Microsoft Entra ID P1 or P2 licence).
    type: dict
    required: true
  assignments_mode:
    description:
      - V(additive) adds the missing assignments and never removes one.
      - V(exclusive) makes the users and groups of each role named in O(assignments) exactly the ones listed (an
        empty list removes them all).
    type: str
    default: additive
    choices: [additive, exclusive]
extends_documentation_fragment:
  - wac.fleet.entra_auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: No write is sent; C(changed), the diff, RV(assigned) and RV(removed) show what would be done.
  diff_mode:
    support: full
  platform:
    platforms: all
    details: Runs on the controller.
notes:
  - Needs the Microsoft Graph permissions C(AppRoleAssignment.ReadWrite.All) together with C(Application.Read.All)
    (or C(Directory.Read.All)) to assign; removing needs C(AppRoleAssignment.ReadWrite.All); reading the
    assignments C(Application.Read.All).
seealso:
  - module: wac.fleet.entra_fleet_apps
  - module: wac.fleet.entra_app
author:
  - wac.fleet maintainers (@wac-fleet)
"""

EXAMPLES = r"""
- name: Gateway users and administrators of the shared app
  wac.fleet.entra_app_role_assignments:
    app_id: "{{ wac_app.app_id }}"
    assignments:
      User: ["5f1c2d3e-0a1b-4c2d-8e3f-4a5b6c7d8e9f"]  # a security group of gateway users
      Admin: ["8a7b6c5d-4e3f-4a1b-9c2d-1e0f2a3b4c5d"]  # a user
    tenant_id: "{{ tenant_id }}"
    client_id: "{{ automation_client_id }}"
    certificate_path: /etc/wac/automation.pem

- name: Exactly these administrators on every app of the fleet (what the wac.fleet.entra_app role does)
  wac.fleet.entra_app_role_assignments:
    app_id: "{{ item.app_id }}"
    service_principal_id: "{{ item.service_principal_id }}"
    app_roles: "{{ item.app_roles }}"
    assignments:
      Admin: "{{ gateway_admin_ids }}"
    assignments_mode: exclusive
  loop: "{{ wac_apps.apps }}"
  run_once: true
"""

RETURN = r"""
app_id:
  description: O(app_id).
  returned: always
  type: str
service_principal_id:
  description: Object ID of the app's service principal.
  returned: success
  type: str
tenant_id:
  description: The tenant, as given.
  returned: always
  type: str
assigned:
  description: Assignments added (or that would be), each C(principal_id) and C(role) (value).
  returned: success
  type: list
  elements: dict
  sample: [{"principal_id": "5f1c2d3e-0a1b-4c2d-8e3f-4a5b6c7d8e9f", "role": "User"}]
removed:
  description: Assignments removed (or that would be), each C(principal_id) and C(role).
  returned: success
  type: list
  elements: dict
assignments:
  description: For each role named, the users and groups assigned it after the task (in check mode, before it).
  returned: success
  type: dict
  sample: {"User": ["5f1c2d3e-0a1b-4c2d-8e3f-4a5b6c7d8e9f"], "Admin": []}
diff:
  description: The users and groups of each role named, before and after.
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
