# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API permissions by name (``User.Read``) <-> by ID, through the resource's service principal in the tenant."""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, is_guid, odata_string

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
AZURE_SERVICE_MANAGEMENT_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
WELL_KNOWN_RESOURCES = {"microsoft graph": GRAPH_APP_ID, "azure service management": AZURE_SERVICE_MANAGEMENT_APP_ID}

# The permissions Windows Admin Center's Azure integration documents for its app (all delegated: the gateway acts
# as the signed-in user). UNCONFIRMED as the current authoritative list: override with required_resource_access.
WAC_DEFAULT_PERMISSIONS = (
    {"resource": "Microsoft Graph",
     "delegated": ["Application.Read.All", "Application.ReadWrite.All", "Directory.AccessAsUser.All",
                   "Directory.Read.All", "Directory.ReadWrite.All", "User.Read"],
     "application": []},
    {"resource": "Azure Service Management", "delegated": ["user_impersonation"], "application": []},
)

RESOURCE_SP_SELECT = "id,appId,displayName,oauth2PermissionScopes,appRoles"
IN_FILTER_MAX = 15  # values Graph accepts in one `in` of a $filter


@dataclasses.dataclass(frozen=True)
class Permission:
    resource_app_id: str
    id: str
    type: str  # "Scope" (delegated) or "Role" (application)

    @property
    def key(self) -> tuple:
        return (self.resource_app_id.lower(), self.id.lower(), self.type)


def normalize_spec(items, option: str = "required_resource_access") -> list[dict]:
    """Check the shape of a permission list given by name; resources may repeat (merged)."""
    if not isinstance(items, list):
        raise InputError(f"{option} must be a list of {{resource, delegated, application}}")
    merged: dict[str, dict] = {}
    for index, item in enumerate(items):
        where = f"{option}[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be a dict with resource, delegated and/or application")
        unknown = set(item) - {"resource", "delegated", "application"}
        if unknown:
            raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        resource = item.get("resource")
        if not isinstance(resource, str) or not resource.strip():
            raise InputError(f"{where}.resource must be a resource name (Microsoft Graph) or its appId")
        entry = merged.setdefault(resource.strip().lower(), {"resource": resource.strip(), "delegated": [],
                                                             "application": []})
        for kind in ("delegated", "application"):
            names = item.get(kind) or []
            if isinstance(names, str) or not isinstance(names, list) or \
                    not all(isinstance(n, str) and n.strip() for n in names):
                raise InputError(f"{where}.{kind} must be a list of permission names")
            for name in names:
                if name.strip() not in entry[kind]:
                    entry[kind].append(name.strip())
    return list(merged.values())


def resource_app_id(resource: str) -> str | None:
    """The appId of a resource given by appId or by a well-known name; None when it must be looked up."""
    if is_guid(resource):
        return resource.lower()
    return WELL_KNOWN_RESOURCES.get(resource.strip().lower())


def service_principals_by_app_id(client, app_ids) -> dict[str, dict]:
    """The service principals of these appIds (those the tenant has), by lower-case appId: one request per
    IN_FILTER_MAX appIds, with what both a resource and a client app need (scopes, roles)."""
    wanted = list(dict.fromkeys(a.lower() for a in app_ids if a))
    found = {}
    for start in range(0, len(wanted), IN_FILTER_MAX):
        values = ", ".join(odata_string(a) for a in wanted[start:start + IN_FILTER_MAX])
        for sp in client.list("servicePrincipals", params={"$filter": f"appId in ({values})",
                                                           "$select": RESOURCE_SP_SELECT}):
            found[sp["appId"].lower()] = sp
    return found


def fetch_resource_sps(client, resources, strict: bool = True, prefetched: dict | None = None) -> dict[str, dict]:
    """Each resource's service principal (with its scopes and roles), by appId, well-known name or display name.

    Those named by appId (or a well-known name) are read in one request per IN_FILTER_MAX (none when all are in
    ``prefetched``, a result of service_principals_by_app_id); display names one by one.
    ``strict=False``: a resource the tenant does not know is left out instead of failing.
    """
    app_ids = {resource: resource_app_id(resource) for resource in resources}
    found = dict(prefetched) if prefetched is not None else {}
    missing = [a for a in dict.fromkeys(a for a in app_ids.values() if a) if prefetched is None or a not in found]
    found.update(service_principals_by_app_id(client, missing))
    result = {}
    for resource, app_id in app_ids.items():
        if app_id is None:
            matches = client.list("servicePrincipals", params={
                "$filter": f"displayName eq {odata_string(resource)}", "$select": RESOURCE_SP_SELECT})
            if len(matches) == 1:
                result[resource] = matches[0]
            elif strict:
                raise InputError(f"required_resource_access: resource {resource!r} matches {len(matches)} service "
                                 "principals in the tenant; name it by its appId")
        elif app_id in found:
            result[resource] = found[app_id]
        elif strict:
            raise InputError(f"required_resource_access: resource {resource!r} (appId {app_id}) has no service "
                             "principal in the tenant")
    return result


