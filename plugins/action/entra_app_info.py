# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wac.fleet.entra_app_info (docs in plugins/modules/entra_app_info.py). Read-only."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import (
    PERMISSION_READ_APPS,
    Context,
    EntraActionBase,
    needs_permission,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import APP_SELECT, is_managed
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_graph import (
    read_client_sp,
    read_consent_state,
    read_needs,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import check_guid, check_unique_name, odata_string


def _uris(app: dict, platform: str) -> list:
    return list(((app.get(platform) or {}).get("redirectUris")) or [])


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        "app_id": {"type": "str"},
        "unique_name": {"type": "str"},
        "display_name": {"type": "str"},
        "consent": {"type": "bool", "default": True},
    }
    SPEC_OPTIONS = {
        "mutually_exclusive": [("app_id", "unique_name", "display_name")],
        "required_one_of": [("app_id", "unique_name", "display_name")],
    }

    def check(self, args: dict) -> dict:
        if args.get("app_id") is not None:
            args["app_id"] = check_guid(args["app_id"], "app_id")
        if args.get("unique_name") is not None:
            check_unique_name(args["unique_name"])
        return args

    def act(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            if args.get("display_name") is not None:
                apps = client.list("applications", params={
                    "$filter": f"displayName eq {odata_string(args['display_name'])}", "$select": APP_SELECT})
            else:
                key = (f"appId={odata_string(args['app_id'])}" if args.get("app_id")
                       else f"uniqueName={odata_string(args['unique_name'])}")
                app = client.get(f"applications({key})", params={"$select": APP_SELECT}, missing_ok=True)
                apps = [app] if app else []
        views = [self._describe(client, app, args["consent"]) for app in apps]
        return {"changed": False, "exists": bool(views), "tenant_id": ctx.tenant_id, "apps": views,
                "app": views[0] if len(views) == 1 else None}

    def _describe(self, client, app: dict, with_consent: bool) -> dict:
        client_sp = read_client_sp(client, app["appId"])
        needs = read_needs(client, app, None, strict=False)
        by_app_id = {n.sp["appId"].lower(): n.sp for n in needs}
        view = {
            "app_id": app.get("appId"),
            "object_id": app.get("id"),
            "display_name": app.get("displayName"),
            "unique_name": app.get("uniqueName"),
            "sign_in_audience": app.get("signInAudience"),
            "managed_by_wac_fleet": is_managed(app),
            "redirect_uris": {"spa": _uris(app, "spa"), "web": _uris(app, "web"),
                              "public_client": _uris(app, "publicClient")},
            "required_resource_access": perms.names_view(
                perms.from_required_resource_access(app.get("requiredResourceAccess")), by_app_id),
            "service_principal_id": (client_sp or {}).get("id"),
            "consent": None,
            "consent_complete": None,
        }
        if with_consent and client_sp is not None:
            plan = read_consent_state(client, client_sp["id"], needs)
            view["consent"] = plan.state
            view["consent_complete"] = not plan.changed
        return view
