# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consent in Graph: the reads consent is planned from (the client's service principal, what it needs, its grants
and app role assignments) and the two writes that converge with a concurrent run (a grant, an app role assignment).

Used by wac.fleet.entra_admin_consent (which grants) and wac.fleet.entra_app_info (which reports); the planning
itself is pure (``_entra_consent_state``).
"""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import PERMISSION_READ_APPS, needs_permission
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import (
    ResourceNeed,
    needs_from_permissions,
    plan_consent,
    scope_union,
    tenant_wide_grant,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError, is_duplicate_error
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, odata_string

PERMISSION_READ_GRANTS = "DelegatedPermissionGrant.Read.All"


def read_client_sp(client, app_id: str, may_lag: bool = False) -> dict | None:
    """The app's own service principal, or None.

    ``may_lag``: a missing service principal may be one created moments ago (by entra_app in the previous task)
    that has not replicated yet: retry its read for up to consistency_timeout before calling it missing.
    """
    with needs_permission(PERMISSION_READ_APPS, "read service principals"):
        return client.get(f"servicePrincipals(appId={odata_string(app_id)})",
                          params={"$select": "id,appId,displayName"}, missing_ok=True, consistency_retry=may_lag)


def read_needs(client, app: dict, spec: list | None, strict: bool = True) -> list[ResourceNeed]:
    """What consent covers: the app's requiredResourceAccess, or an explicit list of permissions by name.

    ``strict=False`` (read-only reports): permissions of resources or IDs the tenant does not know are left out
    instead of failing.
    """
    with needs_permission(PERMISSION_READ_APPS, "read service principals"):
        if spec is not None:
            resource_sps = perms.fetch_resource_sps(client, [e["resource"] for e in spec])
            permissions = perms.resolve(spec, resource_sps)
        else:
            permissions = perms.from_required_resource_access(app.get("requiredResourceAccess"))
            resource_sps = perms.fetch_resource_sps(client, dict.fromkeys(p.resource_app_id for p in permissions),
                                                    strict)
    by_app_id = {sp["appId"].lower(): sp for sp in resource_sps.values()}
    if not strict:
        permissions = perms.still_offered(permissions, by_app_id)
    try:
        return needs_from_permissions(permissions, by_app_id)
    except KeyError as exc:
        raise InputError(f"the app's requiredResourceAccess lists a permission its resource does not offer: "
                         f"{exc.args[0]}") from None


def read_grants(client, client_sp_id: str) -> list[dict]:
    """The delegated permission grants of the client service principal."""
    return client.list("oauth2PermissionGrants", params={"$filter": f"clientId eq {odata_string(client_sp_id)}"})


def read_consent_state(client, client_sp_id: str, needs: list, grants_permission: str = PERMISSION_READ_GRANTS,
                       sp_may_lag: bool = False):
    """The consent plan; a 403 on reading grants names ``grants_permission`` (the write one when granting)."""
    with needs_permission(grants_permission, "read delegated permission grants"):
        grants = read_grants(client, client_sp_id)
    assignments = []
    if any(n.roles for n in needs):
        with needs_permission(PERMISSION_READ_APPS, "read app role assignments"):
            assignments = client.list(f"servicePrincipals/{client_sp_id}/appRoleAssignments",
                                      consistency_retry=sp_may_lag)
    return plan_consent(client_sp_id, needs, grants, assignments)


def create_grant(client, body: dict) -> None:
    """POST a tenant-wide grant. When Graph answers that it already exists (a concurrent run, e.g. another CI job
    or AWX slice consenting the same app, created it after our read), converge instead of failing: re-read the
    client's grants once and PATCH the existing grant's scope to the union if scopes are still missing."""
    try:
        client.post("oauth2PermissionGrants", body, consistency_retry=True)
        return
    except GraphError as exc:
        if not is_duplicate_error(exc):
            raise
        conflict = exc
    existing = tenant_wide_grant(read_grants(client, body["clientId"]), body["clientId"], body["resourceId"])
    if existing is None:  # created moments ago and not replicated to the replica we read: no loop, say so
        raise GraphError(f"{conflict}; a concurrent run created this grant, but re-reading the client's grants "
                         "did not return it yet (replication lag): run the task again",
                         status=conflict.status, code=conflict.code, graph_message=conflict.graph_message,
                         request_id=conflict.request_id, method=conflict.method, path=conflict.path)
    scope = scope_union(existing.get("scope"), body["scope"])
    if scope is not None:
        client.patch(f"oauth2PermissionGrants/{existing['id']}", {"scope": scope})


def assign_app_role(client, body: dict) -> None:
    """POST an app role assignment; one that already exists (assigned by a concurrent run) is done: the
    assignment is the (principal, resource, app role) triple itself, nothing to merge."""
    try:
        client.post(f"servicePrincipals/{body['resourceId']}/appRoleAssignedTo", body, consistency_retry=True)
    except GraphError as exc:
        if not is_duplicate_error(exc):
            raise
