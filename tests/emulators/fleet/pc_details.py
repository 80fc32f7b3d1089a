"""What a simulated PC shows besides its gateway's settings: OS and PowerShell, the certificate its gateway serves, the
http.sys TLS bindings (as ``netsh http show sslcert`` prints them), the ports the gateway processes listen on, the WinRM
shell quotas and the v2 configuration module with its cmdlets. Only the read-only gateway_doctor script asks for these.

``details_of(model)`` gives a gateway model's details, made from its generation on first use (each default names its
source; sources as in gateway_model.py, WSMV = [MS-WSMV] 2.2.4.42 WinrsType), or the ones a doctor report replayed
(``doctor_replay.py``). State only: no protocol, no script logic.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from .machine import PROGRAM_FILES

V1_APP_ID = "975536f5-223d-442c-9271-7f62fc035c1f"  # MIG $WacApplicationIdV1
V2_APP_ID = "13EF9EED-B613-4D2D-8B82-7E5B90BE4990"  # CFG ConstAppId (Register-WACHttpSys)
V2_SELF_SIGNED = "CN=WindowsAdminCenterSelfSigned"  # CFG ConstSSLCertificateSubjectCN
V1_SELF_SIGNED = "CN=Windows Admin Center"  # MIG Export-WACSettings (v1 self-signed when Subject is this)
# CFG New-WACSelfSignedCertificate (NotAfter = 60 days); the v1 installer's certificate: UNCONFIRMED, taken as the same
SELF_SIGNED_DAYS = 60
CONFIGURATION_MODULE = (PROGRAM_FILES
                        + r"\WindowsAdminCenter\PowerShellModules\Microsoft.WindowsAdminCenter.Configuration")
# A part of the functions CFG defines (CFG-new exports all 106); Get/Set-WACProxy and Get/Set-WACEndpointFqdn are not
# in the 2023 module 2.0.1.0 (CFG-old's FunctionsToExport).
CONFIGURATION_CMDLETS = (
    "Get-WACEndpointFqdn", "Get-WACFileVersion", "Get-WACHttpsPorts", "Get-WACLoginMode",
    "Get-WACMigrateFromV1Status", "Get-WACProxy", "Get-WACSelfSignedCertificate", "Get-WACService",
    "Get-WACWinRmOverHttps", "Get-WACWinRmTrustedHosts", "Get-WACv1HAInstalled", "New-WACSelfSignedCertificate",
    "Restart-WACAccountManagementService", "Restart-WACService", "Set-WACCertificateAcl", "Set-WACEndpointFqdn",
    "Set-WACHttpsPorts", "Set-WACLoginMode", "Set-WACNetworkServiceAccess", "Set-WACProxy", "Set-WACWinRmOverHttps",
    "Set-WACWinRmTrustedHosts", "Start-WACService", "Stop-WACGenericResource", "Stop-WACService",
)
WINRM_DEFAULTS = {"MaxShellsPerUser": "30", "MaxMemoryPerShellMB": "1024"}  # WSMV WinrsType defaults


@dataclasses.dataclass
class PCDetails:
    computer_name: str
    os: dict
    powershell: dict
    winrm: dict  # setting name -> value, as WSMan:\localhost\Shell\<name> gives it (a string)
    module: dict  # {found, version, cmdlets}
    certificates: dict  # port -> {subject, issuer, thumbprint, not_before, not_after} served on that port
    http_sys_lines: list  # what netsh http show sslcert prints
    listeners: list  # ports the gateway's own processes listen on (Kestrel; http.sys ports are System's)
    directories: set = dataclasses.field(default_factory=set)  # folders that exist (lower case)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def netsh_lines(bindings: list[dict]) -> list[str]:
    """``netsh http show sslcert`` as an English Windows prints it, for the bindings given."""
    lines = ["", "SSL Certificate bindings:", "-------------------------", ""]
    for binding in bindings:
        lines += [f"    IP:port                      : {binding['address']}",
                  f"    Certificate Hash             : {binding['certificate_hash'].lower()}",
                  f"    Application ID               : {{{binding['app_id'].lower()}}}",
                  "    Certificate Store Name       : My",
                  "    Verify Client Certificate Revocation : Enabled",
                  "    Negotiate Client Certificate : Disabled", ""]
    return lines


def default_details(model) -> PCDetails:
    """The details of a freshly installed gateway of the model's generation."""
    modern = model.generation == "modern"
    issued = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(days=1)
    subject = V2_SELF_SIGNED if modern else V1_SELF_SIGNED
    thumbprint = hashlib.sha1(f"tls:{model.name}:{model.port}".encode(), usedforsecurity=False).hexdigest().upper()
    certificate = {"subject": subject, "issuer": subject, "thumbprint": thumbprint, "not_before": _iso(issued),
                   "not_after": _iso(issued + datetime.timedelta(days=SELF_SIGNED_DAYS))}
    binding = {"address": f"0.0.0.0:{model.port}", "certificate_hash": thumbprint,
               "app_id": V2_APP_ID if modern else V1_APP_ID}
    desktop = model.generation == "classic_desktop"
    return PCDetails(
        computer_name=model.name.upper(),
        os={"caption": "Microsoft Windows 11 Enterprise" if desktop else "Microsoft Windows Server 2022 Datacenter",
            "version": "10.0.22631" if desktop else "10.0.20348", "build": "22631" if desktop else "20348",
            "error": None},
        powershell={"version": "5.1.20348.2849", "edition": "Desktop", "clr": "4.0.30319.42000"},
        winrm=dict(WINRM_DEFAULTS),
        module={"found": modern, "version": model.version if modern else None,
                "cmdlets": list(CONFIGURATION_CMDLETS) if modern else []},
        certificates={model.port: certificate},
        http_sys_lines=netsh_lines([binding]),
        listeners=[],
        directories={CONFIGURATION_MODULE.lower()} if modern else set(),
    )


def details_of(model) -> PCDetails:
    details = getattr(model, "pc_details", None)
    if details is None:
        details = default_details(model)
        model.pc_details = details
    return details
