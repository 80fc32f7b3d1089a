# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything that differs between the three Windows Admin Center gateway generations, in one place.

The PowerShell scripts are generic: they read and write registry values, JSON settings files, services and the
gateway's REST API as told by the JSON input built here. Every WAC fact used here comes from the table of
``_gateway_facts.py`` (with its source and status), so a correction is one row there.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from ._errors import WacFleetError
from ._gateway_facts import value as fact

CLASSIC_SERVER = "classic_server"
CLASSIC_DESKTOP = "classic_desktop"
MODERN = "modern"
GENERATIONS = (CLASSIC_SERVER, CLASSIC_DESKTOP, MODERN)

# The clouds WAC offers, as the collection's options name them (the names of Azure CLI and the Entra plugins), and
# the names WAC itself stores and expects.
WAC_CLOUD_NAMES: dict[str, str] = dict(fact("rest.cloud_names"))
CLOUDS = tuple(WAC_CLOUD_NAMES)

_CLASSIC_KEY = fact("v1.registry_key")
_APPSETTINGS = fact("v2.appsettings")

# Where each generation keeps its settings: read by the gateway_info script, written by gateway_proxy_write.
# kind "registry": values of one key; kind "json": dotted paths in one JSON file. "port_fields" are the fields the
# script reads the port from (a number, or a URL whose port follows its last ':', as CFG's Get-WACHttpsPorts reads
# it), in order; "credential_members" are the proxy document's credential members, never returned by the read.
STORES = (
    {
        "id": "classic",
        "kind": "registry",
        "location": _CLASSIC_KEY,
        "fields": {"port": fact("v1.port_value"), "version": fact("v1.version_value"),
                   "install_dir": fact("v1.install_dir_value"), "proxy": fact("v1.proxy_value"),
                   "client_certificate": fact("v1.client_certificate_value")},
        "port_fields": ["port"],
        "default_port": None,
        "credential_members": [fact("v1.proxy_members")[3]],
        "rest": {"root": fact("v1.rest_root"), "read": "/appInfo",
                 # desktop mode (the v1 key without the v1 service) answers only to its client certificate
                 "certificate_unless_service": fact("v1.service"),
                 "certificate": {"field": "client_certificate", "stores": list(fact("v1.client_certificate_stores"))}},
    },
    {
        "id": "modern",
        "kind": "json",
        "location": _APPSETTINGS,
        "fields": {"kestrel_url": fact("v2.port_path"), "http_sys_urls": fact("v2.port_fallback_path"),
                   "endpoint_fqdn": fact("v2.endpoint_fqdn_path"), "service_fqdn": fact("v2.service_fqdn_path"),
                   "version": fact("v2.version_path"), "login_mode": fact("v2.login_mode_path"),
                   "proxy": fact("v2.proxy_path")},
        "port_fields": ["kestrel_url", "http_sys_urls"],
        "default_port": fact("v2.default_port"),
        "credential_members": list(fact("v2.proxy_members")[3:]),
        "version_file": fact("v2.version_file"),
        "rest": {"root": fact("v2.rest_root"), "read": "/appInfo"},
    },
)
_STORE_BY_ID = {store["id"]: store for store in STORES}

# The collection's own marker, outside WAC's settings (not a WAC fact: wac.fleet owns this key). The proxy write
# sets it (value: the UTC time of the write) on a gateway whose proxy change needs a restart; a successful start or
# restart of the gateway's services clears it. A run stopped between the two leaves it set, so the next run restarts.
RESTART_MARKER = {"location": r"HKLM:\SOFTWARE\wac.fleet", "name": "GatewayRestartPending"}
# Likewise for the registration, whose two writes (NAA) cannot be read back whole (appInfo holds no redirect URI or
# object ID): set before the first write, cleared after the last; a run stopped in between leaves it, and the next
# run registers that gateway again instead of taking the half-written registration for done.
REGISTRATION_MARKER = {"location": r"HKLM:\SOFTWARE\wac.fleet", "name": "RegistrationPending"}

ALL_SERVICES = (fact("v1.service"), fact("v2.service"), fact("v2.account_management_service"))
ALL_PROCESSES = (fact("v1.desktop_process"),)
PLAINTEXT_PREFIX = fact("v2.proxy_credentials_form")


class AdapterError(WacFleetError, ValueError):
    """The readings do not describe a gateway this collection knows."""


