# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything that differs between the three Windows Admin Center gateway generations, in one place.

The PowerShell scripts are generic: they read and write registry values, JSON settings files, services and
the gateway's REST API as told by the JSON input built here. A fact marked UNCONFIRMED below (see
docs/gateway.md) lives only in this file, so a correction is one edit.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

CLASSIC_SERVER = "classic_server"
CLASSIC_DESKTOP = "classic_desktop"
MODERN = "modern"
GENERATIONS = (CLASSIC_SERVER, CLASSIC_DESKTOP, MODERN)

# Clouds the WAC registration UI offers (Azure Germany closed in 2021).
CLOUDS = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment")

_CLASSIC_KEY = r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway"
_MODERN_DIR = r"%ProgramFiles%\WindowsAdminCenter\Service"

# Where each generation keeps its settings: read by the gateway_info script, written by gateway_proxy_write.
# kind "registry": values of one key; kind "json": dotted paths in one JSON file.
STORES = (
    {
        "id": "classic",
        "kind": "registry",
        "location": _CLASSIC_KEY,
        "fields": {"port": "SmePort", "version": "Version", "install_dir": "InstallDir", "proxy": "Proxy"},
        "protected_member": "protectedData2",
        "rest_root": "/api/gateway/aad",
        "rest_read": "/appInfo",  # UNCONFIRMED: verb and body shape of appInfo
    },
    {
        "id": "modern",
        "kind": "json",
        "location": _MODERN_DIR + r"\appsettings.json",
        "fields": {
            "port": "WindowsAdminCenter.Hosting.Port",  # UNCONFIRMED path (Get-WACHttpsPorts reads it)
            "endpoint_fqdn": "WindowsAdminCenter.Hosting.EndpointFqdn",  # UNCONFIRMED path (Get-WACEndpointFqdn)
            "proxy": "WindowsAdminCenter.Http.Proxy",
        },
        "version_file": _MODERN_DIR + r"\WindowsAdminCenter.exe",  # UNCONFIRMED file name
        "protected_member": "ProtectedData",  # UNCONFIRMED: format of the protected credentials
        "rest_root": "/api/aad",
        "rest_read": "/appInfo",
    },
)
_STORE_BY_ID = {store["id"]: store for store in STORES}

# The collection's own marker, outside WAC's settings (not UNCONFIRMED: wac.fleet owns this key). The proxy write
# sets it (value: the UTC time of the write) on a gateway whose proxy change needs a restart; a successful start or
# restart of all its services clears it. A run stopped between the two leaves it set, so the next run restarts.
RESTART_MARKER = {"location": r"HKLM:\SOFTWARE\wac.fleet", "name": "GatewayRestartPending"}

ALL_SERVICES = ("ServerManagementGateway", "WindowsAdminCenter", "WindowsAdminCenterAccountManagement")
ALL_PROCESSES = ("SmeDesktop",)


class AdapterError(ValueError):
    """The readings do not describe a gateway this collection knows."""


