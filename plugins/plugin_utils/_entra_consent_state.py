# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenant-wide admin consent: what is granted vs what the app requires, and the writes that close the gap.
Pure logic, no I/O.

Delegated permissions are one ``oauth2PermissionGrant`` per (client, resource) with consentType AllPrincipals
whose ``scope`` is a space-separated set: scopes are merged, never duplicated, and a grant is patched only when
scopes are missing. Application permissions are one ``appRoleAssignment`` per role.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid

NEEDS_KEYS = frozenset({"app_id", "id", "display_name", "delegated", "application"})


@dataclasses.dataclass(frozen=True)
class ResourceNeed:
    """What the app needs of one resource: its service principal, delegated scope names, application roles."""

    sp: dict  # id, appId, displayName, oauth2PermissionScopes, appRoles
    scopes: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()  # (appRoleId, value)


@dataclasses.dataclass
class ConsentPlan:
    grant_creates: list = dataclasses.field(default_factory=list)  # Graph bodies for POST oauth2PermissionGrants
    grant_updates: list = dataclasses.field(default_factory=list)  # {"id", "scope", "added"}
    role_assignments: list = dataclasses.field(default_factory=list)  # {"body", "resource", "role"}
    state: list = dataclasses.field(default_factory=list)  # per resource: granted / missing, before the writes

    @property
    def changed(self) -> bool:
        return bool(self.grant_creates or self.grant_updates or self.role_assignments)


def scope_set(scope: str | None) -> list[str]:
    """Scopes of a grant's ``scope`` string, in order, without duplicates."""
    seen, result = set(), []
    for name in (scope or "").split():
        if name not in seen:
            seen.add(name)
            result.append(name)
    return result


def tenant_wide_grant(grants: list[dict], client_sp_id: str, resource_sp_id: str) -> dict | None:
    """The client's AllPrincipals grant on the resource among ``grants``, or None."""
    return next((g for g in grants if g.get("consentType") == "AllPrincipals" and g.get("clientId") == client_sp_id
                 and g.get("resourceId") == resource_sp_id), None)


def missing_scopes(granted: str | None, wanted: str | None) -> list[str]:
    """The ``wanted`` scopes that ``granted`` lacks, in the order wanted."""
    have = set(scope_set(granted))
    return [s for s in scope_set(wanted) if s not in have]


def scope_union(granted: str | None, wanted: str | None) -> str | None:
    """The ``scope`` that adds the missing ``wanted`` scopes to ``granted``; None when none is missing."""
    missing = missing_scopes(granted, wanted)
    return " ".join(scope_set(granted) + missing) if missing else None


def plan_consent(client_sp_id: str, needs: list[ResourceNeed], grants: list[dict],
                 assignments: list[dict]) -> ConsentPlan:
    """``grants``: the client's oauth2PermissionGrants; ``assignments``: its appRoleAssignments."""
    plan = ConsentPlan()
    assigned = {((a.get("resourceId") or "").lower(), (a.get("appRoleId") or "").lower()) for a in assignments
                if (a.get("principalId") or client_sp_id) == client_sp_id}
    for need in needs:
        sp_id = need.sp["id"]
        name = need.sp.get("displayName") or need.sp.get("appId")
        grant = tenant_wide_grant(grants, client_sp_id, sp_id)
        scope = grant.get("scope") if grant else None
        granted = scope_set(scope)
        missing = missing_scopes(scope, " ".join(need.scopes))
        if missing and grant is None:
            plan.grant_creates.append({"clientId": client_sp_id, "consentType": "AllPrincipals",
                                       "resourceId": sp_id, "scope": " ".join(missing)})
        elif missing:
            plan.grant_updates.append({"id": grant["id"], "scope": scope_union(scope, " ".join(need.scopes)),
                                       "added": missing, "resource": name})
        missing_roles = []
        for role_id, value in need.roles:
            if (sp_id.lower(), role_id.lower()) not in assigned:
                missing_roles.append(value)
                plan.role_assignments.append({
                    "body": {"principalId": client_sp_id, "resourceId": sp_id, "appRoleId": role_id},
                    "resource": name, "role": value})
        plan.state.append({
            "resource": name, "resource_app_id": need.sp.get("appId"),
            "granted_scopes": sorted(s for s in granted if s in set(need.scopes)),
            "missing_scopes": sorted(missing),
            "granted_roles": sorted(value for _role_id, value in need.roles if value not in set(missing_roles)),
            "missing_roles": sorted(missing_roles),
        })
    return plan


