# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A gateway's Azure registration: what it should be and whether the facts read from it already say so.

Shared by wac.fleet.gateway_registration (which writes) and the wac.fleet.registration_pending filter (which picks,
on the controller, the gateways a fleet run still has to visit). The gateway's answer holds its cloud (WAC's own
name: "Azure Global", "Azure China", "Azure US Gov"), tenant and app (client) ID, nothing else (the SDK's
AadAppConfig), so those three are compared; the redirect URI and the service principal's object ID are written with
every registration but cannot be read back. A gateway registered by an earlier version of this collection holds a
cloud name WAC does not use ("AzureCloud"), so the next run registers it once again, correctly.
"""

from __future__ import annotations

from ._errors import WacFleetError
from ._gateway_adapters import same_cloud, wac_cloud_name

COMPARED = ("cloud", "tenant_id", "app_id")


class RegistrationError(WacFleetError):
    """The gateway's registration cannot be read or written; ``changed`` says whether a request got through."""


def desired(facts: dict, cloud: str, tenant_id: str, app_id: str, app_object_id: str | None = None,
            redirect_uri: str | None = None) -> dict:
    """The registration wanted: WAC's name of ``cloud``; the redirect URI defaults to the gateway's URL."""
    return {"cloud": wac_cloud_name(cloud), "tenant_id": tenant_id.lower(), "app_id": app_id.lower(),
            "app_object_id": (app_object_id or "").lower() or None,
            "redirect_uri": redirect_uri or facts["gateway_url"]}


def matches(current: dict, wanted: dict | None) -> bool:
    """Whether the registration read (``current``) is ``wanted`` (None: unregistered)."""
    if wanted is None:
        return not current.get("registered")
    if current.get("interrupted"):  # the registration marker: an earlier run stopped between its two writes
        return False
    return (bool(current.get("registered")) and same_cloud(current.get("cloud"), wanted["cloud"])
            and current.get("tenant_id") == wanted["tenant_id"] and current.get("app_id") == wanted["app_id"])


def view(current: dict) -> dict:
    """The registration as a diff shows it; {} when unregistered."""
    if not current.get("registered"):
        return {}
    return {key: current.get(key) for key in COMPARED}