@dataclasses.dataclass(frozen=True)
class GatewayAdapter:
    generation: str
    label: str
    store_id: str
    services: tuple[str, ...]  # the services a restart restarts, in start order; stopped in reverse
    observed_services: tuple[str, ...]  # every service of the generation the read reports
    process: str | None
    default_port: int
    proxy_members: dict  # names of the proxy document's members in this generation's store
    rest_auth: str  # "windows" or "client_certificate"
    xsrf_cookies: tuple[str, ...]
    writes_proxy_credentials: bool

    @property
    def store(self) -> dict:
        return _STORE_BY_ID[self.store_id]

    @property
    def rest_root(self) -> str:
        return self.store["rest"]["root"]

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
    def proxy_from_store(self, document, credentials, service_fqdn: str | None = None) -> dict | None:
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
        bypass = [entry for entry in bypass if not _same_host(entry, service_fqdn)]
        credentials = credentials or {}
        return {
            "address": address,
            "bypass_on_local": bool(document.get(names["bypass_on_local"], False)),
            "bypass_list": list(bypass),
            "credentials_set": bool(credentials.get("set")),
            "username": credentials.get("username"),
            "credentials_form": credentials.get("form"),
        }

    def proxy_document(self, desired: dict, service_fqdn: str | None = None) -> dict:
        """The members the proxy write script sets. v2 keeps its ServiceFqdn in the bypass list, as
        Set-WACEndpointFqdn puts it there (CFG); the credential members are set by the script."""
        names = self.proxy_members
        bypass = list(desired["bypass_list"])
        if self.generation == MODERN and service_fqdn and not any(_same_host(b, service_fqdn) for b in bypass):
            bypass.append(service_fqdn)
        return {
            names["address"]: desired["address"],
            names["bypass_on_local"]: desired["bypass_on_local"],
            names["bypass_list"]: bypass,
        }

    def proxy_write_target(self) -> dict:
        store = self.store
        target = {
            "kind": store["kind"],
            "location": store["location"],
            "field": store["fields"]["proxy"],
            "credential_members": list(store["credential_members"]),
        }
        if self.generation == MODERN:
            # Set-WACProxy's form (CFG); the file is rewritten in place at CFG's depth, keeping its ACL.
            target.update(plaintext_member="Credentials", protected_member="ProtectedData",
                          plaintext_prefix=PLAINTEXT_PREFIX, json_depth=fact("v2.appsettings_json_depth"))
        return target

    # --- the gateway's REST API -----------------------------------------------------------------------------
    def rest_auth_input(self, credentials: dict | None) -> dict:
        """How the scripts on the PC authenticate to this gateway: its client certificate (desktop mode), the
        logon's default credentials, or the user name and password given (sent on stdin, never in the script)."""
        if self.rest_auth == "client_certificate":
            cert = self.store["rest"]["certificate"]
            return {"kind": "certificate", "registry_key": self.store["location"],
                    "value": self.store["fields"][cert["field"]], "stores": list(cert["stores"])}
        if credentials:
            return {"kind": "explicit", "username": credentials["username"], "password": credentials["password"]}
        return {"kind": "default"}

    def rest_request_input(self, port: int, requests: list[dict], credentials: dict | None) -> dict:
        """The gateway_rest script's input: first a read (which gets the XSRF cookie), then ``requests``."""
        return {
            "base_url": self.local_base_url(port),
            "auth": self.rest_auth_input(credentials),
            "user_agent": fact("rest.user_agent"),
            "xsrf": {"header": fact("rest.xsrf_header"), "cookies": list(self.xsrf_cookies)},
            "read_first": f"{self.rest_root}/appInfo",
            "requests": requests,
            "marker": dict(REGISTRATION_MARKER) if any(r["method"] != "GET" for r in requests) else None,
        }

    def registration_from_rest(self, response) -> dict:
        """The collection's registration shape from the appInfo answer: {readable, registered, cloud, ...}.

        The fields are those of the SDK's AadAppConfig (cloudName, tenant, tenantId, clientId, appId, ...), under
        ``properties`` or at the top (which of the two is UNCONFIRMED); there is no redirect URI or object ID."""
        if not isinstance(response, dict) or response.get("status") != 200:
            return {"readable": False, "registered": None, "error": _rest_error(response),
                    "status": response.get("status") if isinstance(response, dict) else None}
        body = response.get("body") if isinstance(response.get("body"), dict) else {}
        props = body.get("properties") if isinstance(body.get("properties"), dict) else body
        app_id = props.get("clientId") or props.get("appId")
        if not app_id:
            return {"readable": True, "registered": False, "cloud": None, "tenant_id": None, "app_id": None}
        return {
            "readable": True,
            "registered": True,
            "cloud": props.get("cloudName"),
            "tenant_id": (props.get("tenantId") or props.get("tenant") or "").lower() or None,
            "app_id": str(app_id).lower(),
        }

    def registration_requests(self, desired: dict) -> list[dict]:
        """NAA's two writes: the app (cloud in the path, WAC's cloud name) and the app info (redirect URI and the
        service principal's object ID)."""
        root = self.rest_root
        properties = {"tenant": desired["tenant_id"], "tenantId": desired["tenant_id"], "clientId": desired["app_id"]}
        app_info = {"redirectUri": desired["redirect_uri"]}
        if desired.get("app_object_id"):
            app_info["appObjectId"] = desired["app_object_id"]
        return [
            {"method": "PUT", "path": f"{root}/cloudName/{quote(desired['cloud'], safe='')}/application",
             "body": {"properties": properties}},
            {"method": "PUT", "path": f"{root}/writeAppInfo", "body": {"properties": app_info}},
        ]

    def unregistration_requests(self) -> list[dict]:
        return [{"method": "DELETE", "path": f"{self.rest_root}/application", "body": None}]


