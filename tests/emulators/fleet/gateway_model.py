"""State model of one Windows Admin Center gateway (one simulated management PC), no protocol and no scripts.

The gateway is laid out on a :class:`~tests.emulators.fleet.machine.Machine` (registry, files with ACLs, services,
processes, certificate stores) the way Microsoft's own scripts show it; its HTTPS REST API is ``gateway_api.py``.
What each shipped script does with these primitives lives in ``ops.py``. Sources (see docs/gateway.md):
CFG = the v2 module Microsoft.WindowsAdminCenter.Configuration, MIG = the v1-to-v2 migration module, NAA =
New-AadApp.ps1, SDK = @microsoft/windows-admin-center-sdk, WSD = the WAC docs.

Generations: ``classic_server`` (service ServerManagementGateway, settings in the registry), ``classic_desktop``
(SmeDesktop.exe, no service, same registry key, REST calls only with its client certificate) and ``modern`` (service
WindowsAdminCenter, demand-start WindowsAdminCenterAccountManagement, settings in appsettings.json).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import time
from collections.abc import Callable

from .machine import (
    INHERITED_ACL,
    NETWORK_SERVICE_FULL,
    PROGRAM_FILES,
    RUNNING,
    START_PENDING,
    STOP_PENDING,
    STOPPED,
    Machine,
    MachineError,
)

__all__ = ["APPSETTINGS", "CLASSIC_KEY", "GENERATIONS", "RUNNING", "START_PENDING", "STOPPED", "STOP_PENDING",
           "ConnectionRefused", "GatewayModel", "MachineError"]

CLASSIC_SERVER = "classic_server"
CLASSIC_DESKTOP = "classic_desktop"
MODERN = "modern"
GENERATIONS = (CLASSIC_SERVER, CLASSIC_DESKTOP, MODERN)

CLASSIC_KEY = r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway"  # CFG ConstGWv1RegistryPath
FLEET_KEY = r"HKLM:\SOFTWARE\wac.fleet"  # wac.fleet's own key (absent until the proxy write creates it)
RESTART_PENDING_VALUE = "GatewayRestartPending"
MODERN_DIR = PROGRAM_FILES + r"\WindowsAdminCenter\Service"
APPSETTINGS = MODERN_DIR + r"\appsettings.json"  # CFG GetAppSettingsPath
MODERN_EXE = MODERN_DIR + r"\WindowsAdminCenter.exe"  # CFG ConstExecutableName
CLIENT_CERTIFICATE_SUBJECT = "CN=Windows Admin Center Client"  # WSD configure/user-access-control.md
CURRENT_USER_MY = "Cert:\\CurrentUser\\My"
LOGIN_MODES = ("FormLogin", "WindowsAuthentication", "AadSso")  # CFG Set-WACLoginMode
PLAINTEXT = "plaintext:"  # CFG Set-WACProxy: Credentials = "plaintext:" + base64(UTF-8 "user:password")
# How the classic settings page protects proxy credentials is not known (MIG does not migrate protectedData2); the
# model stores what it writes itself in a form of its own, which no script can read.
UI_PROTECTED = "wac-settings-page:"

_DEFAULTS = {
    CLASSIC_SERVER: {"port": 443, "version": "1.5.2306.14001", "services": {"ServerManagementGateway": "Automatic"},
                     "rest_root": "/api/gateway/aad"},
    CLASSIC_DESKTOP: {"port": 6516, "version": "1.5.2306.14001", "services": {}, "rest_root": "/api/gateway/aad"},
    # CFG Register-WACService (start= auto with -Automatic) and Register-WACAccountManagementService (start= demand)
    MODERN: {"port": 443, "version": "2.4.2410.31001",
             "services": {"WindowsAdminCenter": "Automatic", "WindowsAdminCenterAccountManagement": "Manual"},
             "rest_root": "/api/aad"},
}
# The proxy document's member names as each generation stores them (MIG for classic, CFG Set-WACProxy for modern).
_PROXY_MEMBERS = {
    "classic": {"address": "address", "bypass_on_local": "bypassOnLocal", "bypass_list": "bypassList"},
    "modern": {"address": "Address", "bypass_on_local": "BypassOnLocal", "bypass_list": "BypassList"},
}
REGISTRATION_FIELDS = ("cloud", "tenant_id", "app_id", "app_object_id", "redirect_uri")


class ConnectionRefused(MachineError):
    """Nothing answers at that HTTPS address."""


class GatewayModel(Machine):
    """One WAC gateway. Thread-safe: the protocol side may call it from several connections at once."""

    def __init__(self, generation: str, name: str, fqdn: str, *, version: str | None = None,
                 port: int | None = None, start_delay: float = 0.5, stop_delay: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, desktop_running: bool = True,
                 proxy: dict | None = None, registration: dict | None = None, endpoint_fqdn: str | None = None,
                 service_fqdn: str | None = None, login_mode: str = "WindowsAuthentication",
                 proxy_needs_restart: bool = True, accounts: dict[str, str] | None = None,
                 client_certificate_store: str | None = CURRENT_USER_MY):
        if generation not in GENERATIONS:
            raise ValueError(f"unknown generation {generation!r}; expected one of {', '.join(GENERATIONS)}")
        if login_mode not in LOGIN_MODES:
            raise ValueError(f"unknown login mode {login_mode!r}; expected one of {', '.join(LOGIN_MODES)}")
        super().__init__(clock)
        defaults = _DEFAULTS[generation]
        self.generation = generation
        self.name = name
        self.fqdn = fqdn.lower()
        self.version = version or defaults["version"]
        self.port = int(port or defaults["port"])
        self.rest_root = defaults["rest_root"]
        self.start_delay = float(start_delay)
        self.stop_delay = float(stop_delay)
        self.desktop_running = desktop_running
        self.login_mode = login_mode
        self.accounts = {user.lower(): password for user, password in (accounts or {}).items()}
        # The XSRF token the gateway hands out in its cookie and wants back in X-XSRF-TOKEN (SDK cookie.js).
        self.xsrf_token = hashlib.sha256(f"xsrf:{name}:{self.port}".encode()).hexdigest()
        self.aad_app: dict | None = None  # AadApp properties (MIG; SDK AadAppConfig)
        self.aad_status: dict = {}  # v1 AadCatalog {RedirectUri, AppObjectId} / v2 AadStatusEntitySingleton
        self.service_starts = 0  # how many times a gateway service was started (restarts included)
        self.client_certificate: str | None = None
        # Microsoft's procedure: after a proxy change, restart the gateway or the Azure registration fails (the
        # service reads the proxy when it starts). The model refuses to register a gateway service whose stored
        # proxy differs from the one it started with; desktop mode is exempt (it cannot be restarted remotely).
        self.proxy_needs_restart = proxy_needs_restart
        for service_name, start_type in defaults["services"].items():
            # a demand-start service is Stopped until something starts it
            self.add_service(service_name, RUNNING if start_type == "Automatic" else STOPPED, start_type)
        if self.store_id == "classic":
            values = {"SmePort": self.port, "Version": self.version,
                      "InstallDir": PROGRAM_FILES + r"\Windows Admin Center"}  # MIG Export-WACSettings
            if generation == CLASSIC_DESKTOP and client_certificate_store:
                # NAA reads ClientCertificateThumbprint; the certificate is the desktop user's (WSD)
                self.client_certificate = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest().upper()
                values["ClientCertificateThumbprint"] = self.client_certificate
                self.add_certificate(client_certificate_store, self.client_certificate, CLIENT_CERTIFICATE_SUBJECT)
            self.registry[CLASSIC_KEY.lower()] = values
        else:
            self.file_create(APPSETTINGS, json.dumps(self._appsettings(endpoint_fqdn, service_fqdn), indent=2),
                             # CFG Set-WACNetworkServiceAccess: NetworkService FullControl on appsettings.json
                             acl=INHERITED_ACL | {NETWORK_SERVICE_FULL})
            self.file_versions[MODERN_EXE.lower()] = self.version
        if proxy:
            self.set_proxy(proxy)
        self._started_with_proxy = self._proxy_document()
        if registration:
            self.set_registration(registration)

    @classmethod
    def from_doctor(cls, report: dict, **options) -> GatewayModel:
        """A gateway laid out as a wac.fleet gateway doctor report shows it (doctor_replay.py); ``options`` as the
        constructor's (accounts, start_delay, stop_delay, clock, ...). It starts with the proxy it stores."""
        from . import doctor_replay

        model = cls(**{**doctor_replay.model_options(report), **options})
        doctor_replay.lay_out(model, report, PLAINTEXT, LOGIN_MODES)
        model._started_with_proxy = model._proxy_document()
        return model

    def _appsettings(self, endpoint_fqdn: str | None, service_fqdn: str | None) -> dict:
        """appsettings.json as CFG reads and writes it."""
        endpoint = (endpoint_fqdn or self.fqdn).lower()
        return {
            # CFG Set-WACHttpsPorts: Kestrel URL https://*:<port>, HttpSysUrls https://+:<port>
            "Kestrel": {"Endpoints": {"WindowsAdminCenter": {
                "Url": f"https://*:{self.port}", "Certificate": {"Subject": "WindowsAdminCenterSelfSigned"}}}},
            "WindowsAdminCenter": {
                "System": {"FileVersion": self.version, "TokenAuthenticationMode": self.login_mode,
                           "RuntimeMode": "Service"},  # CFG Set-WACFileVersion, Set-WACLoginMode, Set-WACRuntimeMode
                # CFG Set-WACEndpointFqdn (EndpointFqdn, ServiceFqdn), Set-WACProxy (Proxy: null when none)
                "Http": {"HttpSysUrls": [f"https://+:{self.port}"], "EndpointFqdn": endpoint,
                         "ServiceFqdn": (service_fqdn or endpoint).lower(), "Proxy": None},
                "ServicePortRange": {"Start": 6601, "End": 6610},
                "Services": [{"Name": "WinREST", "Endpoint": f"https://{(service_fqdn or endpoint).lower()}:6601"},
                             {"Name": "WinStream", "Endpoint": f"https://{(service_fqdn or endpoint).lower()}:6602"}],
            },
        }

    # ---------------------------------------------------------------------------------------------- identity
    @property
    def store_id(self) -> str:
        return "modern" if self.generation == MODERN else "classic"

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(self.services)

    @property
    def gateway_service(self) -> str | None:
        """The service that serves HTTPS (AccountManagement is not it)."""
        return {CLASSIC_SERVER: "ServerManagementGateway", MODERN: "WindowsAdminCenter"}.get(self.generation)

    def settings(self) -> dict:
        """appsettings.json as it is on disk now (modern)."""
        return json.loads(self.file_read(APPSETTINGS) or "{}")

    # ---------------------------------------------------------------------------------------------- services
    def stop_service_and_wait(self, name: str, timeout: float) -> None:
        """``Stop-Service -NoWait; $svc.WaitForStatus('Stopped', timeout)``: the script waits, so time passes."""
        with self.lock:
            service = self.service(name)
            service.stop(self.stop_delay)
            if service.state() == STOP_PENDING:
                if self.stop_delay > timeout:
                    raise MachineError("Time out has expired and the operation has not been completed.")
                service.force(STOPPED)

    def start_service(self, name: str, never_starts: bool = False) -> None:
        """``$svc.Start()``: returns at once; the service is StartPending until the start-up delay ends."""
        with self.lock:
            service = self.service(name)
            service.never_starts = never_starts
            if service.state() == STOPPED:
                service.start(self.start_delay)
                self.service_starts += 1
                if name == self.gateway_service:
                    self._started_with_proxy = self._proxy_document()

    def process_running(self, name: str) -> bool:
        return name.lower() in self.processes

    @property
    def desktop_running(self) -> bool:
        return "smedesktop" in self.processes

    @desktop_running.setter
    def desktop_running(self, running: bool) -> None:
        if self.generation != CLASSIC_DESKTOP:
            return
        if running:
            self.processes.add("smedesktop")
        else:
            self.processes.discard("smedesktop")

    def listening(self) -> bool:
        """Does the gateway answer HTTPS? Its HTTPS service Running (not the demand-start AccountManagement);
        desktop: SmeDesktop open."""
        with self.lock:
            if self.generation == CLASSIC_DESKTOP:
                return self.process_running("SmeDesktop")
            return self.service_state(self.gateway_service) == RUNNING

    def http(self, request):
        """One request to ``https://localhost:<port>/...`` made on the PC (see gateway_api.serve)."""
        from .gateway_api import serve

        return serve(self, request)

    # ---------------------------------------------------------------------------------------------- proxy
    def _proxy_document(self) -> dict | None:
        if self.store_id == "classic":
            raw = (self.registry_values(CLASSIC_KEY) or {}).get("Proxy")
            return json.loads(raw) if raw else None
        return ((self.settings().get("WindowsAdminCenter") or {}).get("Http") or {}).get("Proxy")

    def _write_proxy_document(self, document: dict | None) -> None:
        if self.store_id == "classic":
            if document is None:
                self.registry_remove(CLASSIC_KEY, "Proxy")
            else:
                self.registry_set(CLASSIC_KEY, "Proxy", json.dumps(document, separators=(",", ":")))
            return
        settings = self.settings()
        settings.setdefault("WindowsAdminCenter", {}).setdefault("Http", {})["Proxy"] = document
        self.file_write(APPSETTINGS, json.dumps(settings, indent=2))

    def proxy_pending_restart(self) -> bool:
        """The stored proxy differs from the one the gateway service started with."""
        if not self.proxy_needs_restart or self.generation == CLASSIC_DESKTOP:
            return False
        return self._proxy_document() != self._started_with_proxy

    def _credentials(self, document: dict | None) -> tuple[str, str] | bool | None:
        """The proxy credentials in ``document``: (user, password), None when there are none, False when they are
        in a form this gateway cannot read (anything CFG's Set-WACProxy or the settings page did not write)."""
        if not document:
            return None
        if self.store_id == "modern":
            plain, protected = document.get("Credentials") or "", document.get("ProtectedData") or ""
            if plain.startswith(PLAINTEXT):
                try:
                    pair = base64.b64decode(plain[len(PLAINTEXT):], validate=True).decode()
                    user, sep, password = pair.partition(":")
                except (ValueError, UnicodeDecodeError):
                    return False
                return (user, password) if sep else False
            # WAC's own protected form is not known (UNCONFIRMED): the model never writes one, so any ProtectedData
            # it finds was written by someone else and is unreadable to the gateway.
            return False if (plain or protected) else None
        blob = document.get("protectedData2") or ""
        if not blob:
            return None
        if blob.startswith(UI_PROTECTED):
            pair = json.loads(base64.b64decode(blob[len(UI_PROTECTED):]).decode())
            return pair["username"], pair["password"]
        return False

    def proxy_in_use_fails(self) -> bool:
        """The proxy the gateway runs with has credentials it cannot read: its calls to Azure fail (407)."""
        return self._credentials(self._started_with_proxy) is False

    def proxy(self) -> dict | None:
        """The stored proxy in the collection's shape (the password is never shown)."""
        document = self._proxy_document()
        names = _PROXY_MEMBERS[self.store_id]
        if not document or not document.get(names["address"]):
            return None
        credentials = self._credentials(document)
        return {"address": document[names["address"]],
                "bypass_on_local": bool(document.get(names["bypass_on_local"])),
                "bypass_list": list(document.get(names["bypass_list"]) or []),
                "credentials_set": credentials is not None,
                "credentials_readable": credentials is not False,
                "username": credentials[0] if credentials else None}

    def proxy_password(self) -> str | None:
        """For tests only: the stored proxy password, or None."""
        credentials = self._credentials(self._proxy_document())
        return credentials[1] if credentials else None

    def set_proxy(self, proxy: dict | None) -> None:
        """Write a proxy behind the collection's back (drift): classic as its settings page would (credentials in a
        form of its own), modern as CFG's Set-WACProxy does (plaintext credentials, ServiceFqdn kept in the
        bypass list as Set-WACEndpointFqdn puts it)."""
        with self.lock:
            if not proxy:
                self._write_proxy_document(None)
                return
            names = _PROXY_MEMBERS[self.store_id]
            bypass = list(proxy.get("bypass_list") or [])
            document = {names["address"]: proxy["address"],
                        names["bypass_on_local"]: bool(proxy.get("bypass_on_local", False)),
                        names["bypass_list"]: bypass}
            user, password = proxy.get("username"), proxy.get("password", "")
            if self.store_id == "modern":
                service_fqdn = self.settings()["WindowsAdminCenter"]["Http"].get("ServiceFqdn")
                if service_fqdn and service_fqdn not in bypass:
                    bypass.append(service_fqdn)
                pair = base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""
                document.update(ProtectedData="", Credentials=PLAINTEXT + pair if user else "")
            elif user:
                pair = json.dumps({"username": user, "password": password})
                document["protectedData2"] = UI_PROTECTED + base64.b64encode(pair.encode()).decode()
            self._write_proxy_document(document)

    # ---------------------------------------------------------------------------------------------- registration
    def registration(self) -> dict | None:
        """The registration as the collection's tests compare it (None: unregistered)."""
        with self.lock:
            if not self.aad_app:
                return None
            status = self.aad_status
            return {"cloud": self.aad_app.get("cloudName"), "tenant_id": self.aad_app.get("tenantId"),
                    "app_id": self.aad_app.get("clientId"),
                    "app_object_id": status.get("AppObjectId", status.get("aapObjectId")),
                    "redirect_uri": status.get("RedirectUri", status.get("redirectUri"))}

    def store_registration(self, cloud: str, tenant: str, client_id: str) -> None:
        """What the gateway keeps for a registration: MIG's AadApp properties (the SDK's AadAppConfig)."""
        self.aad_app = {"cloudName": cloud, "tenant": tenant, "tenantId": tenant, "clientId": client_id,
                        "appId": client_id, "appDisplayName": None, "appVerifyAddress": None}

    def store_app_info(self, redirect_uri: str, object_id: str | None) -> None:
        """writeAppInfo: v1 AadCatalog {RedirectUri, AppObjectId}; v2 AadStatusEntitySingleton, whose object ID is
        spelled aapObjectId (MIG ConvertToDatabase)."""
        if self.generation == MODERN:
            self.aad_status = {"redirectUri": redirect_uri, "aapObjectId": object_id, "aadAuthEnabled": False}
        else:
            self.aad_status = {"RedirectUri": redirect_uri, "AppObjectId": object_id, "AadAuthEnabled": False}

    def set_registration(self, registration: dict | None) -> None:
        """Seed a registration behind the collection's back; its cloud is stored as given (an earlier version of
        the collection left "AzureCloud", which WAC does not use)."""
        with self.lock:
            if not registration:
                self.aad_app, self.aad_status = None, {}
                return
            unknown = set(registration) - set(REGISTRATION_FIELDS)
            if unknown:
                raise ValueError(f"unknown registration fields {sorted(unknown)}")
            self.store_registration(registration.get("cloud", "Azure Global"), registration["tenant_id"],
                                    registration["app_id"])
            self.store_app_info(registration.get("redirect_uri"), registration.get("app_object_id"))

    # ---------------------------------------------------------------------------------------------- views
    def to_dict(self) -> dict:
        """The whole state as JSON-ready data (control API, tests). Never a password."""
        with self.lock:
            acl = self.file_acl(APPSETTINGS)
            return {
                "generation": self.generation, "name": self.name, "fqdn": self.fqdn, "version": self.version,
                "port": self.port, "rest_root": self.rest_root, "login_mode": self.login_mode,
                "services": {n: s.state() for n, s in self.services.items()},
                "gateway_service": self.gateway_service,
                "start_types": {n: s.start_type for n, s in self.services.items()},
                "desktop_running": self.desktop_running if self.generation == CLASSIC_DESKTOP else None,
                "listening": self.listening(), "service_starts": self.service_starts,
                "start_delay": self.start_delay, "stop_delay": self.stop_delay,
                "proxy": self.proxy(), "proxy_pending_restart": self.proxy_pending_restart(),
                "restart_marker": (self.registry_values(FLEET_KEY) or {}).get(RESTART_PENDING_VALUE),
                "registration": copy.deepcopy(self.registration()),
                "appsettings_network_service_access": None if acl is None else NETWORK_SERVICE_FULL in acl,
            }

    def apply(self, changes: dict) -> dict:
        """Change the PC behind the collection's back. Keys: proxy, registration, services (name -> state or
        one state for all), desktop_running, start_delay, stop_delay, login_mode. Returns :meth:`to_dict`."""
        known = {"proxy", "registration", "services", "desktop_running", "start_delay", "stop_delay", "login_mode"}
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
            if "login_mode" in changes:
                self.set_login_mode(changes["login_mode"])
            for key in ("start_delay", "stop_delay"):
                if key in changes:
                    setattr(self, key, float(changes[key]))
        return self.to_dict()

    def set_login_mode(self, mode: str) -> None:
        """CFG Set-WACLoginMode (modern only): WindowsAdminCenter.System.TokenAuthenticationMode."""
        if self.generation != MODERN or mode not in LOGIN_MODES:
            raise ValueError(f"login_mode {mode!r}: only a modern gateway has one of {', '.join(LOGIN_MODES)}")
        settings = self.settings()
        settings["WindowsAdminCenter"]["System"]["TokenAuthenticationMode"] = mode
        self.file_write(APPSETTINGS, json.dumps(settings, indent=2))
        self.login_mode = mode
