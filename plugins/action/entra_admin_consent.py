# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wac.fleet.entra_admin_consent (docs in plugins/modules/entra_admin_consent.py)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import (
    PERMISSION_APP_ROLES,
    PERMISSION_GRANTS,
    PERMISSION_READ_APPS,
    Context,
    EntraActionBase,
    needs_permission,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import (
    ResourceNeed,
    needs_from_permissions,
    needs_from_view,
    plan_consent,
    scope_union,
    tenant_wide_grant,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError, is_duplicate_error
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, odata_string

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


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        "app_id": {"type": "str", "required": True},
        "required_resource_access": {"type": "list", "elements": "dict"},
        "service_principal_id": {"type": "str"},
        "service_principal_created": {"type": "bool", "default": False},
        "resource_service_principals": {"type": "list", "elements": "dict"},
    }
    SPEC_OPTIONS = {
        "mutually_exclusive": [("required_resource_access", "resource_service_principals")],
        "required_if": [("service_principal_created", True, ("service_principal_id",))],
    }

    def check(self, args: dict) -> dict:
        args["app_id"] = check_guid(args["app_id"], "app_id")
        if args.get("service_principal_id") is not None:
            args["service_principal_id"] = check_guid(args["service_principal_id"], "service_principal_id")
        spec = args.get("required_resource_access")
        args["_permission_spec"] = None if spec is None else perms.normalize_spec(spec)
        given = args.get("resource_service_principals")
        args["_needs"] = None if given is None else needs_from_view(given)
        return args

    def act(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        needs = args["_needs"]
        if needs is None:
            with needs_permission(PERMISSION_READ_APPS, "read applications"):
                app = client.get(f"applications(appId={odata_string(args['app_id'])})",
                                 params={"$select": "id,appId,displayName,requiredResourceAccess"}, missing_ok=True)
            if app is None:
                raise InputError(f"app_id {args['app_id']} does not exist in tenant {ctx.tenant_id}")
            needs = read_needs(client, app, args["_permission_spec"])
        client_sp_id = args.get("service_principal_id")
        if client_sp_id is None:
            client_sp_id = (read_client_sp(client, args["app_id"], may_lag=True) or {}).get("id")
        if client_sp_id is None:
            raise InputError(f"app_id {args['app_id']} has no service principal in tenant {ctx.tenant_id}; "
                             "run wac.fleet.entra_app first (it creates one)")
        if args["service_principal_created"]:
            # created by the previous task moments ago: it has no grant or assignment yet, nothing to read (one that
            # a concurrent run makes meanwhile is met with Graph's 409 and merged, see create_grant)
            plan = plan_consent(client_sp_id, needs, [], [])
        else:
            plan = read_consent_state(client, client_sp_id, needs, PERMISSION_GRANTS, sp_may_lag=True)
        if plan.changed and not ctx.check_mode:
            with needs_permission(PERMISSION_GRANTS, "grant tenant-wide consent to delegated permissions"):
                for body in plan.grant_creates:
                    create_grant(client, body)
                for update in plan.grant_updates:
                    client.patch(f"oauth2PermissionGrants/{update['id']}", {"scope": update["scope"]})
            with needs_permission(PERMISSION_APP_ROLES, "assign application permissions (app roles)"):
                for assignment in plan.role_assignments:
                    assign_app_role(client, assignment["body"])
        after = [{**s, "granted_scopes": sorted(s["granted_scopes"] + s["missing_scopes"]), "missing_scopes": [],
                  "granted_roles": sorted(s["granted_roles"] + s["missing_roles"]), "missing_roles": []}
                 for s in plan.state]
        sp_names = {n.sp["id"]: n.sp.get("displayName") for n in needs}
        scopes_granted = [{"resource": sp_names.get(b["resourceId"]), "scopes": b["scope"].split()}
                          for b in plan.grant_creates]
        scopes_granted += [{"resource": u["resource"], "scopes": u["added"]} for u in plan.grant_updates]
        result = {
            "changed": plan.changed,
            "app_id": args["app_id"],
            "tenant_id": ctx.tenant_id,
            "service_principal_id": client_sp_id,
            "consent": after if not ctx.check_mode else plan.state,
            "scopes_granted": scopes_granted,
            "app_roles_assigned": [{"resource": a["resource"], "role": a["role"]} for a in plan.role_assignments],
        }
        if ctx.diff:
            result["diff"] = {"before": {"consent": plan.state}, "after": {"consent": after}}
        return result