def _same_host(entry: str, host: str | None) -> bool:
    return bool(host) and entry.lower().rstrip(".") == host.lower().rstrip(".")


def _rest_error(response) -> str:
    if not isinstance(response, dict):
        return "no answer"
    if response.get("error"):
        return str(response["error"])
    return f"HTTP {response.get('status')}"


def wac_cloud_name(cloud: str) -> str:
    """WAC's own name of a cloud (``Azure Global``) from the collection's (``AzureCloud``) or WAC's name."""
    if cloud in WAC_CLOUD_NAMES:
        return WAC_CLOUD_NAMES[cloud]
    for name in WAC_CLOUD_NAMES.values():
        if same_cloud(cloud, name):
            return name
    raise AdapterError(f"unknown cloud {cloud!r}; expected one of {', '.join(CLOUDS)}")


def same_cloud(stored, wanted: str) -> bool:
    """Cloud names compared as the WAC SDK compares them (getArmEndpoint: spaces removed, case ignored)."""
    def norm(name) -> str:
        return str(name or "").replace(" ", "").lower()

    return bool(stored) and norm(stored) == norm(wanted)


_CLASSIC_PROXY = dict(zip(("address", "bypass_on_local", "bypass_list"), fact("v1.proxy_members")[:3], strict=True))
_MODERN_PROXY = dict(zip(("address", "bypass_on_local", "bypass_list"), fact("v2.proxy_members")[:3], strict=True))

ADAPTERS = {
    CLASSIC_SERVER: GatewayAdapter(
        CLASSIC_SERVER, "Windows Admin Center (classic, server mode)", "classic", (fact("v1.service"),),
        (fact("v1.service"),), None, fact("v1.server_port"), _CLASSIC_PROXY, "windows", fact("v1.xsrf_cookies"),
        False),
    CLASSIC_DESKTOP: GatewayAdapter(
        CLASSIC_DESKTOP, "Windows Admin Center (classic, desktop mode)", "classic", (), (),
        fact("v1.desktop_process"), fact("v1.desktop_port"), _CLASSIC_PROXY, fact("v1.rest_auth_desktop"),
        fact("v1.xsrf_cookies"), False),
    MODERN: GatewayAdapter(
        MODERN, "Windows Admin Center (modernized, v2)", "modern", tuple(fact("v2.restart")),
        (fact("v2.service"), fact("v2.account_management_service")), None, fact("v2.default_port"), _MODERN_PROXY,
        "windows", fact("v2.xsrf_cookies"), True),
}


def adapter_for(generation: str) -> GatewayAdapter:
    try:
        return ADAPTERS[generation]
    except KeyError:
        known = ", ".join(GENERATIONS)
        raise AdapterError(f"unknown gateway generation {generation!r}; expected one of {known}") from None


def info_script_input(credentials: dict | None = None) -> dict:
    """What the gateway_info script reads: every generation's stores, services and processes; ``credentials``
    (user name and password for the registration read) only when the caller sends this input on stdin."""
    data = {"stores": list(STORES), "services": list(ALL_SERVICES), "processes": list(ALL_PROCESSES),
            "markers": {"restart": dict(RESTART_MARKER), "registration": dict(REGISTRATION_MARKER)},
            "user_agent": fact("rest.user_agent")}
    if credentials:
        data["credentials"] = {"username": credentials["username"], "password": credentials["password"]}
    return data


def detect_generation(readings: dict) -> str:
    """Decide the generation from the raw readings of the gateway_info script."""
    stores = readings.get("stores") or {}
    services = readings.get("services") or {}
    if (stores.get("modern") or {}).get("found") and services.get(fact("v2.service")):
        return MODERN
    if (stores.get("classic") or {}).get("found"):
        return CLASSIC_SERVER if services.get(fact("v1.service")) else CLASSIC_DESKTOP
    raise AdapterError(
        "no Windows Admin Center gateway found on this host: neither the registry key "
        f"{_CLASSIC_KEY} nor {_APPSETTINGS} with the {fact('v2.service')} service exists"
    )