def needs_from_permissions(permissions, resource_sps_by_app_id: dict[str, dict]) -> list[ResourceNeed]:
    """Group Permission objects by resource into ResourceNeed, naming each scope/role by its value."""
    grouped: dict[str, dict] = {}
    for perm in permissions:
        sp = resource_sps_by_app_id[perm.resource_app_id]
        entry = grouped.setdefault(perm.resource_app_id, {"scopes": [], "roles": []})
        if perm.type == "Scope":
            found = next((s for s in sp.get("oauth2PermissionScopes") or [] if s["id"].lower() == perm.id), None)
            if found is None:
                raise KeyError(f"delegated permission {perm.id} is not offered by {sp.get('displayName')}")
            if found["value"] not in entry["scopes"]:
                entry["scopes"].append(found["value"])
        else:
            found = next((r for r in sp.get("appRoles") or [] if r["id"].lower() == perm.id), None)
            if found is None:
                raise KeyError(f"application permission {perm.id} is not offered by {sp.get('displayName')}")
            if (found["id"], found["value"]) not in entry["roles"]:
                entry["roles"].append((found["id"], found["value"]))
    return [ResourceNeed(resource_sps_by_app_id[app_id], tuple(v["scopes"]), tuple(v["roles"]))
            for app_id, v in grouped.items()]


def needs_view(needs: list[ResourceNeed]) -> list[dict]:
    """``needs`` in the form entra_app returns and entra_admin_consent takes (``resource_service_principals``)."""
    return [{"app_id": n.sp["appId"], "id": n.sp["id"], "display_name": n.sp.get("displayName"),
             "delegated": list(n.scopes), "application": [{"id": i, "value": v} for i, v in n.roles]}
            for n in needs]


def needs_from_view(items, option: str = "resource_service_principals") -> list[ResourceNeed]:
    """The inverse of ``needs_view``, checked: an InputError names the bad field."""
    if not isinstance(items, list):
        raise InputError(f"{option} must be a list of {{app_id, id, display_name, delegated, application}}")
    needs, seen = [], set()
    for index, item in enumerate(items):
        where = f"{option}[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be a dict with app_id, id, display_name, delegated, application")
        unknown = set(item) - NEEDS_KEYS
        if unknown:
            raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        app_id = check_guid(item.get("app_id"), f"{where}.app_id")
        if app_id in seen:
            raise InputError(f"{where}.app_id: resource {app_id} is listed twice")
        seen.add(app_id)
        name = item.get("display_name")
        if name is not None and not isinstance(name, str):
            raise InputError(f"{where}.display_name must be a string")
        scopes = item.get("delegated") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) and s.split() == [s] for s in scopes):
            raise InputError(f"{where}.delegated must be a list of scope names (no white space)")
        application = item.get("application") or []
        if not isinstance(application, list):
            raise InputError(f"{where}.application must be a list of {{id, value}}")
        roles = []
        for role_index, role in enumerate(application):
            at = f"{where}.application[{role_index}]"
            if not isinstance(role, dict) or set(role) != {"id", "value"} or \
                    not isinstance(role["value"], str) or not role["value"].strip():
                raise InputError(f"{at} must be a dict with id (the app role's GUID) and value (its name)")
            roles.append((check_guid(role["id"], f"{at}.id"), role["value"]))
        sp = {"id": check_guid(item.get("id"), f"{where}.id"), "appId": app_id, "displayName": name or app_id}
        needs.append(ResourceNeed(sp, tuple(dict.fromkeys(scopes)), tuple(dict.fromkeys(roles))))
    return needs