@dataclasses.dataclass(frozen=True)
class GatewayAdapter:
    generation: str
    label: str
    store_id: str
    services: tuple[str, ...]  # in start order; stopped in reverse
    process: str | None
    default_port: int
    # names of the proxy document's members in this generation's store
    proxy_members: dict

    @property
    def store(self) -> dict:
        return _STORE_BY_ID[self.store_id]

    @property
    def rest_root(self) -> str:
        return self.store["rest_root"]

    @property
    def restart_supported(self) -> bool:
        return bool(self.services)

    @property
    def restart_marker(self) -> dict | None:
        """Where the scripts set, clear and read the restart-pending marker; None when nothing restarts (desktop)."""
        return dict(RESTART_MARKER) if self.restart_supported else None

    # --- URLs -----------------------------------------------------------------------------------------------
    def gateway_url(self, fqdn: str, port: int, endpoint_fqdn: str | None = None) -> str:
        if self.generation == CLASSIC_DESKTOP:
            return f"https://localhost:{port}"
        host = (endpoint_fqdn or fqdn).lower()
        return f"https://{host}" if port == 443 else f"https://{host}:{port}"

    def redirect_uris(self, fqdn: str, port: int, endpoint_fqdn: str | None = None) -> list[str]:
        """The redirect URIs this gateway needs in the shared app (SPA platform)."""
        if self.generation == CLASSIC_DESKTOP:
            # The seed procedure adds both so that every desktop gateway can share one app ID.
            return [f"https://localhost:{port}", f"http://localhost:{port}"]
        return [self.gateway_url(fqdn, port, endpoint_fqdn)]

    def local_base_url(self, port: int) -> str:
        """Where scripts on the PC reach this gateway's REST API."""
        return f"https://localhost:{port}"

    # --- proxy ----------------------------------------------------------------------------------------------
    def proxy_from_store(self, document, credentials) -> dict | None:
        """Normalise the stored proxy document (as read by the info script) to the collection's shape."""
        if not isinstance(document, dict):
            return None
        names = self.proxy_members
        address = document.get(names["address"])
        if not address:
            return None
        bypass = document.get(names["bypass_list"]) or []
        if isinstance(bypass, str):
            bypass = [b for b in bypass.replace(",", ";").split(";") if b]
        credentials = credentials or {}
        return {
            "address": address,
            "bypass_on_local": bool(document.get(names["bypass_on_local"], False)),
            "bypass_list": list(bypass),
            "credentials_set": bool(credentials.get("set")),
            "username": credentials.get("username"),
        }

    def proxy_document(self, desired: dict) -> dict:
        """The members the proxy write script sets (credentials are protected on the PC by the script)."""
        names = self.proxy_members
        return {
            names["address"]: desired["address"],
            names["bypass_on_local"]: desired["bypass_on_local"],
            names["bypass_list"]: list(desired["bypass_list"]),
        }

    def proxy_write_target(self) -> dict:
        store = self.store
        return {
            "kind": store["kind"],
            "location": store["location"],
            "field": store["fields"]["proxy"],
            "protected_member": store["protected_member"],
        }

    # --- registration (gateway REST API; UNCONFIRMED except writeAppInfo, see docs/gateway.md) ----------------
    def registration_from_rest(self, response) -> dict:
        """The collection's registration shape from the appInfo answer: {registered, cloud, tenant_id, ...}."""
        if not isinstance(response, dict) or response.get("status") != 200:
            return {"readable": False, "registered": None, "error": _rest_error(response)}
        body = response.get("body") if isinstance(response.get("body"), dict) else {}
        props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
        app_id = props.get("clientId")
        if not app_id:
            return {"readable": True, "registered": False, "cloud": None, "tenant_id": None, "app_id": None,
                    "app_object_id": None, "redirect_uri": None}
        return {
            "readable": True,
            "registered": True,
            "cloud": props.get("cloudName"),
            "tenant_id": (props.get("tenantId") or "").lower() or None,
            "app_id": app_id.lower(),
            "app_object_id": (props.get("appObjectId") or "").lower() or None,
            "redirect_uri": props.get("redirectUri"),
        }

    def registration_requests(self, desired: dict) -> list[dict]:
        root = self.rest_root
        requests = [{
            "method": "PUT",
            "path": f"{root}/cloudName/{quote(desired['cloud'], safe='')}/application",
            "body": {"properties": {"tenantId": desired["tenant_id"], "clientId": desired["app_id"]}},
        }]
        # NAA's second write (confirmed for the classic root): the redirect URI and the app's object ID.
        requests.append({
            "method": "PUT",
            "path": f"{root}/writeAppInfo",
            "body": {"properties": {"redirectUri": desired["redirect_uri"],
                                    "appObjectId": desired.get("app_object_id")}},
        })
        return requests

    def unregistration_requests(self) -> list[dict]:
        return [{"method": "DELETE", "path": f"{self.rest_root}/application", "body": None}]


def _rest_error(response) -> str:
    if not isinstance(response, dict):
        return "no answer"
    if response.get("error"):
        return str(response["error"])
    return f"HTTP {response.get('status')}"


_CLASSIC_PROXY = {"address": "address", "bypass_on_local": "bypassOnLocal", "bypass_list": "bypassList"}
_MODERN_PROXY = {"address": "Address", "bypass_on_local": "BypassOnLocal", "bypass_list": "BypassList"}

