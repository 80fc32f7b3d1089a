# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A gateway's Azure registration: what it should be and whether the facts read from it already say so.

Shared by wac.fleet.gateway_registration (which writes) and the wac.fleet.registration_pending filter (which picks,
on the controller, the gateways a fleet run still has to visit).
"""

from __future__ import annotations

COMPARED = ("cloud", "tenant_id", "app_id", "app_object_id", "redirect_uri")


def desired(facts: dict, cloud: str, tenant_id: str, app_id: str, app_object_id: str | None = None,
            redirect_uri: str | None = None) -> dict:
    """The registration wanted; the app's object ID and the redirect URI default to what the gateway has."""
    current = facts.get("registration") or {}
    return {"cloud": cloud, "tenant_id": tenant_id, "app_id": app_id,
            "app_object_id": app_object_id or current.get("app_object_id"),
            "redirect_uri": redirect_uri or facts["gateway_url"]}


def matches(current: dict, wanted: dict | None) -> bool:
    """Whether the registration read (``current``) is ``wanted`` (None: unregistered)."""
    if wanted is None:
        return not current.get("registered")
    return bool(current.get("registered")) and all(current.get(k) == wanted[k] for k in COMPARED)


def view(current: dict) -> dict:
    """The registration as a diff shows it; {} when unregistered."""
    if not current.get("registered"):
        return {}
    return {key: current.get(key) for key in COMPARED}
