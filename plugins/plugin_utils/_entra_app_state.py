# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired vs current state of the shared app registration: what to write, and the diff. Pure logic, no I/O.

Lists (redirect URIs, permissions) compare as sets, so a different order is never a change; the current order
is kept and new entries are appended.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_roles import plan_roles
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_permissions import (
    Permission,
    from_required_resource_access,
    to_required_resource_access,
)

MANAGED_TAG = "wac.fleet:managed"
DEFAULT_SIGN_IN_AUDIENCE = "AzureADMyOrg"
APP_SELECT = ("id,appId,displayName,uniqueName,signInAudience,spa,web,publicClient,requiredResourceAccess,tags,"
              "appRoles")
PLATFORMS = ("spa", "web", "publicClient")
# How many redirect URIs one app registration may hold, by signInAudience (Microsoft identity platform docs,
# "Redirect URI (reply URL) restrictions": 256 for work or school accounts only, 100 when personal Microsoft accounts
# are allowed). The URIs of every platform (spa, web, publicClient) count together; PersonalMicrosoftAccount is not in
# the docs' table and gets the stricter 100 (UNCONFIRMED).
MAX_REDIRECT_URIS = {"AzureADMyOrg": 256, "AzureADMultipleOrgs": 256, "AzureADandPersonalMicrosoftAccount": 100,
                     "PersonalMicrosoftAccount": 100}


def redirect_uri_limit(sign_in_audience: str | None) -> int:
    return MAX_REDIRECT_URIS.get(sign_in_audience or DEFAULT_SIGN_IN_AUDIENCE, 100)


def redirect_uri_count(app: dict | None) -> int:
    """An app's redirect URIs on every platform together (one on two platforms counts twice, as Entra may)."""
    return sum(len(((app or {}).get(p) or {}).get("redirectUris") or []) for p in PLATFORMS)


@dataclasses.dataclass(frozen=True)
class DesiredApp:
    display_name: str | None = None
    sign_in_audience: str | None = None
    redirect_uris: tuple[str, ...] | None = None  # None: not managed
    platform: str = "spa"
    redirect_uris_mode: str = "additive"
    move_web_to_spa: bool = False
    permissions: tuple[Permission, ...] | None = None  # None: not managed
    permissions_mode: str = "additive"
    app_roles: tuple[dict, ...] | None = None  # checked by _entra_app_roles.normalize_roles; None: not managed
    role_key: str = ""  # what the stable IDs of new roles derive from (the unique name or app ID)
    tags: tuple[str, ...] = ()  # tags the app must carry besides MANAGED_TAG (added, never removed)


@dataclasses.dataclass
class AppPlan:
    create: bool
    body: dict  # the Graph body to write (create: the whole app; update: changed properties only)
    redirect_uris_added: list
    redirect_uris_removed: list
    before: dict
    after: dict
    app_roles_added: list = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.create or bool(self.body)


def _uris(app: dict | None, platform: str) -> list[str]:
    return list(((app or {}).get(platform) or {}).get("redirectUris") or [])


def _dedupe(items) -> list:
    seen, result = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


def plan_redirect_uris(spa: list[str], web: list[str], desired: DesiredApp) -> tuple[list, list, list, list]:
    """New (spa, web) lists and the per-platform URIs added and removed."""
    new = {"spa": _dedupe(spa), "web": _dedupe(web)}
    if desired.move_web_to_spa:
        new["spa"] = _dedupe(new["spa"] + new["web"])
        new["web"] = []
    if desired.redirect_uris is not None:
        platform = desired.platform
        requested = _dedupe(desired.redirect_uris)
        # Sets made once per list, not per URI: a fleet's apps hold hundreds of URIs each.
        if desired.redirect_uris_mode == "exclusive":
            wanted = set(requested)
            kept = [u for u in new[platform] if u in wanted]
            have = set(kept)
            new[platform] = kept + [u for u in requested if u not in have]
        else:
            have = set(new[platform])
            new[platform] = new[platform] + [u for u in requested if u not in have]
    added, removed = [], []
    for platform, old in (("spa", spa), ("web", web)):
        before, after = set(old), set(new[platform])
        added += [{"platform": platform, "uri": u} for u in new[platform] if u not in before]
        removed += [{"platform": platform, "uri": u} for u in _dedupe(old) if u not in after]
    return new["spa"], new["web"], added, removed


