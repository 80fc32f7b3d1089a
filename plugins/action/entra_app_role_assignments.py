# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wac.fleet.entra_app_role_assignments (docs in plugins/modules/entra_app_role_assignments.py):
users and groups assigned to the app roles of an app (Gateway User, Gateway Administrator)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import (
    PERMISSION_APP_ROLES,
    PERMISSION_READ_APPS,
    Context,
    EntraActionBase,
    needs_permission,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_roles import roles_view
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_assignments import (
    normalize_assignments,
    plan_assignments,
    role_ids,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError, is_duplicate_error
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, odata_string

# POST appRoleAssignedTo needs AppRoleAssignment.ReadWrite.All together with Application.Read.All (or
# Directory.Read.All): Graph serviceprincipal-post-approleassignedto.md
ASSIGN_HINT = f"{PERMISSION_APP_ROLES} together with {PERMISSION_READ_APPS}"


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        "app_id": {"type": "str", "required": True},
        "service_principal_id": {"type": "str"},
        "app_roles": {"type": "list", "elements": "dict"},
        "assignments": {"type": "dict", "required": True},
        "assignments_mode": {"type": "str", "default": "additive", "choices": ["additive", "exclusive"]},
    }

    def check(self, args: dict) -> dict:
        args["app_id"] = check_guid(args["app_id"], "app_id")
        if (args.get("service_principal_id") is None) != (args.get("app_roles") is None):
            raise InputError("service_principal_id and app_roles go together (both as wac.fleet.entra_fleet_apps "
                             "returns them for the app), or neither (both are read)")
        if args.get("service_principal_id") is not None:
            args["service_principal_id"] = check_guid(args["service_principal_id"], "service_principal_id")
        for index, role in enumerate(args.get("app_roles") or []):
            if not isinstance(role.get("value"), str) or not isinstance(role.get("id"), str):
                raise InputError(f"app_roles[{index}] must have value and id (as entra_fleet_apps returns them)")
            check_guid(role["id"], f"app_roles[{index}].id")
        args["_wanted"] = normalize_assignments(args["assignments"])
        return args

    def act(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        sp_id, roles = args.get("service_principal_id"), args.get("app_roles")
        if sp_id is None:
            with needs_permission(PERMISSION_READ_APPS, "read service principals"):
                sp = client.get(f"servicePrincipals(appId={odata_string(args['app_id'])})",
                                params={"$select": "id,appId,appRoles"}, missing_ok=True, consistency_retry=True)
            if sp is None:
                raise InputError(f"app_id {args['app_id']} has no service principal in tenant {ctx.tenant_id}; run "
                                 "wac.fleet.entra_app or wac.fleet.entra_fleet_apps first (they create one)")
            sp_id, roles = sp["id"], roles_view(sp.get("appRoles"))
        ids = role_ids(roles, args["_wanted"])
        result = {"changed": False, "app_id": args["app_id"], "service_principal_id": sp_id,
                  "tenant_id": ctx.tenant_id, "assigned": [], "removed": []}
        if not ids:
            result["assignments"] = {}
            return result
        with needs_permission(PERMISSION_READ_APPS, "read app role assignments"):
            current = client.list(f"servicePrincipals/{sp_id}/appRoleAssignedTo", consistency_retry=True)
        plan = plan_assignments(sp_id, ids, args["_wanted"], current, args["assignments_mode"] == "exclusive")
        if plan.changed and not ctx.check_mode:
            with needs_permission(ASSIGN_HINT, "assign app roles to users and groups"):
                for body in plan.create:
                    try:
                        client.post(f"servicePrincipals/{sp_id}/appRoleAssignedTo",
                                    {k: v for k, v in body.items() if k != "role"}, consistency_retry=True)
                    except GraphError as exc:
                        if not is_duplicate_error(exc):  # one a concurrent run made is done
                            raise
            with needs_permission(PERMISSION_APP_ROLES, "remove app role assignments"):
                for gone in plan.delete:
                    client.delete(f"servicePrincipals/{sp_id}/appRoleAssignedTo/{gone['id']}", missing_ok=True)
        result.update(
            changed=plan.changed,
            assigned=[{"principal_id": b["principalId"], "role": b["role"]} for b in plan.create],
            removed=[{"principal_id": d["principal_id"], "role": d["role"]} for d in plan.delete],
            assignments=plan.before if ctx.check_mode else plan.after,
        )
        if ctx.diff:
            result["diff"] = {"before": {"assignments": plan.before}, "after": {"assignments": plan.after}}
        return result
