"""State model of one Windows Admin Center gateway (one simulated management PC), no protocol and no scripts.

The model is the machine as the gateway scripts see it: registry values, a JSON settings file, Windows services
with a state machine (Running, StopPending, Stopped, StartPending) driven by a clock, the SmeDesktop process,
DPAPI, and the gateway's own HTTPS REST API (answering only its generation's paths, and only while it runs).
What each shipped script does with these primitives lives in ``ops.py``.

Generations (see docs/gateway.md): ``classic_server`` (service ServerManagementGateway, settings in the registry),
``classic_desktop`` (SmeDesktop.exe, no service, same registry key) and ``modern`` (services WindowsAdminCenter +
WindowsAdminCenterAccountManagement, settings in appsettings.json, REST root without ``gateway/``).
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Callable

CLASSIC_SERVER = "classic_server"
CLASSIC_DESKTOP = "classic_desktop"
MODERN = "modern"
GENERATIONS = (CLASSIC_SERVER, CLASSIC_DESKTOP, MODERN)

CLASSIC_KEY = r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway"
# wac.fleet's own key (absent until the proxy write script creates it) and its restart-pending value.
FLEET_KEY = r"HKLM:\SOFTWARE\wac.fleet"
RESTART_PENDING_VALUE = "GatewayRestartPending"
PROGRAM_FILES = r"C:\Program Files"
MODERN_DIR = PROGRAM_FILES + r"\WindowsAdminCenter\Service"
APPSETTINGS = MODERN_DIR + r"\appsettings.json"
MODERN_EXE = MODERN_DIR + r"\WindowsAdminCenter.exe"

RUNNING, STOP_PENDING, STOPPED, START_PENDING = "Running", "StopPending", "Stopped", "StartPending"
SERVICE_STATES = (RUNNING, STOP_PENDING, STOPPED, START_PENDING)
CLOUDS = ("AzureCloud", "AzureChinaCloud", "AzureUSGovernment")

_DEFAULTS = {
    CLASSIC_SERVER: {"port": 443, "version": "1.5.2306.14001", "services": ("ServerManagementGateway",),
                     "rest_root": "/api/gateway/aad"},
    CLASSIC_DESKTOP: {"port": 6516, "version": "1.5.2306.14001", "services": (), "rest_root": "/api/gateway/aad"},
    MODERN: {"port": 443, "version": "2.4.2410.31001",
             "services": ("WindowsAdminCenterAccountManagement", "WindowsAdminCenter"), "rest_root": "/api/aad"},
}
# The proxy document's member names as each generation stores them.
_PROXY_MEMBERS = {
    "classic": {"address": "address", "bypass_on_local": "bypassOnLocal", "bypass_list": "bypassList",
                "protected": "protectedData2"},
    "modern": {"address": "Address", "bypass_on_local": "BypassOnLocal", "bypass_list": "BypassList",
               "protected": "ProtectedData"},
}


class MachineError(Exception):
    """What PowerShell would throw (the message is what the script's catch block reports)."""


class ConnectionRefused(MachineError):
    """Nothing answers at that HTTPS address."""


class Service:
    """A Windows service: a state machine whose pending states end by the model's clock."""

    def __init__(self, name: str, clock: Callable[[], float], state: str = RUNNING):
        self.name = name
        self._clock = clock
        self._state = state
        self._until = 0.0
        self.never_starts = False
        self.started_at = clock() if state == RUNNING else None

    def state(self) -> str:
        now = self._clock()
        if self._state == STOP_PENDING and now >= self._until:
            self._state = STOPPED
        if self._state == START_PENDING and now >= self._until and not self.never_starts:
            self._state = RUNNING
            self.started_at = self._until
        return self._state

    def stop(self, delay: float) -> None:
        if self.state() in (RUNNING, START_PENDING):
            self._state, self._until = STOP_PENDING, self._clock() + delay
            self.started_at = None

    def start(self, delay: float) -> None:
        if self.state() == STOPPED:
            self._state, self._until = START_PENDING, self._clock() + delay

    def force(self, state: str) -> None:
        """Put the service in a state at once (drift injected by a test)."""
        if state not in SERVICE_STATES:
            raise ValueError(f"unknown service state {state!r}")
        self._state, self._until = state, float("inf") if state.endswith("Pending") else 0.0
        self.started_at = self._clock() if state == RUNNING else None


class GatewayModel:
    """One WAC gateway. Thread-safe: the protocol side may call it from several connections at once."""

    def __init__(self, generation: str, name: str, fqdn: str, *, version: str | None = None,
                 port: int | None = None, start_delay: float = 0.5, stop_delay: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, desktop_running: bool = True,
                 proxy: dict | None = None, registration: dict | None = None, endpoint_fqdn: str | None = None,
                 proxy_needs_restart: bool = True):
        if generation not in GENERATIONS:
            raise ValueError(f"unknown generation {generation!r}; expected one of {', '.join(GENERATIONS)}")
        defaults = _DEFAULTS[generation]
        self.generation = generation
        self.name = name
        self.fqdn = fqdn.lower()
        self.version = version or defaults["version"]
        self.port = int(port or defaults["port"])
        self.rest_root = defaults["rest_root"]
        self.start_delay = float(start_delay)
        self.stop_delay = float(stop_delay)
        self.clock = clock
        self.desktop_running = desktop_running
        self.lock = threading.RLock()
        self.services = {n: Service(n, clock) for n in defaults["services"]}
        self.registration: dict | None = None
        self.registry: dict[str, dict] = {}
        self.files: dict[str, str] = {}
        self.file_versions: dict[str, str] = {}
        self.service_starts = 0  # how many times a gateway service was started (restarts included)
        # Microsoft's procedure: after a proxy change, restart the gateway or the Azure registration fails (the
        # service reads the proxy when it starts). The model refuses to register a gateway service whose stored
        # proxy differs from the one it started with; desktop mode is exempt (it cannot be restarted remotely).
        self.proxy_needs_restart = proxy_needs_restart
        self._started_with_proxy = None
        if self.store_id == "classic":
            self.registry[CLASSIC_KEY.lower()] = {"SmePort": self.port, "Version": self.version,
                                                  "InstallDir": PROGRAM_FILES + r"\Windows Admin Center"}
        else:
            settings = {"WindowsAdminCenter": {"Hosting": {"Port": self.port,
                                                           "EndpointFqdn": endpoint_fqdn or self.fqdn},
                                               "Http": {"Proxy": None}}}
            self.files[APPSETTINGS.lower()] = json.dumps(settings, indent=2)
            self.file_versions[MODERN_EXE.lower()] = self.version
        if proxy:
            self.set_proxy(proxy)
        self._started_with_proxy = self._proxy_document()
        if registration:
            self.set_registration(registration)

    # ---------------------------------------------------------------------------------------------- identity
    @property
    def store_id(self) -> str:
        return "modern" if self.generation == MODERN else "classic"

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(self.services)

    # ---------------------------------------------------------------------------------------------- registry
    def registry_values(self, key: str) -> dict | None:
        with self.lock:
            values = self.registry.get(key.lower())
            return dict(values) if values is not None else None

    def registry_set(self, key: str, name: str, value) -> None:
        with self.lock:
            values = self.registry.get(key.lower())
            if values is None:
                raise MachineError(f"Cannot find path '{key}' because it does not exist.")
            values[name] = value

    def registry_create_key(self, key: str) -> None:
        """``New-Item -Path <key> -Force``: the key exists afterwards (its values kept if it already did)."""
        with self.lock:
            self.registry.setdefault(key.lower(), {})

    def registry_remove(self, key: str, name: str) -> None:
        with self.lock:
            values = self.registry.get(key.lower())
            if values is not None:
                values.pop(name, None)

    # ---------------------------------------------------------------------------------------------- files
    @staticmethod
    def expand(path: str) -> str:
        return path.replace("%ProgramFiles%", PROGRAM_FILES)

    def file_read(self, path: str) -> str | None:
        with self.lock:
            return self.files.get(path.lower())

    def file_write(self, path: str, text: str) -> None:
        with self.lock:
            if path.lower() not in self.files:
                raise MachineError(f"Could not find a part of the path '{path}'.")
            self.files[path.lower()] = text

    def file_version(self, path: str) -> str | None:
        return self.file_versions.get(path.lower())

    # ---------------------------------------------------------------------------------------------- services
    def service_state(self, name: str) -> str | None:
        with self.lock:
            service = self.services.get(name)
            return service.state() if service else None

    def _service(self, name: str) -> Service:
        service = self.services.get(name)
        if service is None:
            raise MachineError(f"Cannot find any service with service name '{name}'.")
        return service

    def stop_service_and_wait(self, name: str, timeout: float) -> None:
        """``$svc.Stop(); $svc.WaitForStatus('Stopped', timeout)``: the script waits, so time passes."""
        with self.lock:
            service = self._service(name)
            service.stop(self.stop_delay)
            if service.state() == STOP_PENDING:
                if self.stop_delay > timeout:
                    raise MachineError("Time out has expired and the operation has not been completed.")
                service.force(STOPPED)

    def start_service(self, name: str, never_starts: bool = False) -> None:
        """``$svc.Start()``: returns at once; the service is StartPending until the start-up delay ends."""
        with self.lock:
            service = self._service(name)
            service.never_starts = never_starts
            if service.state() == STOPPED:
                service.start(self.start_delay)
                self.service_starts += 1
                self._started_with_proxy = self._proxy_document()

    def process_running(self, name: str) -> bool:
        return self.generation == CLASSIC_DESKTOP and name.lower() == "smedesktop" and self.desktop_running

    # ---------------------------------------------------------------------------------------------- DPAPI
    def protect(self, text: str) -> str:
        """DPAPI (LocalMachine) stand-in: only this machine can unprotect what it protected."""
        return base64.b64encode(f"dpapi:{self.name}:{text}".encode()).decode()

    def unprotect(self, blob: str) -> str:
        try:
            text = base64.b64decode(blob.encode(), validate=True).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise MachineError("The data is invalid.") from exc
        prefix = f"dpapi:{self.name}:"
        if not text.startswith(prefix):
            raise MachineError("Key not valid for use in specified state.")
        return text[len(prefix):]

    # ---------------------------------------------------------------------------------------------- HTTPS
    def listening(self) -> bool:
        """Does the gateway answer HTTPS? Services: all Running (and started); desktop: SmeDesktop open."""
        with self.lock:
            if not self.services:
                return self.process_running("SmeDesktop")
            return all(s.state() == RUNNING for s in self.services.values())

    def http(self, method: str, url: str, body=None) -> tuple[int, object]:
        """One request to ``https://localhost:<port>/...`` made on the PC with Windows authentication."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host_ok = parts.hostname in ("localhost", "127.0.0.1", self.fqdn)
        if parts.scheme != "https" or not host_ok or parts.port != self.port or not self.listening():
            raise ConnectionRefused("Unable to connect to the remote server")
        path = parts.path
        if path in ("", "/"):
            return 200, None
        root = self.rest_root
        if not path.startswith(root + "/"):
            return 404, {"error": {"code": "NotFound", "message": f"No route for {method} {path}"}}
        return self._aad_api(method.upper(), path[len(root):], body)

    def _aad_api(self, method: str, sub: str, body) -> tuple[int, object]:
        with self.lock:
            if method == "GET" and sub == "/appInfo":
                reg = self.registration or {}
                return 200, {"properties": {
                    "cloudName": reg.get("cloud"), "tenantId": reg.get("tenant_id"), "clientId": reg.get("app_id"),
                    "appObjectId": reg.get("app_object_id"), "redirectUri": reg.get("redirect_uri"),
                    "aadAuthEnabled": bool(reg)}}
            parts = sub.strip("/").split("/")
            if method == "PUT" and len(parts) == 3 and parts[0] == "cloudName" and parts[2] == "application":
                cloud = parts[1]
                props = (body or {}).get("properties") if isinstance(body, dict) else None
                if cloud not in CLOUDS:
                    return 400, {"error": {"code": "BadRequest", "message": f"Unknown cloud {cloud}"}}
                if self.proxy_pending_restart():
                    return 502, {"error": {"code": "BadGateway", "message": "Could not reach Azure: the gateway "
                                           "still uses the proxy settings it started with; restart the gateway"}}
                if not isinstance(props, dict) or not props.get("tenantId") or not props.get("clientId"):
                    return 400, {"error": {"code": "BadRequest", "message": "tenantId and clientId are required"}}
                reg = dict(self.registration or {})
                reg.update(cloud=cloud, tenant_id=props["tenantId"], app_id=props["clientId"])
                self.registration = reg
                return 200, {"properties": {"cloudName": cloud}}
            if method == "PUT" and sub == "/writeAppInfo":
                props = (body or {}).get("properties") if isinstance(body, dict) else None
                if not isinstance(props, dict) or not props.get("redirectUri"):
                    return 400, {"error": {"code": "BadRequest", "message": "redirectUri is required"}}
                if not self.registration:
                    return 409, {"error": {"code": "Conflict", "message": "The gateway has no application"}}
                self.registration = {**self.registration, "redirect_uri": props["redirectUri"],
                                     "app_object_id": props.get("appObjectId")}
                return 200, None
            if method == "DELETE" and sub == "/application":
                self.registration = None
                return 204, None
            return 404, {"error": {"code": "NotFound", "message": f"No route for {method} {self.rest_root}{sub}"}}

    # ---------------------------------------------------------------------------------------------- views
    def _proxy_document(self) -> dict | None:
        if self.store_id == "classic":
            raw = (self.registry_values(CLASSIC_KEY) or {}).get("Proxy")
            return json.loads(raw) if raw else None
        settings = json.loads(self.file_read(APPSETTINGS) or "{}")
        return ((settings.get("WindowsAdminCenter") or {}).get("Http") or {}).get("Proxy")

    def _write_proxy_document(self, document: dict | None) -> None:
        if self.store_id == "classic":
            if document is None:
                self.registry_remove(CLASSIC_KEY, "Proxy")
            else:
                self.registry_set(CLASSIC_KEY, "Proxy", json.dumps(document, separators=(",", ":")))
            return
        settings = json.loads(self.file_read(APPSETTINGS) or "{}")
        settings.setdefault("WindowsAdminCenter", {}).setdefault("Http", {})["Proxy"] = document
        self.file_write(APPSETTINGS, json.dumps(settings, indent=2))

    def proxy_pending_restart(self) -> bool:
        """The stored proxy differs from the one the gateway service started with."""
        if not self.proxy_needs_restart or not self.services:
            return False
        return self._proxy_document() != self._started_with_proxy

    def proxy(self) -> dict | None:
        """The stored proxy in the collection's shape (the password is never shown)."""
        document = self._proxy_document()
        names = _PROXY_MEMBERS[self.store_id]
        if not document or not document.get(names["address"]):
            return None
        username = None
        blob = document.get(names["protected"])
        if blob:
            username = json.loads(self.unprotect(blob)).get("username")
        return {"address": document[names["address"]],
                "bypass_on_local": bool(document.get(names["bypass_on_local"])),
                "bypass_list": list(document.get(names["bypass_list"]) or []),
                "credentials_set": bool(blob), "username": username}

    def proxy_password(self) -> str | None:
        """For tests only: the stored proxy password (DPAPI-unprotected), or None."""
        document = self._proxy_document() or {}
        blob = document.get(_PROXY_MEMBERS[self.store_id]["protected"])
        return json.loads(self.unprotect(blob)).get("password") if blob else None

    def set_proxy(self, proxy: dict | None) -> None:
        """Write a proxy behind the collection's back (drift), as the WAC settings page would."""
        with self.lock:
            if not proxy:
                self._write_proxy_document(None)
                return
            names = _PROXY_MEMBERS[self.store_id]
            document = {names["address"]: proxy["address"],
                        names["bypass_on_local"]: bool(proxy.get("bypass_on_local", False)),
                        names["bypass_list"]: list(proxy.get("bypass_list") or [])}
            if proxy.get("username"):
                creds = {"username": proxy["username"], "password": proxy.get("password", "")}
                document[names["protected"]] = self.protect(json.dumps(creds))
            self._write_proxy_document(document)

    def set_registration(self, registration: dict | None) -> None:
        with self.lock:
            if not registration:
                self.registration = None
                return
            unknown = set(registration) - {"cloud", "tenant_id", "app_id", "app_object_id", "redirect_uri"}
            if unknown:
                raise ValueError(f"unknown registration fields {sorted(unknown)}")
            self.registration = {"cloud": "AzureCloud", "app_object_id": None, "redirect_uri": None, **registration}

    def to_dict(self) -> dict:
        """The whole state as JSON-ready data (control API, tests). Never a password."""
        with self.lock:
            return {
                "generation": self.generation, "name": self.name, "fqdn": self.fqdn, "version": self.version,
                "port": self.port, "rest_root": self.rest_root,
                "services": {n: s.state() for n, s in self.services.items()},
                "desktop_running": self.desktop_running if self.generation == CLASSIC_DESKTOP else None,
                "listening": self.listening(), "service_starts": self.service_starts,
                "start_delay": self.start_delay, "stop_delay": self.stop_delay,
                "proxy": self.proxy(), "proxy_pending_restart": self.proxy_pending_restart(),
                "restart_marker": (self.registry_values(FLEET_KEY) or {}).get(RESTART_PENDING_VALUE),
                "registration": copy.deepcopy(self.registration),
            }

    def apply(self, changes: dict) -> dict:
        """Change the PC behind the collection's back. Keys: proxy, registration, services (name -> state or
        one state for all), desktop_running, start_delay, stop_delay. Returns :meth:`to_dict`."""
        known = {"proxy", "registration", "services", "desktop_running", "start_delay", "stop_delay"}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown model fields {sorted(unknown)}; known: {sorted(known)}")
        with self.lock:
            if "proxy" in changes:
                self.set_proxy(changes["proxy"])
            if "registration" in changes:
                self.set_registration(changes["registration"])
            if "services" in changes:
                wanted = changes["services"]
                if isinstance(wanted, str):
                    wanted = dict.fromkeys(self.services, wanted)
                for name, state in wanted.items():
                    if name not in self.services:
                        raise ValueError(f"{self.name} has no service {name!r} (it has {sorted(self.services)})")
                    self.services[name].force(state)
            if "desktop_running" in changes:
                self.desktop_running = bool(changes["desktop_running"])
            for key in ("start_delay", "stop_delay"):
                if key in changes:
                    setattr(self, key, float(changes[key]))
        return self.to_dict()
