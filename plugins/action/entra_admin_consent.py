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
    needs_from_permissions,
    plan_consent,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, odata_string

PERMISSION_READ_GRANTS = "DelegatedPermissionGrant.Read.All"


def read_consent_inputs(client, app: dict, spec: list | None, sp_may_lag: bool = False, strict: bool = True):
    """(client SP, needs) of an app: its requiredResourceAccess, or an explicit list of permissions by name.

    ``sp_may_lag``: a missing service principal may be one created moments ago (by entra_app in the previous
    task) that has not replicated yet: retry its read for up to consistency_timeout before calling it missing.
    ``strict=False`` (read-only reports): permissions of resources or IDs the tenant does not know are left out
    instead of failing.
    """
    with needs_permission(PERMISSION_READ_APPS, "read service principals"):
        client_sp = client.get(f"servicePrincipals(appId={odata_string(app['appId'])})",
                               params={"$select": "id,appId,displayName"}, missing_ok=True,
                               consistency_retry=sp_may_lag)
        if spec is not None:
            resource_sps = {e["resource"]: perms.fetch_resource_sp(client, e["resource"]) for e in spec}
            permissions = perms.resolve(spec, resource_sps)
            by_app_id = {sp["appId"].lower(): sp for sp in resource_sps.values()}
        else:
            permissions = perms.from_required_resource_access(app.get("requiredResourceAccess"))
            by_app_id = {}
            for app_id in dict.fromkeys(p.resource_app_id for p in permissions):
                try:
                    by_app_id[app_id] = perms.fetch_resource_sp(client, app_id)
                except InputError:
                    if strict:
                        raise
            if not strict:
                permissions = [p for p in permissions if p.resource_app_id in by_app_id and p.key[1] in {
                    x["id"].lower() for x in (by_app_id[p.resource_app_id].get(
                        "oauth2PermissionScopes" if p.type == "Scope" else "appRoles") or [])}]
    try:
        needs = needs_from_permissions(permissions, by_app_id)
    except KeyError as exc:
        raise InputError(f"the app's requiredResourceAccess lists a permission its resource does not offer: "
                         f"{exc.args[0]}") from None
    return client_sp, needs


def read_consent_state(client, client_sp: dict, needs: list, grants_permission: str = PERMISSION_READ_GRANTS):
    """The consent plan; a 403 on reading grants names ``grants_permission`` (the write one when granting)."""
    with needs_permission(grants_permission, "read delegated permission grants"):
        grants = client.list("oauth2PermissionGrants",
                             params={"$filter": f"clientId eq {odata_string(client_sp['id'])}"})
    assignments = []
    if any(n.roles for n in needs):
        with needs_permission(PERMISSION_READ_APPS, "read app role assignments"):
            assignments = client.list(f"servicePrincipals/{client_sp['id']}/appRoleAssignments")
    return plan_consent(client_sp["id"], needs, grants, assignments)


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        "app_id": {"type": "str", "required": True},
        "required_resource_access": {"type": "list", "elements": "dict"},
    }

    def check_input(self, args: dict) -> None:
        args["app_id"] = check_guid(args["app_id"], "app_id")
        spec = args.get("required_resource_access")
        args["_permission_spec"] = None if spec is None else perms.normalize_spec(spec)

    def act(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            app = client.get(f"applications(appId={odata_string(args['app_id'])})",
                             params={"$select": "id,appId,displayName,requiredResourceAccess"}, missing_ok=True)
        if app is None:
            raise InputError(f"app_id {args['app_id']} does not exist in tenant {ctx.tenant_id}")
        client_sp, needs = read_consent_inputs(client, app, args["_permission_spec"], sp_may_lag=True)
        if client_sp is None:
            raise InputError(f"app_id {args['app_id']} has no service principal in tenant {ctx.tenant_id}; "
                             "run wac.fleet.entra_app first (it creates one)")
        plan = read_consent_state(client, client_sp, needs, PERMISSION_GRANTS)
        if plan.changed and not ctx.check_mode:
            with needs_permission(PERMISSION_GRANTS, "grant tenant-wide consent to delegated permissions"):
                for body in plan.grant_creates:
                    client.post("oauth2PermissionGrants", body, consistency_retry=True)
                for update in plan.grant_updates:
                    client.patch(f"oauth2PermissionGrants/{update['id']}", {"scope": update["scope"]})
            with needs_permission(PERMISSION_APP_ROLES, "assign application permissions (app roles)"):
                for assignment in plan.role_assignments:
                    client.post(f"servicePrincipals/{assignment['body']['resourceId']}/appRoleAssignedTo",
                                assignment["body"], consistency_retry=True)
        after = [{**s, "granted_scopes": sorted(s["granted_scopes"] + s["missing_scopes"]), "missing_scopes": [],
                  "granted_roles": sorted(s["granted_roles"] + s["missing_roles"]), "missing_roles": []}
                 for s in plan.state]
        sp_names = {n.sp["id"]: n.sp.get("displayName") for n in needs}
        scopes_granted = [{"resource": sp_names.get(b["resourceId"]), "scopes": b["scope"].split()}
                          for b in plan.grant_creates]
        scopes_granted += [{"resource": u["resource"], "scopes": u["added"]} for u in plan.grant_updates]
        result = {
            "changed": plan.changed,
            "app_id": app["appId"],
            "tenant_id": ctx.tenant_id,
            "service_principal_id": client_sp["id"],
            "consent": after if not ctx.check_mode else plan.state,
            "scopes_granted": scopes_granted,
            "app_roles_assigned": [{"resource": a["resource"], "role": a["role"]} for a in plan.role_assignments],
        }
        if ctx.diff:
            result["diff"] = {"before": {"consent": plan.state}, "after": {"consent": after}}
        return result
