# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wac.fleet.entra_app (docs in plugins/modules/entra_app.py): the shared app registration."""

from __future__ import annotations

import time

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_app_roles as app_roles
from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import (
    PERMISSION_READ_APPS,
    PERMISSION_WRITE_APPS,
    Context,
    EntraActionBase,
    needs_permission,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_settings import (
    APP_SETTINGS_SPEC,
    SIGN_IN_AUDIENCES,
    WRITE_APPS_HINT,
    check_app_settings,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import (
    APP_SELECT,
    DesiredApp,
    is_managed,
    plan_app,
    plan_permissions,
    redirect_uri_count,
    redirect_uri_limit,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import needs_from_permissions, needs_view
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import (
    InputError,
    check_guid,
    check_redirect_uri,
    check_unique_name,
    odata_string,
)

# Redirect URIs are written as whole lists with no optimistic concurrency in Graph: after a write the app is read
# back once this many seconds later (longer than our own read-to-write window) and merged again if another writer
# dropped ours, at most CONVERGE_ROUNDS times.
SETTLE_SECONDS = 1.0
CONVERGE_ROUNDS = 3


def app_path(args: dict) -> str:
    if args.get("app_id"):
        return f"applications(appId={odata_string(args['app_id'])})"
    return f"applications(uniqueName={odata_string(args['unique_name'])})"


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        **APP_SETTINGS_SPEC,
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "unique_name": {"type": "str"},
        "app_id": {"type": "str"},
        "display_name": {"type": "str"},
        "sign_in_audience": {"type": "str", "choices": SIGN_IN_AUDIENCES},
        "redirect_uris": {"type": "list", "elements": "str"},
        "redirect_uri_platform": {"type": "str", "default": "spa", "choices": ["spa", "web"]},
        "redirect_uris_mode": {"type": "str", "default": "additive", "choices": ["additive", "exclusive"]},
        "force": {"type": "bool", "default": False},
    }
    SPEC_OPTIONS = {"mutually_exclusive": [("unique_name", "app_id")], "required_one_of": [("unique_name", "app_id")]}

    def check(self, args: dict) -> dict:
        if args.get("unique_name") is not None:
            check_unique_name(args["unique_name"])
        if args.get("app_id") is not None:
            args["app_id"] = check_guid(args["app_id"], "app_id")
        if args.get("display_name") is not None and not args["display_name"].strip():
            raise InputError("display_name must not be empty")
        for index, uri in enumerate(args.get("redirect_uris") or []):
            check_redirect_uri(uri, f"redirect_uris[{index}]")
        return check_app_settings(args)

    def act(self, args: dict, ctx: Context) -> dict:
        if args["state"] == "absent":
            return self._absent(args, ctx)
        return self._present(args, ctx)

    # --- present ----------------------------------------------------------------------------------------------
    def _present(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        spec = args["_permission_spec"]
        with needs_permission(PERMISSION_READ_APPS, "read service principals"):
            resource_sps = perms.fetch_resource_sps(client, [entry["resource"] for entry in spec])
        permissions = perms.resolve(spec, resource_sps)
        sps_by_app_id = {sp["appId"].lower(): sp for sp in resource_sps.values()}

        def render(items):
            return perms.names_view(items, sps_by_app_id)

        desired = DesiredApp(
            display_name=args.get("display_name"),
            sign_in_audience=args.get("sign_in_audience"),
            redirect_uris=tuple(args["redirect_uris"]) if args.get("redirect_uris") is not None else None,
            platform=args["redirect_uri_platform"],
            redirect_uris_mode=args["redirect_uris_mode"],
            move_web_to_spa=args["move_web_to_spa"],
            permissions=tuple(permissions),
            permissions_mode=args["permissions_mode"],
            app_roles=tuple(args["_app_roles"]),
            role_key=args.get("unique_name") or args.get("app_id"),
        )
        # The app is read last, right before the write, to keep the read-to-write window short.
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            current = client.get(app_path(args), params={"$select": APP_SELECT}, missing_ok=True)
        if current is None and args.get("app_id"):
            raise InputError(f"app_id {args['app_id']} does not exist in tenant {ctx.tenant_id}; entra_app never "
                             "creates an app for app_id (use unique_name to create one)")
        plan = plan_app(current, desired, unique_name=args.get("unique_name"), render_permissions=render)
        after = {**(current or {}), **plan.body}
        limit = redirect_uri_limit(after.get("signInAudience"))
        if plan.changed and redirect_uri_count(after) > limit:
            raise InputError(
                f"the app would hold {redirect_uri_count(after)} redirect URIs (all platforms together); an app with "
                f"signInAudience {after.get('signInAudience')} holds at most {limit} (Entra's limit, which cannot be "
                "raised): give fewer redirect_uris, or spread the gateways over several apps with "
                "wac.fleet.entra_fleet_apps (the wac.fleet.entra_app role does)")
        app = current
        created = False
        if plan.changed and not ctx.check_mode:
            with needs_permission(WRITE_APPS_HINT, "create or update applications"):
                app, created = self._write(client, args, current, plan, desired, render)

        sp_id, sp_changed = self._service_principal(args, ctx, app, created)
        before = dict(plan.before)
        after_view = dict(plan.after)
        if args["service_principal"]:
            if before:
                before["service_principal"] = not sp_changed
            after_view["service_principal"] = True
        result = {
            "changed": plan.changed or sp_changed,
            "created": plan.create,
            "app_id": (app or {}).get("appId"),
            "object_id": (app or {}).get("id"),
            "unique_name": (app or {}).get("uniqueName") or args.get("unique_name"),
            "display_name": (app or {}).get("displayName") or plan.body.get("displayName"),
            "tenant_id": ctx.tenant_id,
            "service_principal_id": sp_id,
            "resource_service_principals": self._consent_needs(client, app, desired, sps_by_app_id),
            "redirect_uris_added": plan.redirect_uris_added,
            "redirect_uris_removed": plan.redirect_uris_removed,
            "redirect_uri_count": redirect_uri_count(app or after),
            "redirect_uri_limit": limit,
            "app_roles": app_roles.roles_view((app or after).get("appRoles")),
            "app_roles_added": plan.app_roles_added,
        }
        if ctx.diff:
            result["diff"] = {"before": before, "after": after_view}
        return result

    def _write(self, client, args, current, plan, desired, render):
        created = False
        if plan.create:
            response = client.patch(app_path(args), plan.body, headers={"Prefer": "create-if-missing"})
            created = response.status == 201
            app = response.body if created and response.body else None
            if app is None:  # 204: another run created it in between; our body was applied as an update
                app = client.get(app_path(args), params={"$select": APP_SELECT}, consistency_retry=True)
        else:
            client.patch(f"applications/{current['id']}", plan.body)
            app = {**current, **plan.body}
        touched = plan.create or {"spa", "web"} & set(plan.body)
        for _round in range(CONVERGE_ROUNDS if touched else 0):
            time.sleep(SETTLE_SECONDS)
            readback = client.get(f"applications/{app['id']}", params={"$select": APP_SELECT},
                                  consistency_retry=created)
            again = plan_app(readback, desired, unique_name=args.get("unique_name"), render_permissions=render)
            if not again.body:
                return readback, created
            client.patch(f"applications/{app['id']}", again.body)
            app = {**readback, **again.body}
        return app, created

    @staticmethod
    def _consent_needs(client, app, desired: DesiredApp, sps_by_app_id: dict) -> list[dict]:
        """The app's permissions after the task, per resource service principal: what admin consent covers."""
        permissions = plan_permissions((app or {}).get("requiredResourceAccess"), desired)
        unknown = sorted({p.resource_app_id for p in permissions} - set(sps_by_app_id))
        if unknown:
            with needs_permission(PERMISSION_READ_APPS, "read service principals"):
                found = perms.fetch_resource_sps(client, unknown, strict=False)
            sps_by_app_id = {**sps_by_app_id, **{sp["appId"].lower(): sp for sp in found.values()}}
        return needs_view(needs_from_permissions(perms.still_offered(permissions, sps_by_app_id), sps_by_app_id))

    def _service_principal(self, args, ctx: Context, app, created: bool) -> tuple[str | None, bool]:
        """(service principal object ID, whether one is/would be created)."""
        if not args["service_principal"]:
            return None, False
        client = ctx.client
        if app is None:  # check mode, app would be created
            return None, True
        sp = None
        if not created:  # a brand-new app has no service principal: skip the read that would only 404
            with needs_permission(PERMISSION_READ_APPS, "read service principals"):
                sp = client.get(f"servicePrincipals(appId={odata_string(app['appId'])})", params={"$select": "id"},
                                missing_ok=True)
        if sp is not None:
            return sp["id"], False
        if ctx.check_mode:
            return None, True
        with needs_permission(WRITE_APPS_HINT, "create service principals"):
            try:
                sp = client.post("servicePrincipals", {"appId": app["appId"]}, consistency_retry=True)
            except GraphError as exc:
                if exc.status != 409 or exc.code == "Error_MsaAppDoesNotExist":
                    raise
                sp = client.get(f"servicePrincipals(appId={odata_string(app['appId'])})", params={"$select": "id"},
                                consistency_retry=True)
        return sp["id"], True

    # --- absent -----------------------------------------------------------------------------------------------
    def _absent(self, args: dict, ctx: Context) -> dict:
        client = ctx.client
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            current = client.get(app_path(args), params={"$select": APP_SELECT}, missing_ok=True)
        result = {"changed": False, "created": False, "tenant_id": ctx.tenant_id,
                  "app_id": (current or {}).get("appId"), "object_id": (current or {}).get("id"),
                  "redirect_uris_added": [], "redirect_uris_removed": []}
        if current is None:
            return result
        if not is_managed(current) and not args["force"]:
            raise InputError(f"app {current.get('displayName')!r} (app_id {current.get('appId')}) was not created "
                             "by wac.fleet (no 'wac.fleet:managed' tag); set force: true to delete it anyway")
        if not ctx.check_mode:
            with needs_permission(PERMISSION_WRITE_APPS, "delete applications"):
                client.delete(f"applications/{current['id']}")
        result["changed"] = True
        if ctx.diff:
            spa = sorted(((current.get("spa") or {}).get("redirectUris")) or [])
            web = sorted(((current.get("web") or {}).get("redirectUris")) or [])
            result["diff"] = {"before": {"display_name": current.get("displayName"),
                                         "redirect_uris": {"spa": spa, "web": web}}, "after": {}}
        return result
