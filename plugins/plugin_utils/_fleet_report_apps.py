# Copyright: wac.fleet contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's view of the Entra apps: each app's redirect-URI count against its limit, the app each gateway
registers to, and each gateway's end-to-end check - its redirect URIs are in its app, the app's admin consent is
granted, and the gateway says it is registered to that app. Fed with task results by FleetReport; pure logic."""

from __future__ import annotations

CHECKS = ("redirect_uri", "consent", "registered")


def _consent_granted(result: dict) -> bool:
    states = result.get("consent") or []
    return all(not s.get("missing_scopes") and not s.get("missing_roles") for s in states)


class FleetApps:
    def __init__(self) -> None:
        self.apps: dict[str, dict] = {}  # unique name ("" for an existing app used as is) -> the app
        self.gateway_apps: dict[str, str] = {}
        self.consent: dict[str, bool | None] = {}  # app ID -> granted (None: the consent task failed)

    @property
    def known(self) -> bool:
        return bool(self.apps)

    def record(self, action: str, status: str, result: dict) -> None:
        if status not in ("ok", "changed", "failed", "ignored"):
            return
        succeeded = status in ("ok", "changed")
        if action == "entra_fleet_apps" and succeeded:
            self.gateway_apps = dict(result.get("gateway_apps") or {})
            self.apps = {a["unique_name"]: {
                "unique_name": a["unique_name"], "app_id": a.get("app_id"),
                "redirect_uris": set(a.get("redirect_uris") or []), "redirect_uri_count": a.get("redirect_uri_count"),
                "redirect_uri_limit": a.get("redirect_uri_limit"), "gateways": len(a.get("gateways") or [])}
                for a in result.get("apps") or []}
        elif action == "entra_app_info" and succeeded and result.get("app"):
            app = result["app"]
            spa = ((app.get("redirect_uris") or {}).get("spa")) or []
            self.apps = {"": {"unique_name": "", "app_id": app.get("app_id"), "redirect_uris": set(spa),
                              "redirect_uri_count": None, "redirect_uri_limit": None, "gateways": None}}
        elif action == "entra_admin_consent":
            for item in result.get("results") or [result]:
                if item.get("skipped") or not item.get("app_id"):
                    continue
                self.consent[item["app_id"]] = None if item.get("failed") else _consent_granted(item)

    def app_of(self, host: str) -> dict | None:
        name = self.gateway_apps.get(host)
        if name in self.apps:
            return self.apps[name]
        return next(iter(self.apps.values()), None)

    def check(self, row: dict) -> tuple[str | None, dict]:
        """(the gateway's app ID, {check: True / False / None (not known)})."""
        app = self.app_of(row["host"])
        if app is None or row["generation"] is None:
            return None, {}
        uris = set(row["redirect_uris"])
        checks = {
            "redirect_uri": bool(uris) and uris <= app["redirect_uris"],
            "consent": self.consent.get(app["app_id"]) if app["app_id"] in self.consent else None,
            "registered": None if row.get("registered_app_id") is None and not row.get("registration_read")
            else bool(app["app_id"]) and row.get("registered_app_id") == app["app_id"],
        }
        return app["app_id"], checks

    def summary(self) -> list[dict]:
        return [{k: v for k, v in app.items() if k != "redirect_uris"} for _n, app in sorted(self.apps.items())]


def check_text(checks: dict) -> str | None:
    """"ok", or the checks that failed ("failed: consent, registered"), or those not known ("unknown: consent")."""
    if not checks:
        return None
    failed = [c for c in CHECKS if checks.get(c) is False]
    unknown = [c for c in CHECKS if checks.get(c) is None]
    if failed:
        return "failed: " + ", ".join(failed)
    if unknown:
        return "unknown: " + ", ".join(unknown)
    return "ok"
