# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wac.fleet.entra_fleet_apps (docs in plugins/modules/entra_fleet_apps.py): the shared app(s) of a
fleet of gateways, one app or, past Entra's redirect-URI limit, several."""

from __future__ import annotations

import dataclasses
import time

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_app_roles as app_roles
from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_action import (
    PERMISSION_READ_APPS,
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
    plan_app,
    plan_permissions,
    redirect_uri_count,
    redirect_uri_limit,
    view,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import needs_from_permissions, needs_view
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_shards import (
    Gateway,
    fleet_tag,
    plan_shards,
    shard_index,
    shard_name,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import (
    InputError,
    check_guid,
    check_redirect_uri,
    check_unique_name,
    odata_string,
)

# Redirect URIs are written as whole lists with no optimistic concurrency: after its writes the task waits, reads
# back what it wrote and writes again what another run dropped (or moves it to the next app when that run filled the
# app), at most CONVERGE_ROUNDS times. The wait is longer than another run's read-to-write window, taken as this
# run's own (SETTLE_FACTOR times it, at least SETTLE_SECONDS): a run that read before this one wrote has written by
# then, and the read-back sees it.
SETTLE_SECONDS = 1.0
SETTLE_FACTOR = 1.5
CONVERGE_ROUNDS = 4
MAX_SUFFIX = len("-9999")


def key_path(name: str) -> str:
    return f"applications(uniqueName={odata_string(name)})"


def _uri_changes(before: dict | None, after: dict | None) -> tuple[list, list]:
    """Redirect URIs added and removed per platform between two states of an app."""
    added, removed = [], []
    for platform in ("spa", "web"):
        old = list(((before or {}).get(platform) or {}).get("redirectUris") or [])
        new = list(((after or {}).get(platform) or {}).get("redirectUris") or [])
        old_set, new_set = set(old), set(new)
        added += [{"platform": platform, "uri": u} for u in new if u not in old_set]
        removed += [{"platform": platform, "uri": u} for u in old if u not in new_set]
    return added, removed


def _view(app: dict | None, render) -> dict:
    return view(app, perms.from_required_resource_access((app or {}).get("requiredResourceAccess")), render)


class ActionModule(EntraActionBase):
    ARGUMENT_SPEC = {
        **APP_SETTINGS_SPEC,
        "unique_name": {"type": "str", "required": True},
        "display_name": {"type": "str"},
        "sign_in_audience": {"type": "str", "choices": SIGN_IN_AUDIENCES},
        "gateways": {"type": "list", "elements": "dict", "default": []},
        "extra_redirect_uris": {"type": "list", "elements": "str", "default": []},
        "redirect_uris_mode": {"type": "str", "default": "additive", "choices": ["additive", "exclusive"]},
        "max_apps": {"type": "int", "default": 20},
    }

    def check(self, args: dict) -> dict:
        check_unique_name(args["unique_name"])
        if len(args["unique_name"]) > 120 - MAX_SUFFIX:
            raise InputError(f"unique_name must be at most {120 - MAX_SUFFIX} characters (the fleet's other apps add "
                             "-2, -3, ...)")
        if args.get("display_name") is not None and not args["display_name"].strip():
            raise InputError("display_name must not be empty")
        if args["max_apps"] < 1:
            raise InputError(f"max_apps must be at least 1, got {args['max_apps']}")
        args["extra_redirect_uris"] = args.get("extra_redirect_uris") or []
        args["gateways"] = args.get("gateways") or []
        for index, uri in enumerate(args["extra_redirect_uris"]):
            check_redirect_uri(uri, f"extra_redirect_uris[{index}]")
        gateways, seen = [], set()
        for index, item in enumerate(args["gateways"]):
            where = f"gateways[{index}]"
            unknown = set(item) - {"name", "redirect_uris", "registered_app_id"}
            if unknown:
                raise InputError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                raise InputError(f"{where}.name must be the gateway's (inventory) name")
            if name in seen:
                raise InputError(f"{where}.name: gateway {name!r} is listed twice")
            seen.add(name)
            uris = item.get("redirect_uris") or []
            if not isinstance(uris, list):
                raise InputError(f"{where}.redirect_uris must be a list of URIs")
            for number, uri in enumerate(uris):
                check_redirect_uri(uri, f"{where}.redirect_uris[{number}]")
            registered = item.get("registered_app_id") or None
            if registered is not None:
                registered = check_guid(registered, f"{where}.registered_app_id")
            gateways.append(Gateway(name, tuple(uris), registered))
        args["_gateways"] = gateways
        return check_app_settings(args)

    def act(self, args: dict, ctx: Context) -> dict:
        return _FleetRun(self, args, ctx).run()


@dataclasses.dataclass
class _AppPlan:
    index: int
    name: str
    current: dict | None
    desired: DesiredApp
    plan: object  # _entra_app_state.AppPlan


class _FleetRun:
    """One task: read the fleet's apps, plan, write, verify, service principals."""

    def __init__(self, action: ActionModule, args: dict, ctx: Context):
        self.args, self.ctx, self.client = args, ctx, ctx.client
        self.base = args["unique_name"]
        self.tag = fleet_tag(self.base)
        self.apps: dict[int, dict] = {}  # index -> the app as last read (or as written)
        self.taken: set[int] = set()
        self.probed: set[int] = set()
        self.created: set[int] = set()
        self.written: set[int] = set()
        self.initial: dict[int, dict] = {}  # index -> the app as first read (before this task wrote anything)
        self.sps: dict[str, dict] = {}

    # --- reads ------------------------------------------------------------------------------------------------
    def _read_fleet(self) -> None:
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            listed = self.client.list("applications", params={
                "$filter": f"tags/any(t:t eq {odata_string(self.tag)})", "$select": APP_SELECT})
            for app in listed:
                index = shard_index(self.base, app.get("uniqueName"))
                if index is not None:
                    self.apps[index] = app
            if 1 not in self.apps:  # first run, or an app of an earlier version (no fleet tag yet)
                self.probed.add(1)
                base = self.client.get(key_path(self.base), params={"$select": APP_SELECT}, missing_ok=True)
                if base is not None:
                    self.apps[1] = base
        self.initial.update(self.apps)

    def _probe(self, index: int) -> bool:
        """Before planning a new app at ``index``: is its unique name free? True when the plan must be made again."""
        self.probed.add(index)
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            found = self.client.get(key_path(shard_name(self.base, index)), params={"$select": APP_SELECT},
                                    missing_ok=True)
        if found is None:
            return False
        if self.tag in (found.get("tags") or []):
            self.apps[index] = self.initial[index] = found  # made by a concurrent run moments ago, not yet listed
        else:
            self.taken.add(index)  # another app has this unique name: never write to it
        return True

    # --- planning ---------------------------------------------------------------------------------------------
    def _plan(self, permissions, render) -> tuple[object, dict[int, _AppPlan]]:
        args = self.args
        base_desired = DesiredApp(
            sign_in_audience=args.get("sign_in_audience"), redirect_uris=None, platform="spa",
            redirect_uris_mode=args["redirect_uris_mode"], move_web_to_spa=args["move_web_to_spa"],
            permissions=tuple(permissions), permissions_mode=args["permissions_mode"],
            app_roles=tuple(args["_app_roles"]), role_key=self.base, tags=(self.tag,))
        while True:
            shards = plan_shards(self.apps, args["_gateways"], base_desired, extra_uris=args["extra_redirect_uris"],
                                 taken=self.taken, max_apps=args["max_apps"], unique_name=self.base)
            if not any(self._probe(i) for i in shards.new if i not in self.probed):
                break
        plans = {}
        for index, shard in shards.apps.items():
            name = shard_name(self.base, index)
            display = args.get("display_name")
            if display is not None and index > 1:
                display = f"{display}-{index}"
            desired = dataclasses.replace(base_desired, display_name=display,
                                          redirect_uris=tuple(shard["redirect_uris"]))
            current = self.apps.get(index)
            plan = plan_app(current, desired, unique_name=name, render_permissions=render)
            after = {**(current or {}), **plan.body}
            if redirect_uri_count(after) > redirect_uri_limit(after.get("signInAudience")):
                raise InputError(f"internal plan error: {name} would hold {redirect_uri_count(after)} redirect URIs")
            plans[index] = _AppPlan(index, name, current, desired, plan)
        return shards, plans

    # --- writes -----------------------------------------------------------------------------------------------
    def _write(self, item: _AppPlan) -> None:
        client = self.client
        self.written.add(item.index)
        with needs_permission(WRITE_APPS_HINT, "create or update applications"):
            if item.plan.create:
                try:
                    response = client.patch(key_path(item.name), item.plan.body,
                                            headers={"Prefer": "create-if-missing"})
                except GraphError as exc:  # an app made meanwhile with enabled roles we would remove: re-plan
                    if exc.code != "CannotDeleteOrUpdateEnabledEntitlement":
                        raise
                    response = None
                if response is not None and response.status == 201 and response.body:
                    self.created.add(item.index)
                    self.apps[item.index] = response.body
                else:  # it existed (a concurrent run created it): our body was applied as an update, or refused
                    self.apps[item.index] = client.get(key_path(item.name), params={"$select": APP_SELECT},
                                                       consistency_retry=True)
            else:
                client.patch(f"applications/{item.current['id']}", item.plan.body)
                self.apps[item.index] = {**item.current, **item.plan.body}

    def _read_back(self, indexes) -> None:
        with needs_permission(PERMISSION_READ_APPS, "read applications"):
            for index in indexes:
                self.apps[index] = self.client.get(f"applications/{self.apps[index]['id']}",
                                                   params={"$select": APP_SELECT},
                                                   consistency_retry=index in self.created)

    def _converge(self, plans: dict[int, _AppPlan], permissions, render, read_at: float):
        """Write, read back, and write again what another run dropped, until nothing changes."""
        shards = None
        for _round in range(CONVERGE_ROUNDS):
            written = [i for i, p in sorted(plans.items()) if p.plan.changed]
            if not written:
                return shards, plans
            for index in written:
                self._write(plans[index])
            window = time.monotonic() - read_at
            time.sleep(max(SETTLE_SECONDS, SETTLE_FACTOR * window))
            read_at = time.monotonic()
            self._read_back(written)
            shards, plans = self._plan(permissions, render)
            stale = [i for i, p in plans.items() if p.plan.changed and i not in written and p.current is not None]
            if stale:  # about to write an app read at the start: read it again first
                self._read_back(stale)
                shards, plans = self._plan(permissions, render)
        if any(p.plan.changed for p in plans.values()):
            lost = sorted(u["uri"] for p in plans.values() for u in p.plan.redirect_uris_added)
            raise GraphError(f"the apps' redirect URIs kept changing under this task ({CONVERGE_ROUNDS} rounds of "
                             f"write and read-back); still missing: {', '.join(lost[:10])}"
                             f"{' ...' if len(lost) > 10 else ''}. Another writer keeps replacing them: run again")
        return shards, plans

    # --- service principals -------------------------------------------------------------------------------------
    def _service_principal(self, index: int) -> tuple[str | None, bool]:
        app = self.apps.get(index)
        if not self.args["service_principal"]:
            return None, False
        if app is None or not app.get("appId"):
            return None, True  # check mode: the app would be created, and its service principal
        sp = self.sps.get(app["appId"].lower())
        if sp is not None:
            return sp["id"], False
        if self.ctx.check_mode:
            return None, True
        with needs_permission(WRITE_APPS_HINT, "create service principals"):
            try:
                sp = self.client.post("servicePrincipals", {"appId": app["appId"]}, consistency_retry=True)
            except GraphError as exc:
                if exc.status != 409 or exc.code == "Error_MsaAppDoesNotExist":
                    raise
                sp = self.client.get(f"servicePrincipals(appId={odata_string(app['appId'])})",
                                     params={"$select": "id"}, consistency_retry=True)
                self.sps[app["appId"].lower()] = sp
                return sp["id"], False
        self.sps[app["appId"].lower()] = sp
        return sp["id"], True

    def _consent_needs(self, app: dict | None, desired: DesiredApp) -> list[dict]:
        permissions = plan_permissions((app or {}).get("requiredResourceAccess"), desired)
        unknown = sorted({p.resource_app_id for p in permissions} - set(self.sps))
        if unknown:
            with needs_permission(PERMISSION_READ_APPS, "read service principals"):
                self.sps.update(perms.service_principals_by_app_id(self.client, unknown))
        return needs_view(needs_from_permissions(perms.still_offered(permissions, self.sps), self.sps))

    # --- the task -----------------------------------------------------------------------------------------------
    def run(self) -> dict:
        args, client = self.args, self.client
        read_at = time.monotonic()
        self._read_fleet()
        spec = args["_permission_spec"]
        with needs_permission(PERMISSION_READ_APPS, "read service principals"):
            wanted = [perms.resource_app_id(e["resource"]) for e in spec]
            self.sps = perms.service_principals_by_app_id(
                client, [a for a in wanted if a] + [a["appId"] for a in self.apps.values()])
            resource_sps = perms.fetch_resource_sps(client, [e["resource"] for e in spec], prefetched=self.sps)
        self.sps.update({sp["appId"].lower(): sp for sp in resource_sps.values()})
        permissions = perms.resolve(spec, resource_sps)

        def render(items):
            return perms.names_view(items, self.sps)

        shards, plans = self._plan(permissions, render)
        if not self.ctx.check_mode:
            final_shards, plans = self._converge(plans, permissions, render, read_at)
            shards = final_shards or shards
        return self._summary(shards, plans, render)

    def _summary(self, shards, plans: dict[int, _AppPlan], render) -> dict:
        check = self.ctx.check_mode
        apps, changed = [], False
        before_view, after_view = {}, {}
        for index, item in sorted(plans.items()):
            # in check mode: the app as the plan would leave it; else as read back (or written) last
            app = self.apps.get(index)  # as read back (or written) last; in check mode as read
            shown = {**(item.current or {}), **item.plan.body} if check else app
            initial = self.initial.get(index)
            sp_id, sp_new = self._service_principal(index)
            app_changed = bool(item.plan.changed if check else index in self.written) or sp_new
            changed = changed or app_changed
            spa = list(((shown or {}).get("spa") or {}).get("redirectUris") or [])
            added, removed = _uri_changes(initial, shown)
            apps.append({
                "index": index, "unique_name": item.name,
                "display_name": (shown or {}).get("displayName"),
                "app_id": (app or item.current or {}).get("appId"),
                "object_id": (app or item.current or {}).get("id"),
                "service_principal_id": sp_id, "service_principal_created": sp_new and not check,
                "created": index in self.created or (check and item.current is None),
                "changed": app_changed,
                "sign_in_audience": (shown or {}).get("signInAudience"),
                "redirect_uri_count": redirect_uri_count(shown),
                "redirect_uri_limit": shards.apps[index]["limit"],
                "redirect_uris": spa,
                "gateways": list(shards.apps[index]["gateways"]),
                "redirect_uris_added": added,
                "redirect_uris_removed": removed,
                "app_roles": app_roles.roles_view((shown or {}).get("appRoles")),
                "app_roles_added": [r.get("value") for r in (shown or {}).get("appRoles") or []
                                    if r.get("value") not in {x.get("value") for x in (initial or {}).get("appRoles")
                                                              or []}],
                "resource_service_principals": self._consent_needs(shown, item.desired),
            })
            before_view[item.name] = _view(initial, render)
            after_view[item.name] = {**_view(shown, render), "service_principal": bool(sp_id or sp_new)}
        result = {
            "changed": changed,
            "tenant_id": self.ctx.tenant_id,
            "unique_name": self.base,
            "apps": apps,
            "gateway_apps": {name: shard_name(self.base, index) for name, index in sorted(shards.gateways.items())},
            "created": any(a["created"] for a in apps),
        }
        if self.ctx.diff:
            result["diff"] = {"before": before_view, "after": after_view}
        return result
