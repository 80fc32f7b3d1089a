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
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_graph import (
    assign_app_role,
    create_grant,
    read_client_sp,
    read_consent_state,
    read_needs,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import needs_from_view, plan_consent
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, odata_string


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