def plan_permissions(current_rra: list | None, desired: DesiredApp) -> list[Permission]:
    current = from_required_resource_access(current_rra)
    if desired.permissions is None:
        return current
    if desired.permissions_mode == "exclusive":
        return list(desired.permissions)
    keys = {p.key for p in current}
    return current + [p for p in desired.permissions if p.key not in keys]


def _complex_with_uris(current: dict | None, uris: list[str]) -> dict:
    """A spa/web object with new redirect URIs, keeping its other settings (redirectUriSettings is derived)."""
    value = {k: v for k, v in (current or {}).items() if k != "redirectUriSettings"}
    value["redirectUris"] = uris
    return value


def view(app: dict | None, permissions: list[Permission], render_permissions) -> dict:
    """The managed properties, as shown in ``diff``."""
    if app is None:
        return {}
    return {
        "display_name": app.get("displayName"),
        "sign_in_audience": app.get("signInAudience"),
        "redirect_uris": {"spa": sorted(_uris(app, "spa")), "web": sorted(_uris(app, "web"))},
        "required_resource_access": render_permissions(permissions),
        "app_roles": sorted(str(r.get("value")) for r in app.get("appRoles") or []),
    }


def plan_app(current: dict | None, desired: DesiredApp, *, unique_name: str | None = None,
             render_permissions=lambda perms: sorted(p.key for p in perms)) -> AppPlan:
    spa, web, added, removed = plan_redirect_uris(_uris(current, "spa"), _uris(current, "web"), desired)
    permissions = plan_permissions((current or {}).get("requiredResourceAccess"), desired)
    roles, roles_added = plan_roles((current or {}).get("appRoles"), desired.app_roles, desired.role_key)
    if current is None:
        body = {
            "displayName": desired.display_name or unique_name,
            "signInAudience": desired.sign_in_audience or DEFAULT_SIGN_IN_AUDIENCE,
            "spa": {"redirectUris": spa},
            "web": {"redirectUris": web},
            "requiredResourceAccess": to_required_resource_access(permissions),
            "tags": _dedupe([MANAGED_TAG, *desired.tags]),
        }
        if roles:
            body["appRoles"] = roles
        after = {**body, "uniqueName": unique_name}
        return AppPlan(True, body, added, removed, {}, view(after, permissions, render_permissions), roles_added)
    body: dict = {}
    if desired.display_name is not None and desired.display_name != current.get("displayName"):
        body["displayName"] = desired.display_name
    if desired.sign_in_audience is not None and desired.sign_in_audience != current.get("signInAudience"):
        body["signInAudience"] = desired.sign_in_audience
    if set(spa) != set(_uris(current, "spa")):
        body["spa"] = _complex_with_uris(current.get("spa"), spa)
    if set(web) != set(_uris(current, "web")):
        body["web"] = _complex_with_uris(current.get("web"), web)
    current_keys = {p.key for p in from_required_resource_access(current.get("requiredResourceAccess"))}
    if {p.key for p in permissions} != current_keys:
        body["requiredResourceAccess"] = to_required_resource_access(permissions)
    if roles is not None:
        body["appRoles"] = roles
    tags = list(current.get("tags") or [])
    missing_tags = [t for t in desired.tags if t not in tags]
    if missing_tags:
        body["tags"] = tags + missing_tags
    after = {**current, **body}
    before_perms = from_required_resource_access(current.get("requiredResourceAccess"))
    return AppPlan(False, body, added, removed, view(current, before_perms, render_permissions),
                   view(after, permissions, render_permissions), roles_added)


def is_managed(app: dict) -> bool:
    return MANAGED_TAG in (app.get("tags") or [])
