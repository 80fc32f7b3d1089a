# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which app of the fleet a gateway registers to, from the fact ``entra_app_shared`` the entra_app role publishes,
and the gateways' redirect URIs from their ``wac_gateway`` facts. Shared by the filters gateway_app, fleet_gateways
and registration_pending. Pure logic."""

from __future__ import annotations

from collections.abc import Mapping

APP_KEYS = ("unique_name", "app_id", "object_id", "service_principal_id")


def app_of(shared, host: str) -> dict:
    """The app ``host`` registers to: its app in ``shared["gateway_apps"]``, else the fleet's first app, else the IDs
    at the top of ``shared`` (an existing app used as is); {} when there is none."""
    if not isinstance(shared, Mapping):
        return {}
    apps = [a for a in shared.get("apps") or [] if isinstance(a, Mapping)]
    name = (shared.get("gateway_apps") or {}).get(host)
    chosen = next((a for a in apps if name is not None and a.get("unique_name") == name), None)
    if chosen is None and apps:
        chosen = apps[0]
    if chosen is None:
        chosen = shared
    return {key: chosen.get(key) or "" for key in APP_KEYS}


def registration_of(shared, host: str, template) -> dict:
    """What ``host`` registers with, from the raw fact ``shared`` (entra_app_shared as the host's variables hold it,
    not templated): ``tenant_id``, ``app_id``, ``service_principal_id`` and ``failure`` (why the Entra step failed,
    '' when it did not). Only these leaves go through ``template``, so a gateway costs one lookup in
    ``gateway_apps`` whatever the fleet's size (templating the whole fact, 10,000 gateways' apps, for each gateway
    made the registration step grow with the square of the fleet)."""
    if not isinstance(shared, Mapping):
        return {"tenant_id": "", "app_id": "", "service_principal_id": "", "failure": ""}
    app = app_of(shared, host)
    return {"tenant_id": str(template(shared.get("tenant_id") or "") or ""),
            "app_id": str(template(app["app_id"]) or ""),
            "service_principal_id": str(template(app["service_principal_id"]) or ""),
            "failure": str(template(shared.get("failure") or "") or "")}


def gateway_entry(name: str, facts) -> dict | None:
    """A gateway as wac.fleet.entra_fleet_apps takes it, from its wac_gateway facts; None without facts."""
    if not isinstance(facts, Mapping):
        return None
    registration = facts.get("registration") or {}
    registered = registration.get("app_id") if registration.get("registered") else None
    return {"name": name, "redirect_uris": list(facts.get("redirect_uris") or []), "registered_app_id": registered}