def still_offered(permissions: list[Permission], resource_sps_by_app_id: dict[str, dict]) -> list[Permission]:
    """The permissions whose resource the tenant knows and still offers them."""
    result = []
    for perm in permissions:
        sp = resource_sps_by_app_id.get(perm.resource_app_id) or {}
        kind = "oauth2PermissionScopes" if perm.type == "Scope" else "appRoles"
        if perm.id in {(p.get("id") or "").lower() for p in sp.get(kind) or []}:
            result.append(perm)
    return result


def _lookup(offered: list[dict], name: str) -> dict | None:
    exact = [p for p in offered if p.get("value") == name]
    if exact:
        return exact[0]
    folded = [p for p in offered if (p.get("value") or "").lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def resolve(spec: list[dict], resource_sps: dict[str, dict]) -> list[Permission]:
    """Names -> Permission IDs; ``resource_sps`` maps each spec entry's ``resource`` to its service principal.
    A name the resource does not offer is an InputError naming it."""
    permissions: list[Permission] = []
    for entry in spec:
        sp = resource_sps[entry["resource"]]
        label = f"{entry['resource']!r} (appId {sp.get('appId')})"
        scopes = sp.get("oauth2PermissionScopes") or []
        roles = [r for r in sp.get("appRoles") or [] if "Application" in (r.get("allowedMemberTypes") or [])]
        for kind, offered, graph_type in (("delegated", scopes, "Scope"), ("application", roles, "Role")):
            for name in entry[kind]:
                found = _lookup(offered, name)
                if found is None:
                    raise InputError(f"required_resource_access: resource {label} offers no {kind} permission "
                                     f"{name!r}")
                permissions.append(Permission(sp["appId"].lower(), found["id"].lower(), graph_type))
    return permissions


def from_required_resource_access(rra: list | None) -> list[Permission]:
    """The permissions of an application's ``requiredResourceAccess``."""
    result = []
    for resource in rra or []:
        for access in resource.get("resourceAccess") or []:
            result.append(Permission(resource["resourceAppId"].lower(), access["id"].lower(), access["type"]))
    return result


def to_required_resource_access(permissions: list[Permission]) -> list[dict]:
    """Graph's ``requiredResourceAccess`` shape, resources and entries in first-seen order, no duplicates."""
    by_resource: dict[str, list] = {}
    seen = set()
    for perm in permissions:
        if perm.key in seen:
            continue
        seen.add(perm.key)
        by_resource.setdefault(perm.resource_app_id, []).append({"id": perm.id, "type": perm.type})
    return [{"resourceAppId": app_id, "resourceAccess": access} for app_id, access in by_resource.items()]


def names_view(permissions: list[Permission], resource_sps_by_app_id: dict[str, dict]) -> list[dict]:
    """Readable form: [{resource, resource_app_id, delegated: [names], application: [names]}], sorted."""
    view: dict[str, dict] = {}
    for perm in permissions:
        sp = resource_sps_by_app_id.get(perm.resource_app_id) or {}
        entry = view.setdefault(perm.resource_app_id, {"resource": sp.get("displayName") or perm.resource_app_id,
                                                       "resource_app_id": perm.resource_app_id,
                                                       "delegated": [], "application": []})
        offered = sp.get("oauth2PermissionScopes" if perm.type == "Scope" else "appRoles") or []
        name = next((p.get("value") for p in offered if (p.get("id") or "").lower() == perm.id), None) or perm.id
        kind = "delegated" if perm.type == "Scope" else "application"
        if name not in entry[kind]:
            entry[kind].append(name)
    for entry in view.values():
        entry["delegated"].sort()
        entry["application"].sort()
    return sorted(view.values(), key=lambda e: e["resource_app_id"])
