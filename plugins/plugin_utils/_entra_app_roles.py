# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The app roles of the shared app: the two Windows Admin Center needs, checked input, and what to add. Pure logic.

Roles are matched by ``value``. A role the app already has is never changed, disabled or removed (not its ID, not
what an administrator edited by hand), and roles the task does not name are kept: the plan only appends missing
roles. Graph refuses removing or changing an enabled role anyway (400 CannotDeleteOrUpdateEnabledEntitlement).
"""

from __future__ import annotations

import re
import uuid

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid

# The roles Microsoft's New-AadApp.ps1 (the Windows Admin Center Azure registration script, "Copyright (c) Microsoft
# Corp 2017", aka.ms/WACAzureConnectScript) creates on the gateway's app: $userAppRole and $adminAppRole, both with
# AllowedMemberTypes "User" and IsEnabled true. WAC's user access control docs (windowsserverdocs
# configure/user-access-control.md) have users assigned "a gateway user or gateway administrator role" there.
# The script gives each role a random ID (New-Guid); wac.fleet gives it a stable one (role_id below).
WAC_APP_ROLES = (
    {"value": "User", "display_name": "Gateway User",
     "description": "Gateway users can access and use the gateway, but not configure the gateway.",
     "allowed_member_types": ["User"]},
    {"value": "Admin", "display_name": "Gateway Administrator",
     "description": "Gateway administrators can modify gateway configurations.",
     "allowed_member_types": ["User"]},
)
# Namespace of the stable role IDs: uuid5(ROLE_NAMESPACE, "<app key>/<value>"), the same on every run and every
# controller, so that two runs adding a role at once add the same role (never two roles with one value).
ROLE_NAMESPACE = uuid.UUID("5b0f4d62-3c1e-4e8a-9a4c-7f1d2f5e6a01")
MEMBER_TYPES = ("User", "Application")
ROLE_KEYS = frozenset({"value", "display_name", "description", "allowed_member_types", "id"})
MAX_VALUE_LENGTH = 120
# Graph approle.md: the characters a role value may use (no space), at most 120, not starting with "."
_VALUE = re.compile(r"[0-9A-Za-z:!#$%&'()*+,\-./;<=>?@\[\]^_`{|}~]+")


def role_id(key: str, value: str) -> str:
    """The stable ID wac.fleet gives the role ``value`` of the app (or fleet of apps) named ``key``."""
    return str(uuid.uuid5(ROLE_NAMESPACE, f"{key}/{value}"))


def normalize_roles(items, option: str = "app_roles") -> list[dict]:
    """Check the app roles given by the user; every error names the entry and field."""
    if not isinstance(items, list):
        raise InputError(f"{option} must be a list of {{value, display_name, description, allowed_member_types}}")
    result, values, ids = [], set(), set()
    for index, item in enumerate(items):
        where = f"{option}[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be a dict with value, display_name, description, allowed_member_types")
        unknown = set(item) - ROLE_KEYS
        if unknown:
            raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        value = item.get("value")
        if not isinstance(value, str) or not _VALUE.fullmatch(value) or value.startswith(".") or \
                len(value) > MAX_VALUE_LENGTH:
            raise InputError(f"{where}.value must be 1 to {MAX_VALUE_LENGTH} characters without spaces, not starting "
                             f"with '.' (Graph's rule for app role values), got {value!r}")
        if value in values:
            raise InputError(f"{where}.value: {value!r} is listed twice")
        values.add(value)
        types = item.get("allowed_member_types", ["User"])
        if not isinstance(types, list) or not types or not set(types) <= set(MEMBER_TYPES) or \
                len(set(types)) != len(types):
            raise InputError(f"{where}.allowed_member_types must be a list of User and/or Application, got {types!r}")
        for field in ("display_name", "description"):
            if item.get(field) is not None and not isinstance(item[field], str):
                raise InputError(f"{where}.{field} must be a string")
        role = {"value": value, "display_name": item.get("display_name") or value,
                "description": item.get("description") or "", "allowed_member_types": list(types), "id": None}
        if item.get("id") is not None:
            role["id"] = check_guid(item["id"], f"{where}.id")
            if role["id"] in ids:
                raise InputError(f"{where}.id: {role['id']} is listed twice")
            ids.add(role["id"])
        result.append(role)
    return result


def _graph_role(role: dict, key: str) -> dict:
    return {"allowedMemberTypes": list(role["allowed_member_types"]), "description": role["description"],
            "displayName": role["display_name"], "id": role["id"] or role_id(key, role["value"]), "isEnabled": True,
            "value": role["value"]}


def writable(role: dict) -> dict:
    """A role as read from Graph, as it may be written back: without the read-only ``origin``."""
    return {k: v for k, v in role.items() if k != "origin"}


def plan_roles(current: list | None, desired: list[dict] | None, key: str) -> tuple[list | None, list[str]]:
    """(the appRoles to write, or None when nothing changes; the values added). Existing roles stay as they are."""
    current = list(current or [])
    if not desired:
        return None, []
    have_values = {r.get("value") for r in current}
    have_ids = {(r.get("id") or "").lower() for r in current}
    added = []
    for role in desired:
        if role["value"] in have_values:
            continue
        new = _graph_role(role, key)
        if new["id"].lower() in have_ids:
            raise InputError(f"app_roles: the role {role['value']!r} would get the ID {new['id']}, which a role of "
                             "the app with another value already has; give the role another id")
        added.append(new)
        have_ids.add(new["id"].lower())
    if not added:
        return None, []
    return [writable(r) for r in current] + added, [r["value"] for r in added]


def roles_view(roles: list | None) -> list[dict]:
    """The app's roles as the modules return them: value, id, display name, member types, enabled."""
    return [{"value": r.get("value"), "id": r.get("id"), "display_name": r.get("displayName"),
             "allowed_member_types": list(r.get("allowedMemberTypes") or []), "enabled": r.get("isEnabled", True)}
            for r in roles or []]
