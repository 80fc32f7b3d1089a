# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options wac.fleet.entra_app and wac.fleet.entra_fleet_apps share: what every app they write gets (permissions,
app roles, service principal, the Web-to-SPA move)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  move_web_to_spa:
    description:
      - Move every Web-platform redirect URI to the SPA platform (the fix for "cross-origin token redemption is
        permitted only for the 'Single-Page Application' client type").
    type: bool
    default: false
  required_resource_access:
    description:
      - API permissions the app requires, by name; each name is resolved to its ID through the resource's service
        principal in the tenant, and a name the resource does not offer is an error naming it.
      - Default, the set Windows Admin Center documents (B(UNCONFIRMED) as the current authoritative list);
        Microsoft Graph delegated C(Application.Read.All), C(Application.ReadWrite.All),
        C(Directory.AccessAsUser.All), C(Directory.Read.All), C(Directory.ReadWrite.All), C(User.Read);
        Azure Service Management delegated C(user_impersonation).
      - Give V([]) to leave the permissions alone.
    type: list
    elements: dict
    suboptions:
      resource:
        description:
          - The resource API by display name (C(Microsoft Graph), C(Azure Service Management), or any service
            principal's unique display name) or by its application ID.
        type: str
        required: true
      delegated:
        description: Delegated permissions (scopes), for example C(User.Read).
        type: list
        elements: str
        default: []
      application:
        description: Application permissions (app roles), for example C(Application.Read.All).
        type: list
        elements: str
        default: []
  permissions_mode:
    description:
      - V(additive) adds the missing permissions to the app's; V(exclusive) makes them exactly
        O(required_resource_access).
    type: str
    default: additive
    choices: [additive, exclusive]
  app_roles:
    description:
      - App roles the app must have, matched by C(value). A missing role is added, enabled, with a stable ID (the
        same on every run, derived from the app's unique name or app ID and the value, unless C(id) is given).
      - A role the app already has is never changed, disabled or removed, and roles not listed here (added by hand)
        are kept.
      - Default, the two roles Windows Admin Center's gateway sign-in with Microsoft Entra ID uses, as Microsoft's
        C(New-AadApp.ps1) creates them - C(User) (display name C(Gateway User), "Gateway users can access and use
        the gateway, but not configure the gateway.") and C(Admin) (C(Gateway Administrator), "Gateway
        administrators can modify gateway configurations."), both for users and groups.
      - Give V([]) to leave the app's roles alone.
    type: list
    elements: dict
    suboptions:
      value:
        description:
          - The value in the C(roles) claim. Up to 120 characters, no spaces, not starting with C(.).
        type: str
        required: true
      display_name:
        description: Name shown when the role is assigned; defaults to the value.
        type: str
      description:
        description: Description shown when the role is assigned.
        type: str
      allowed_member_types:
        description: V(User) (users and groups) and/or V(Application) (other apps' service principals).
        type: list
        elements: str
        default: [User]
      id:
        description: The role's ID (a GUID) when it is created; default, a stable ID wac.fleet derives.
        type: str
  service_principal:
    description:
      - Ensure the app has a service principal in the tenant (needed for consent and sign-in).
    type: bool
    default: true
"""
