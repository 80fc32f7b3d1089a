# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What wac.fleet.entra_app and wac.fleet.entra_fleet_apps share about the apps they write: the options of the doc
fragment ``entra_app_settings`` (permissions, app roles, service principal, the Web-to-SPA move), the sign-in
audiences, their normalisation and the permission a 403 on a write most likely means is missing."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_app_roles as app_roles
from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import PERMISSION_WRITE_APPS

SIGN_IN_AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount",
                     "PersonalMicrosoftAccount"]
# Creating an app (and its service principal) also works with the smaller OwnedBy permission; updating an app the
# caller did not create needs Application.ReadWrite.All.
WRITE_APPS_HINT = f"{PERMISSION_WRITE_APPS} (or Application.ReadWrite.OwnedBy for the apps it creates and owns)"

# Mirrors plugins/doc_fragments/entra_app_settings.py (tests/unit/test_action_docs.py compares the docs and specs).
APP_SETTINGS_SPEC = {
    "move_web_to_spa": {"type": "bool", "default": False},
    "required_resource_access": {"type": "list", "elements": "dict"},
    "permissions_mode": {"type": "str", "default": "additive", "choices": ["additive", "exclusive"]},
    "app_roles": {"type": "list", "elements": "dict"},
    "service_principal": {"type": "bool", "default": True},
}


def check_app_settings(args: dict) -> dict:
    """Normalise the shared options: ``_permission_spec`` (WAC's permissions when not given) and ``_app_roles``
    (the two roles of New-AadApp.ps1 when not given); raises InputError naming a bad entry."""
    spec = args.get("required_resource_access")
    args["_permission_spec"] = perms.normalize_spec(
        [dict(e) for e in perms.WAC_DEFAULT_PERMISSIONS] if spec is None else spec)
    roles = args.get("app_roles")
    args["_app_roles"] = app_roles.normalize_roles(
        [dict(r) for r in app_roles.WAC_APP_ROLES] if roles is None else roles)
    return args