def port_of(value) -> int | None:
    """A port from a number, or from a URL as CFG's Get-WACHttpsPorts reads it (after the last ':'); for a list of
    URLs (HttpSysUrls), the first that gives one."""
    if isinstance(value, list):
        for item in value:
            port = port_of(item)
            if port:
                return port
        return None
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip().rstrip("/")
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    try:
        port = int(text)
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


# The fact behind each place a port comes from (gateway_info reports it as ``port_source``, and the errors say it).
PORT_FIELD_FACTS = {"port": "v1.port_value", "kestrel_url": "v2.port_path", "http_sys_urls": "v2.port_fallback_path"}
DEFAULT_PORT_FACTS = {CLASSIC_SERVER: "v1.server_port", CLASSIC_DESKTOP: "v1.desktop_port", MODERN: "v2.default_port"}


def _port(adapter: GatewayAdapter, values: dict) -> tuple[int, dict]:
    """The port, and where it came from: {fact, setting, value} (the setting that gave it, or the default)."""
    for field in adapter.store["port_fields"]:
        port = port_of(values.get(field))
        if port:
            return port, {"fact": PORT_FIELD_FACTS[field], "setting": adapter.store["fields"][field],
                          "value": values.get(field)}
    tried = [adapter.store["fields"][field] for field in adapter.store["port_fields"]]
    return adapter.default_port, {"fact": DEFAULT_PORT_FACTS[adapter.generation], "setting": None,
                                  "value": adapter.default_port, "not_set": tried}


def describe_port_source(source: dict | None) -> str:
    """Where a port came from, in words, with the fact id (for error messages)."""
    if not source:
        return ""
    if source.get("setting"):
        return f"port from {source['setting']} (fact {source['fact']})"
    return f"default port (fact {source['fact']}): {' and '.join(source.get('not_set') or [])} not set"


def describe(readings: dict) -> dict:
    """Turn the info script's raw readings into the gateway_info result (``ansible_facts.wac_gateway``)."""
    generation = detect_generation(readings)
    adapter = ADAPTERS[generation]
    store = readings["stores"][adapter.store_id]
    values = store.get("values") or {}
    port, port_source = _port(adapter, values)
    fqdn = (readings.get("fqdn") or "").lower()
    endpoint_fqdn = (values.get("endpoint_fqdn") or "").lower() or None
    service_fqdn = (values.get("service_fqdn") or "").lower() or None
    services = readings.get("services") or {}
    service_states = [
        {"name": name, "state": (services.get(name) or {}).get("status"),
         "start_type": (services.get(name) or {}).get("start_type"), "restarted": name in adapter.services}
        for name in adapter.observed_services
    ]
    if adapter.services:
        primary = adapter.services[-1]
        service_name, service_state = primary, (services.get(primary) or {}).get("status")
    else:
        running = bool((readings.get("processes") or {}).get(adapter.process))
        service_name, service_state = None, None
        process_state = "Running" if running else "NotRunning"
    registration = adapter.registration_from_rest(store.get("registration"))
    markers = readings.get("markers") or {}
    if registration.get("registered") and (markers.get("registration") or {}).get("set"):
        registration["interrupted"] = True  # an earlier run stopped between the registration's writes
    result = {
        "generation": generation,
        "generation_label": adapter.label,
        "version": values.get("version") or store.get("file_version"),
        "service_name": service_name,
        "service_state": service_state,
        "services": service_states,
        "restart_supported": adapter.restart_supported,
        # A proxy written by an earlier run that stopped before the gateway was restarted.
        "restart_pending": adapter.restart_supported and bool((markers.get("restart") or {}).get("set")),
        "port": port,
        "port_source": port_source,
        "fqdn": fqdn,
        "endpoint_fqdn": endpoint_fqdn,
        "service_fqdn": service_fqdn,
        "login_mode": values.get("login_mode") if generation == MODERN else None,
        "rest_auth": adapter.rest_auth,
        "gateway_url": adapter.gateway_url(fqdn, port, endpoint_fqdn),
        "redirect_uris": adapter.redirect_uris(fqdn, port, endpoint_fqdn),
        "rest_root": adapter.rest_root,
        "proxy": adapter.proxy_from_store(values.get("proxy"), store.get("proxy_credentials"), service_fqdn),
        "registration": registration,
    }
    if not adapter.services:
        result["process_name"] = adapter.process + ".exe"
        result["process_state"] = process_state
    return result
