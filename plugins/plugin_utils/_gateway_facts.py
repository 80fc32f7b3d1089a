# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fact about Windows Admin Center the gateway side relies on, in one table, with its source and status.

The adapters (``_gateway_adapters.py``) take their registry keys, JSON paths, service names, REST paths and forms
from here (``value(fact_id)``), so a fact found wrong on a real gateway is corrected in one row; docs/gateway.md
carries the same table (``markdown_table()``; a unit test keeps the two equal). Nothing here has run against a
real gateway: "confirmed" means Microsoft's own scripts or docs agree; UNCONFIRMED means no source settles it, and
the collection takes the side Microsoft's scripts take (or the stricter one).
"""

from __future__ import annotations

import dataclasses

CONFIRMED = "confirmed"
UNCONFIRMED = "UNCONFIRMED"

V1 = ("classic_server", "classic_desktop")
V1_SERVER = ("classic_server",)
V1_DESKTOP = ("classic_desktop",)
V2 = ("modern",)
ALL = V1 + V2

# The sources, as docs/gateway.md and the design notes (shared/design/facts-wac.md) name them.
SOURCES = {
    "CFG": "Microsoft.WindowsAdminCenter.Configuration, the v2 configuration PowerShell module",
    "MIG": "Microsoft's WAC v1-to-v2 migration module (Export-WACSettings, Update-WACEnvironment)",
    "NAA": "Microsoft's New-AadApp.ps1 (aka.ms/WACAzureConnectScript), 2017",
    "SDK": "@microsoft/windows-admin-center-sdk 5.0.0 (core/data/gateway-urls.js, cookie.js, azure-manager.js)",
    "WSD": "Windows Admin Center docs (MicrosoftDocs/windowsserverdocs)",
    "AWD": "ansible.windows docs (doc_fragments/web_request.py) and Ansible's Windows Remote Management guide",
    "WSMV": "[MS-WSMV] Web Services Management Protocol Extensions for Windows Vista (2.2.4.42 WinrsType)",
}


@dataclasses.dataclass(frozen=True)
class Fact:
    id: str
    value: object
    source: str  # "CFG Get-WACHttpsPorts", ...: the tag of SOURCES first, then the function or page
    status: str
    generations: tuple[str, ...]
    about: str


_FACTS = (
    # ---- classic (v1): registry -------------------------------------------------------------------------------
    Fact("v1.registry_key", r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway", "CFG ConstGWv1RegistryPath; MIG",
         CONFIRMED, V1, "the v1 settings key (server and desktop mode)"),
    Fact("v1.port_value", "SmePort", "MIG Export-WACSettings; NAA Set-AadApp.ps1", CONFIRMED, V1,
         "registry value holding the HTTPS port"),
    Fact("v1.version_value", "Version", "CFG Get-WACMigrateFromV1Status", CONFIRMED, V1,
         "registry value holding the installed version"),
    Fact("v1.install_dir_value", "InstallDir", "MIG Export-WACSettings", CONFIRMED, V1,
         "registry value holding the install folder"),
    Fact("v1.proxy_value", "Proxy", "MIG Export-WACSettings", CONFIRMED, V1,
         "registry value holding the proxy as a JSON string"),
    Fact("v1.proxy_members", ("address", "bypassOnLocal", "bypassList", "protectedData2"), "MIG Update-WACEnvironment",
         CONFIRMED, V1, "members of the v1 proxy document"),
    Fact("v1.proxy_credentials_form", None, "MIG Update-WACEnvironment (does not migrate protectedData2)", UNCONFIRMED,
         V1, "how protectedData2 holds credentials: unknown, so the collection never writes v1 proxy credentials"),
    Fact("v1.client_certificate_value", "ClientCertificateThumbprint", "NAA", CONFIRMED, V1_DESKTOP,
         "registry value naming the desktop client certificate"),
    Fact("v1.client_certificate_stores", ("Cert:\\CurrentUser\\My", "Cert:\\LocalMachine\\My"),
         "WSD configure/user-access-control.md (CurrentUser\\My); NAA -CertificateThumbprint", CONFIRMED, V1_DESKTOP,
         "where the desktop client certificate is looked up"),
    Fact("v1.client_certificate_subject", "CN=Windows Admin Center Client", "WSD configure/user-access-control.md",
         CONFIRMED, V1_DESKTOP, "subject of the desktop client certificate"),
    Fact("v1.ha_key", r"HKLM:\SOFTWARE\Microsoft\ServerManagementGateway\ha", "CFG Get-WACv1HAInstalled", CONFIRMED,
         V1_SERVER, "present on a high-availability v1 install"),
    Fact("v1.service", "ServerManagementGateway", "CFG ConstGWv1ServiceName; MIG Save-WACResource", CONFIRMED,
         V1_SERVER, "the v1 gateway service; restarted with Restart-Service"),
    Fact("v1.desktop_process", "SmeDesktop", "MIG Save-WACResource", CONFIRMED, V1_DESKTOP,
         "the desktop-mode process (no service)"),
    Fact("v1.desktop_port", 6516, "WSD; the seed procedure's redirect URIs", CONFIRMED, V1_DESKTOP,
         "default desktop-mode port"),
    Fact("v1.server_port", 443, "WSD (installer SME_PORT; no default)", UNCONFIRMED, V1_SERVER,
         "port assumed when SmePort is missing"),
    Fact("v1.rest_root", "/api/gateway/aad", "SDK gateway-urls.js (gateway/aad/...)", CONFIRMED, V1,
         "root of the Azure REST paths"),
    Fact("v1.xsrf_cookies", ("XSRF-TOKEN",), "SDK cookie.js getCrossSiteRequestForgeryToken", CONFIRMED, V1,
         "cookie whose value WAC's own client echoes in the X-XSRF-TOKEN header"),
    Fact("v1.rest_auth_desktop", "client_certificate", "WSD configure/user-access-control.md; NAA", CONFIRMED,
         V1_DESKTOP, "desktop mode takes the client certificate, not Windows authentication"),
    # ---- modernized (v2): appsettings.json -------------------------------------------------------------------
    Fact("v2.appsettings", r"%ProgramFiles%\WindowsAdminCenter\Service\appsettings.json", "CFG GetAppSettingsPath",
         CONFIRMED, V2, "the v2 settings file"),
    Fact("v2.port_path", "Kestrel.Endpoints.WindowsAdminCenter.Url", "CFG Get-WACHttpsPorts", CONFIRMED, V2,
         "URL such as https://*:443; the port is what follows its last ':'"),
    Fact("v2.port_fallback_path", "WindowsAdminCenter.Http.HttpSysUrls", "CFG Set-WACHttpsPorts", CONFIRMED, V2,
         "URLs such as https://+:443, read when the Kestrel URL is missing"),
    Fact("v2.default_port", 6600, "CFG ConstDefaultPort", CONFIRMED, V2, "port when neither URL gives one"),
    Fact("v2.endpoint_fqdn_path", "WindowsAdminCenter.Http.EndpointFqdn", "CFG Get-WACEndpointFqdn", CONFIRMED, V2,
         "the name users reach the gateway by (its redirect URI host)"),
    Fact("v2.service_fqdn_path", "WindowsAdminCenter.Http.ServiceFqdn", "CFG Get-WACEndpointFqdn", CONFIRMED, V2,
         "the name of the internal services (ports 6601-6610)"),
    Fact("v2.version_path", "WindowsAdminCenter.System.FileVersion", "CFG Get-WACFileVersion; MIG GetInstalledStatus",
         CONFIRMED, V2, "the installed version"),
    Fact("v2.version_file", r"%ProgramFiles%\WindowsAdminCenter\Service\WindowsAdminCenter.exe",
         "CFG ConstExecutableName", CONFIRMED, V2, "file version read when the setting is missing"),
    Fact("v2.login_mode_path", "WindowsAdminCenter.System.TokenAuthenticationMode", "CFG Get-WACLoginMode", CONFIRMED,
         V2, "how users sign in to the gateway"),
    Fact("v2.login_modes", ("FormLogin", "WindowsAuthentication", "AadSso"), "CFG Set-WACLoginMode", CONFIRMED, V2,
         "the login modes"),
    Fact("v2.login_mode_form_refuses_windows_auth", "FormLogin",
         "CFG Set-WACLoginMode; MIG compares with WindowsAuthentication", UNCONFIRMED, V2,
         "a FormLogin gateway is taken not to accept Windows authentication on its REST API"),
    Fact("v2.proxy_path", "WindowsAdminCenter.Http.Proxy", "CFG Get-WACProxy", CONFIRMED, V2,
         "the proxy document (null: no proxy)"),
    Fact("v2.proxy_members", ("Address", "BypassOnLocal", "BypassList", "ProtectedData", "Credentials"),
         "CFG Set-WACProxy", CONFIRMED, V2, "members of the v2 proxy document"),
    Fact("v2.proxy_credentials_form", "plaintext:", "CFG Set-WACProxy", CONFIRMED, V2,
         "Credentials = 'plaintext:' + base64(UTF-8 'user:password'), ProtectedData = ''"),
    Fact("v2.proxy_credentials_need_restart", True, "CFG Set-WACProxy (refuses credentials without -RestartWacService)",
         CONFIRMED, V2, "a credentials write is always followed by a restart"),
    Fact("v2.proxy_credentials_after_start", None, "none found", UNCONFIRMED, V2,
         "whether WAC rewrites the plaintext form at start-up; a rewritten form cannot be compared"),
    Fact("v2.proxy_bypass_service_fqdn", True, "CFG Set-WACEndpointFqdn", CONFIRMED, V2,
         "ServiceFqdn is in the proxy bypass list whenever a proxy is set"),
    Fact("v2.appsettings_write", "in place", "CFG UpdateJsonField (Set-Content); Set-WACNetworkServiceAccess",
         CONFIRMED, V2, "rewrite the file in place so it keeps NetworkService's FullControl entry"),
    Fact("v2.appsettings_json_depth", 100, "CFG UpdateJsonField (ConvertTo-Json -Depth 100)", CONFIRMED, V2,
         "depth of the JSON written back"),
    Fact("v2.service", "WindowsAdminCenter", "CFG Register-WACService (NetworkService, depend= winrm)", CONFIRMED, V2,
         "the v2 gateway service"),
    Fact("v2.restart", ("WindowsAdminCenter",), "CFG Restart-WACService (Restart-Service WindowsAdminCenter)",
         CONFIRMED, V2, "the services a restart restarts"),
    Fact("v2.account_management_service", "WindowsAdminCenterAccountManagement",
         "CFG Register-WACAccountManagementService (start= demand)", CONFIRMED, V2,
         "demand-start: Stopped is its normal state, never restarted or waited for"),
    Fact("v2.rest_root", "/api/aad", "SDK gateway-urls.js (isGatewayV200: aad/...)", CONFIRMED, V2,
         "root of the Azure REST paths"),
    Fact("v2.xsrf_cookies", ("WAC-XSRF", "XSRF-TOKEN"), "SDK cookie.js getCrossSiteRequestForgeryToken", CONFIRMED,
         V2, "cookies whose value WAC's own client echoes in the X-XSRF-TOKEN header"),
    Fact("v2.migrated_marker", r"%ProgramData%\WindowsAdminCenter\MigrationBackup\MarkedMigrated.txt",
         "CFG GetMigrationStatusFilePath; MIG Update-WACEnvironment", CONFIRMED, V2,
         "written when a v1 install was migrated (v1 stays installed, its service Manual)"),
    # ---- the gateway's Azure REST API ------------------------------------------------------------------------
    Fact("rest.app_info", "GET {root}/appInfo", "SDK gateway-urls.js aadAppInfo (path); GET", UNCONFIRMED, ALL,
         "the registration read (the verb is not in any source)"),
    Fact("rest.app_info_fields", ("cloudName", "tenant", "tenantId", "clientId", "appId", "appDisplayName",
                                  "appVerifyAddress"),
         "SDK AadAppConfig; MIG CreateAppConfigEntry", CONFIRMED, ALL,
         "what a registration holds; no redirect URI or object ID (whether under 'properties' is UNCONFIRMED)"),
    Fact("rest.register", "PUT {root}/cloudName/{cloud}/application", "SDK gateway-urls.js aadAppWithParam (path)",
         UNCONFIRMED, ALL, "the registration write (verb not in any source)"),
    Fact("rest.register_body", ("tenant", "tenantId", "clientId"),
         "NAA aadappConfig body {properties: {tenant, clientId}}; SDK AadAppConfig (tenantId: same as tenant)",
         CONFIRMED, ALL, "members of the registration body, under 'properties'"),
    Fact("rest.write_app_info", "PUT {root}/writeAppInfo", "NAA (classic root)", CONFIRMED, V1,
         "redirect URI and object ID of the registration (on v2 the same path under /api/aad: UNCONFIRMED)"),
    Fact("rest.write_app_info_object_id", "service principal", "NAA ($service_principal.Id)", CONFIRMED, ALL,
         "appObjectId is the object ID of the app's service principal, not the application's"),
    Fact("rest.unregister", "DELETE {root}/application", "SDK gateway-urls.js aadApplication (path)", UNCONFIRMED, ALL,
         "removes the registration (verb not in any source)"),
    Fact("rest.cloud_names", {"AzureCloud": "Azure Global", "AzureChinaCloud": "Azure China",
                              "AzureUSGovernment": "Azure US Gov"},
         "MIG CreateAppConfigEntry; SDK AzureManager.getArmEndpoint", CONFIRMED, ALL,
         "the cloud names WAC stores, compared as the SDK does: spaces removed, case ignored"),
    Fact("rest.xsrf_header", "X-XSRF-TOKEN", "SDK http-constants.js, http.js", CONFIRMED, ALL,
         "header carrying the XSRF cookie's value on every write"),
    Fact("rest.xsrf_required", True, "SDK http.js (always sends it)", UNCONFIRMED, ALL,
         "whether writes without the header are refused (taken: refused)"),
    Fact("rest.user_agent", "PowerShell", "NAA", CONFIRMED, ALL, "user agent of Microsoft's own script"),
    Fact("rest.default_credentials", "delegation", "AWD web_request.py (become, CredSSP or Kerberos delegation)",
         UNCONFIRMED, V1_SERVER + V2,
         "a WinRM logon has default credentials for the local call only with delegation (loopback NTLM untested)"),
    # ---- TLS -------------------------------------------------------------------------------------------------
    Fact("tls.self_signed_subject", "CN=WindowsAdminCenterSelfSigned", "CFG New-WACSelfSignedCertificate", CONFIRMED,
         V2, "subject of the self-signed gateway certificate"),
    Fact("tls.self_signed_days", 60, "CFG New-WACSelfSignedCertificate (NotAfter = 60 days)", CONFIRMED, V2,
         "lifetime of the self-signed certificate"),
)

# ---- facts the gateway doctor (wac.fleet.gateway_doctor) checks besides those above ----------------------------
_FACTS += (
    Fact("v1.self_signed_subject", "CN=Windows Admin Center", "MIG Export-WACSettings (v1 certificate counts as "
         "self-signed when its Subject is this)", CONFIRMED, V1, "subject of the self-signed v1 gateway certificate"),
    Fact("v1.http_sys_app_id", "975536f5-223d-442c-9271-7f62fc035c1f", "MIG $WacApplicationIdV1 (netsh http show "
         "sslcert)", CONFIRMED, V1, "http.sys application ID of the v1 gateway's TLS binding (netsh http sslcert)"),
    Fact("v1.service_after_migration", "Manual", "MIG Save-WACResource -Version1 (Set-Service -StartupType Manual)",
         CONFIRMED, V1_SERVER, "start type of the v1 service once the PC was migrated to v2 (v1 stays installed)"),
    Fact("v2.http_sys_app_id", "13EF9EED-B613-4D2D-8B82-7E5B90BE4990", "CFG ConstAppId; Register-WACHttpSys",
         CONFIRMED, V2, "http.sys application ID of the v2 gateway's TLS binding (in WindowsAuthentication mode; "
         "otherwise Kestrel serves TLS itself)"),
    Fact("v2.certificate_subject_path", "Kestrel.Endpoints.WindowsAdminCenter.Certificate.Subject",
         "CFG Set-WACCertificateSubjectName (stored without CN=)", CONFIRMED, V2,
         "subject of the certificate Kestrel serves, when set"),
    Fact("v2.appsettings_acl", "S-1-5-20:FullControl", "CFG Set-WACNetworkServiceAccess", CONFIRMED, V2,
         "NetworkService (S-1-5-20) has FullControl on appsettings.json"),
    Fact("v2.login_mode_windows_auth", ("WindowsAuthentication", "AadSso"),
         "CFG Set-WACLoginMode; MIG $WacWindowsAuthenticationMode", UNCONFIRMED, V2,
         "login modes in which the collection registers a gateway (its REST API takes Windows authentication; "
         "for AadSso UNCONFIRMED)"),
    Fact("v2.configuration_module",
         r"%ProgramFiles%\WindowsAdminCenter\PowerShellModules\Microsoft.WindowsAdminCenter.Configuration",
         "CFG GetPowerShellModulesPath; ConstConfigurationPowerShellModuleName", CONFIRMED, V2,
         "where the v2 configuration module (Set-WACProxy, Restart-WACService, ...) is installed"),
    Fact("winrm.max_shells_per_user", 30, "WSMV WinrsType (MaxShellsPerUser default)", CONFIRMED, ALL,
         "shells one user may open at once (WSMan:\\localhost\\Shell); each task of the collection opens one"),
    Fact("winrm.max_memory_per_shell_mb", 1024, "WSMV WinrsType (MaxMemoryPerShellMB default)", CONFIRMED, ALL,
         "memory a remote shell may use (WSMan:\\localhost\\Shell); the collection's scripts run inside it"),
)

FACTS = {fact.id: fact for fact in _FACTS}
if len(FACTS) != len(_FACTS):
    raise RuntimeError("duplicate fact id in _gateway_facts")


def value(fact_id: str):
    """The value of one fact (KeyError for an unknown id: a typo fails loudly)."""
    return FACTS[fact_id].value


def counts() -> dict[str, int]:
    """How many facts have each status."""
    result = {CONFIRMED: 0, UNCONFIRMED: 0}
    for fact in _FACTS:
        result[fact.status] += 1
    return result


def _cell(item) -> str:
    if isinstance(item, dict):
        text = ", ".join(f"{k} -> {v}" for k, v in item.items())
    elif isinstance(item, tuple):
        text = ", ".join(str(v) for v in item)
    elif item is None:
        text = "(unknown)"
    else:
        text = str(item)
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The table as docs/gateway.md carries it."""
    lines = ["| id | value | generations | source | status | what |", "|---|---|---|---|---|---|"]
    for fact in _FACTS:
        lines.append(f"| `{fact.id}` | `{_cell(fact.value)}` | {', '.join(fact.generations)} | {_cell(fact.source)} "
                     f"| {fact.status} | {_cell(fact.about)} |")
    return "\n".join(lines) + "\n"