ADAPTERS = {
    CLASSIC_SERVER: GatewayAdapter(CLASSIC_SERVER, "Windows Admin Center (classic, server mode)", "classic",
                                   ("ServerManagementGateway",), None, 443, _CLASSIC_PROXY),
    CLASSIC_DESKTOP: GatewayAdapter(CLASSIC_DESKTOP, "Windows Admin Center (classic, desktop mode)", "classic",
                                    (), "SmeDesktop", 6516, _CLASSIC_PROXY),
    MODERN: GatewayAdapter(MODERN, "Windows Admin Center (modernized, v2)", "modern",
                           ("WindowsAdminCenterAccountManagement", "WindowsAdminCenter"), None, 443, _MODERN_PROXY),
}


def adapter_for(generation: str) -> GatewayAdapter:
    try:
        return ADAPTERS[generation]
    except KeyError:
        known = ", ".join(GENERATIONS)
        raise AdapterError(f"unknown gateway generation {generation!r}; expected one of {known}") from None


def info_script_input() -> dict:
    """What the gateway_info script reads: every generation's stores, services and processes."""
    return {"stores": list(STORES), "services": list(ALL_SERVICES), "processes": list(ALL_PROCESSES),
            "restart_marker": dict(RESTART_MARKER)}


def detect_generation(readings: dict) -> str:
    """Decide the generation from the raw readings of the gateway_info script."""
    stores = readings.get("stores") or {}
    services = readings.get("services") or {}
    if (stores.get("modern") or {}).get("found") and services.get("WindowsAdminCenter"):
        return MODERN
    if (stores.get("classic") or {}).get("found"):
        return CLASSIC_SERVER if services.get("ServerManagementGateway") else CLASSIC_DESKTOP
    raise AdapterError(
        "no Windows Admin Center gateway found on this host: neither the registry key "
        f"{_CLASSIC_KEY} nor {STORES[1]['location']} with the WindowsAdminCenter service exists"
    )


def _as_port(value, default: int) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        return default
    return port if 0 < port < 65536 else default


def describe(readings: dict) -> dict:
    """Turn the info script's raw readings into the gateway_info result (``ansible_facts.wac_gateway``)."""
    generation = detect_generation(readings)
    adapter = ADAPTERS[generation]
    store = readings["stores"][adapter.store_id]
    values = store.get("values") or {}
    port = _as_port(values.get("port"), adapter.default_port)
    fqdn = (readings.get("fqdn") or "").lower()
    endpoint_fqdn = values.get("endpoint_fqdn") or None
    services = readings.get("services") or {}
    service_states = [
        {"name": name, "state": (services.get(name) or {}).get("status")} for name in adapter.services
    ]
    if adapter.services:
        primary = adapter.services[-1]
        service_name, service_state = primary, (services.get(primary) or {}).get("status")
    else:
        running = bool((readings.get("processes") or {}).get(adapter.process))
        service_name, service_state = None, None
        process_state = "Running" if running else "NotRunning"
    registration = adapter.registration_from_rest(store.get("registration"))
    result = {
        "generation": generation,
        "generation_label": adapter.label,
        "version": values.get("version") or store.get("file_version"),
        "service_name": service_name,
        "service_state": service_state,
        "services": service_states,
        "restart_supported": adapter.restart_supported,
        # A proxy written by an earlier run that stopped before the gateway was restarted.
        "restart_pending": adapter.restart_supported and bool((readings.get("restart_marker") or {}).get("set")),
        "port": port,
        "fqdn": fqdn,
        "gateway_url": adapter.gateway_url(fqdn, port, endpoint_fqdn),
        "redirect_uris": adapter.redirect_uris(fqdn, port, endpoint_fqdn),
        "rest_root": adapter.rest_root,
        "proxy": adapter.proxy_from_store(values.get("proxy"), store.get("proxy_credentials")),
        "registration": registration,
    }
    if not adapter.services:
        result["process_name"] = adapter.process + ".exe"
        result["process_state"] = process_state
    return result