# ---- how the gateway doctor judges each fact -------------------------------------------------------------------
# One small declarative check per fact: ``kind`` (a function of _gateway_doctor_checks.py), ``on`` (what must be on the
# PC for the fact to be about it; else the fact is "absent" and the doctor says why) and ``args``, literals or fact
# ids (``Ref``), so that a corrected value above corrects what the doctor holds the gateway against. Kinds that need
# a write or a restart (``not_read_only``) always come out "absent" with the reason.
@dataclasses.dataclass(frozen=True)
class Ref:
    """A fact id used as an argument of a check: the check uses that fact's value."""

    id: str


@dataclasses.dataclass(frozen=True)
class Check:
    kind: str
    on: str
    args: tuple[tuple[str, object], ...] = ()

    def arg(self, name: str, default=None):
        for key, item in self.args:
            if key == name:
                return value(item.id) if isinstance(item, Ref) else item
        return default

    def refs(self) -> dict[str, str]:
        """The fact ids the check reads, by argument name."""
        return {key: item.id for key, item in self.args if isinstance(item, Ref)}


def _c(kind: str, on: str, **args) -> Check:
    return Check(kind, on, tuple(args.items()))


_KEY, _APP = Ref("v1.registry_key"), Ref("v2.appsettings")
_READ_ONLY_WRITE = "a write: the doctor never writes to the gateway"
CHECKS = {
    "v1.registry_key": _c("key_exists", "any", key=_KEY, needed_by=Ref("v1.service")),
    "v1.port_value": _c("port_field", "v1_install", store="classic", field=Ref("v1.port_value")),
    "v1.version_value": _c("registry_value", "v1_install", key=_KEY, name=Ref("v1.version_value")),
    "v1.install_dir_value": _c("registry_value", "v1_install", key=_KEY, name=Ref("v1.install_dir_value")),
    "v1.proxy_value": _c("registry_value", "v1_install", key=_KEY, name=Ref("v1.proxy_value"),
                         missing="no proxy is set (the value exists only while one is)"),
    "v1.proxy_members": _c("proxy_members", "v1_install", store="classic", members=Ref("v1.proxy_members")),
    "v1.proxy_credentials_form": _c("not_read_only", "v1_install", why="the form is not documented: the doctor "
                                    "reports only whether protectedData2 is set (see the evidence)"),
    "v1.client_certificate_value": _c("registry_value", "v1_desktop", key=_KEY,
                                      name=Ref("v1.client_certificate_value")),
    "v1.client_certificate_stores": _c("client_certificate_store", "v1_desktop",
                                       stores=Ref("v1.client_certificate_stores")),
    "v1.client_certificate_subject": _c("client_certificate_subject", "v1_desktop",
                                        subject=Ref("v1.client_certificate_subject")),
    "v1.ha_key": _c("key_exists", "v1_install", key=Ref("v1.ha_key"), missing="not a high-availability v1 install"),
    "v1.service": _c("service", "v1_install", name=Ref("v1.service"),
                     missing="no ServerManagementGateway service: a desktop-mode install"),
    "v1.desktop_process": _c("process", "v1_desktop", name=Ref("v1.desktop_process")),
    "v1.desktop_port": _c("default_port", "v1_desktop", port=Ref("v1.desktop_port"), store="classic",
                          fields=(Ref("v1.port_value"),)),
    "v1.server_port": _c("default_port", "v1_server", port=Ref("v1.server_port"), store="classic",
                         fields=(Ref("v1.port_value"),)),
    "v1.rest_root": _c("rest_route", "v1_gateway", root=Ref("v1.rest_root")),
    "v1.xsrf_cookies": _c("rest_cookies", "v1_gateway", root=Ref("v1.rest_root"), cookies=Ref("v1.xsrf_cookies")),
    "v1.rest_auth_desktop": _c("rest_certificate_only", "v1_desktop", root=Ref("v1.rest_root")),
    "v2.appsettings": _c("file_exists", "any", path=_APP, needed_by=Ref("v2.service")),
    "v2.port_path": _c("port_field", "v2_install", store="modern", field=Ref("v2.port_path")),
    "v2.port_fallback_path": _c("port_field", "v2_install", store="modern", field=Ref("v2.port_fallback_path")),
    "v2.default_port": _c("default_port", "v2_install", port=Ref("v2.default_port"), store="modern",
                          fields=(Ref("v2.port_path"), Ref("v2.port_fallback_path"))),
    "v2.endpoint_fqdn_path": _c("json_path", "v2_install", file=_APP, path=Ref("v2.endpoint_fqdn_path")),
    "v2.service_fqdn_path": _c("json_path", "v2_install", file=_APP, path=Ref("v2.service_fqdn_path")),
    "v2.version_path": _c("json_path", "v2_install", file=_APP, path=Ref("v2.version_path")),
    "v2.version_file": _c("file_version", "v2_install", path=Ref("v2.version_file")),
    "v2.login_mode_path": _c("json_path", "v2_install", file=_APP, path=Ref("v2.login_mode_path")),
    "v2.login_modes": _c("json_value_in", "v2_install", file=_APP, path=Ref("v2.login_mode_path"),
                         values=Ref("v2.login_modes")),
    "v2.login_mode_form_refuses_windows_auth": _c("rest_form_login", "v2_gateway", root=Ref("v2.rest_root"),
                                                  mode=Ref("v2.login_mode_form_refuses_windows_auth")),
    "v2.proxy_path": _c("json_path", "v2_install", file=_APP, path=Ref("v2.proxy_path"),
                        missing="no proxy member: no proxy was ever set"),
    "v2.proxy_members": _c("proxy_members", "v2_install", store="modern", members=Ref("v2.proxy_members")),
    "v2.proxy_credentials_form": _c("proxy_credentials_form", "v2_install", prefix=Ref("v2.proxy_credentials_form"),
                                    members=Ref("v2.proxy_members")),
    "v2.proxy_credentials_need_restart": _c("not_read_only", "v2_install", why=_READ_ONLY_WRITE),
    "v2.proxy_credentials_after_start": _c("not_read_only", "v2_install",
                                           why="needs a credentials write and a restart of the gateway"),
    "v2.proxy_bypass_service_fqdn": _c("proxy_bypass_service_fqdn", "v2_install", members=Ref("v2.proxy_members"),
                                       service_fqdn=Ref("v2.service_fqdn_path")),
    "v2.appsettings_write": _c("not_read_only", "v2_install",
                               why="a way of writing; its visible part, the ACL entry, is v2.appsettings_acl"),
    "v2.appsettings_json_depth": _c("not_read_only", "v2_install", why=_READ_ONLY_WRITE),
    "v2.service": _c("service", "v2_install", name=Ref("v2.service")),
    "v2.restart": _c("not_read_only", "v2_install", why="a restart: the doctor never restarts the gateway"),
    "v2.account_management_service": _c("service", "v2_install", name=Ref("v2.account_management_service"),
                                        start_type="Manual"),
    "v2.rest_root": _c("rest_route", "v2_gateway", root=Ref("v2.rest_root")),
    "v2.xsrf_cookies": _c("rest_cookies", "v2_gateway", root=Ref("v2.rest_root"), cookies=Ref("v2.xsrf_cookies")),
    "v2.migrated_marker": _c("file_exists", "v2_install", path=Ref("v2.migrated_marker"),
                             missing="not migrated from v1 (no marker)"),
    "rest.app_info": _c("rest_read", "gateway"),
    "rest.app_info_fields": _c("rest_fields", "gateway", fields=Ref("rest.app_info_fields")),
    "rest.register": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.register_body": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.write_app_info": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.write_app_info_object_id": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.unregister": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.cloud_names": _c("rest_cloud_name", "gateway", names=Ref("rest.cloud_names")),
    "rest.xsrf_header": _c("not_read_only", "gateway", why="only writes carry the header"),
    "rest.xsrf_required": _c("not_read_only", "gateway", why=_READ_ONLY_WRITE),
    "rest.user_agent": _c("not_read_only", "gateway", why="what Microsoft's script sends, not a property of the "
                          "gateway (the doctor's probes send it too)"),
    "rest.default_credentials": _c("rest_default_credentials", "windows_auth"),
    "tls.self_signed_subject": _c("served_certificate_subject", "v2_gateway", subject=Ref("tls.self_signed_subject")),
    "tls.self_signed_days": _c("served_certificate_days", "v2_gateway", subject=Ref("tls.self_signed_subject"),
                               days=Ref("tls.self_signed_days")),
    "v1.self_signed_subject": _c("served_certificate_subject", "v1_gateway", subject=Ref("v1.self_signed_subject")),
    "v1.http_sys_app_id": _c("http_sys_binding", "v1_gateway", app_id=Ref("v1.http_sys_app_id")),
    "v1.service_after_migration": _c("service", "migrated", name=Ref("v1.service"),
                                     start_type=Ref("v1.service_after_migration")),
    "v2.http_sys_app_id": _c("http_sys_binding", "v2_gateway", app_id=Ref("v2.http_sys_app_id"),
                             missing="no http.sys binding: Kestrel serves TLS itself (a login mode other than "
                                     "WindowsAuthentication)"),
    "v2.certificate_subject_path": _c("certificate_subject_path", "v2_gateway", file=_APP,
                                      path=Ref("v2.certificate_subject_path")),
    "v2.appsettings_acl": _c("acl_entry", "v2_install", file=_APP, entry=Ref("v2.appsettings_acl")),
    "v2.login_mode_windows_auth": _c("json_value_in", "v2_install", file=_APP, path=Ref("v2.login_mode_path"),
                                     values=Ref("v2.login_mode_windows_auth")),
    "v2.configuration_module": _c("file_exists", "v2_install", path=Ref("v2.configuration_module")),
    "winrm.max_shells_per_user": _c("winrm_at_least", "any", setting="MaxShellsPerUser",
                                    minimum=Ref("winrm.max_shells_per_user")),
    "winrm.max_memory_per_shell_mb": _c("winrm_at_least", "any", setting="MaxMemoryPerShellMB",
                                        minimum=Ref("winrm.max_memory_per_shell_mb")),
}
