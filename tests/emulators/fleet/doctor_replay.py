"""A simulated PC laid out from a gateway doctor report (schema ``wac.fleet/doctor/1``), so that what a user's gateway
showed becomes a test case: ``GatewayModel.from_doctor(report)`` (built here by :func:`lay_out`), the fleet CLI's
``--from-doctor FILE`` and the fixture option ``wac_fleet(from_doctor=[FILE, ...])``.

The evidence is taken as it is: every registry value read, appsettings.json (the secrets the doctor replaced by their
form get a placeholder of that form: ``plaintext:`` + base64 of a placeholder pair, an empty string, or an opaque
string no gateway reads), its ACL, services with their states and start types, processes, the desktop client
certificate, the certificate served and the http.sys lines, the registration the gateway answered, OS, PowerShell,
module and WinRM quotas. What the report cannot tell (the XSRF cookie's name, the gateway's answers to writes) is what
``gateway_api.py`` models for that generation.
"""

from __future__ import annotations

import base64
import json
import typing as t
from pathlib import Path

from .fleet import GENERATIONS
from .pc_details import PCDetails

if t.TYPE_CHECKING:
    from .gateway_model import GatewayModel

SCHEMA = "wac.fleet/doctor/1"
PLACEHOLDER_PAIR = "doctor-replay:placeholder-password"  # stands for credentials the report only says are set
OPAQUE = "doctor-replay-redacted"  # a secret in a form the report did not name (no gateway can read it)


def load(path: str | Path) -> dict:
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    check(report, str(path))
    return report


def check(report: dict, where: str = "the report") -> None:
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        raise ValueError(f"{where} is not a gateway doctor report (schema {SCHEMA})")
    if not (report.get("gateway") or {}).get("generation"):
        raise ValueError(f"{where} shows no gateway: there is nothing to replay")


def secret(form: dict, prefix: str) -> str | None:
    """A stand-in of the form the doctor reported."""
    kind = (form or {}).get("form")
    if kind == "none":
        return None
    if kind == "empty":
        return ""
    if kind == "plaintext":
        return prefix + base64.b64encode(PLACEHOLDER_PAIR.encode()).decode()
    return OPAQUE


def restore(node, prefix: str):
    """A redacted document with placeholders where the doctor put forms."""
    if isinstance(node, dict):
        if node.get("redacted") is True and set(node) <= {"redacted", "set", "form"}:
            return secret(node, prefix)
        return {key: restore(item, prefix) for key, item in node.items()}
    if isinstance(node, list):
        return [restore(item, prefix) for item in node]
    return node


def served_port(report: dict) -> int:
    """The port the gateway answered on: a TLS answer, else its http.sys binding, else the port the collection read."""
    evidence = report["evidence"]
    answered = [item["port"] for item in evidence.get("tls") or [] if item.get("ok")]
    if answered:
        return int(answered[0])
    ports = [probe["port"] for probe in evidence.get("rest") or []]
    return int(ports[0] if ports else report["gateway"]["port"])


def model_options(report: dict) -> dict:
    """The constructor options of the replayed GatewayModel (the rest is laid out by :func:`lay_out`)."""
    check(report)
    evidence, gateway = report["evidence"], report["gateway"]
    host = evidence.get("host") or {}
    name = str(host.get("computer_name") or report.get("host") or "doctor-replay").lower()
    return {"generation": gateway["generation"], "name": name,
            "fqdn": str(host.get("fqdn") or name), "version": gateway.get("version"), "port": served_port(report),
            "client_certificate_store": None}


def _acl(entries: list[dict]) -> frozenset[str]:
    return frozenset(f"{e['identity']}:{e['rights']}" for e in entries or [] if e.get("type", "Allow") == "Allow")


def lay_out(model: GatewayModel, report: dict, prefix: str, login_modes: tuple[str, ...]) -> None:
    """Replace the machine state of a freshly built model by what the report's evidence shows."""
    evidence = report["evidence"]
    model.registry.clear()
    for reading in (evidence.get("registry") or {}).values():
        if not reading.get("found"):
            continue
        values = dict(reading.get("values") or {})
        values.update({name: json.dumps(restore(doc, prefix), separators=(",", ":"))
                       for name, doc in (reading.get("json_values") or {}).items()})
        values.update({name: secret(form, prefix) for name, form in (reading.get("secret_values") or {}).items()})
        values.update({name: bytes(length) for name, length in (reading.get("binary_values") or {}).items()})
        model.registry[reading["key"].lower()] = values
        for sub in reading.get("subkeys") or []:
            model.registry.setdefault(f"{reading['key']}\\{sub}".lower(), {})
    model.files.clear()
    model.file_versions.clear()
    directories = set()
    for reading in (evidence.get("json_files") or {}).values():
        if reading.get("found"):
            document = restore(reading.get("document"), prefix)
            model.file_create(reading["path"], json.dumps(document, indent=2), acl=_acl(reading.get("acl")))
    for reading in (evidence.get("files") or {}).values():
        if not reading.get("found"):
            continue
        if reading.get("kind") == "directory":
            directories.add(reading["path"].lower())
        elif reading.get("version"):
            model.file_versions[reading["path"].lower()] = reading["version"]
        else:
            model.file_create(reading["path"], "MIGRATION COMPLETED AT (replayed)")  # MIG Update-WACEnvironment
    model.services.clear()
    for name, service in (evidence.get("services") or {}).items():
        if service:
            model.add_service(name, service.get("status") or "Stopped", service.get("start_type") or "Manual")
    model.processes.clear()
    model.processes.update(name.lower() for name, item in (evidence.get("processes") or {}).items()
                           if (item or {}).get("running"))
    model.certificates.clear()
    for lookup in evidence.get("certificates") or []:
        if lookup.get("found"):
            model.add_certificate(lookup["store"], lookup["thumbprint"], lookup.get("subject") or "")
            model.client_certificate = str(lookup["thumbprint"]).upper()
    settings = ((evidence.get("json_files") or {}).get("appsettings") or {}).get("document") or {}
    mode = ((settings.get("WindowsAdminCenter") or {}).get("System") or {}).get("TokenAuthenticationMode")
    if mode in login_modes:
        model.login_mode = mode
    model.aad_app, model.aad_status = _registration(report, model.rest_root), {}
    model.pc_details = _details(report, directories)


def _registration(report: dict, root: str) -> dict | None:
    """The registration the gateway answered on its REST root (the SDK's AadAppConfig fields)."""
    for probe in report["evidence"].get("rest") or []:
        status = probe.get("status")
        if probe.get("root") == root and isinstance(status, int) and 200 <= status < 300:
            body = probe.get("body") if isinstance(probe.get("body"), dict) else {}
            props = body.get("properties") if isinstance(body.get("properties"), dict) else body
            return dict(props) if props else None
    return None


def _details(report: dict, directories: set) -> PCDetails:
    evidence = report["evidence"]
    module = evidence.get("module") or {}
    certificates = {}
    for answer in evidence.get("tls") or []:
        if answer.get("ok"):
            certificates[int(answer["port"])] = {key: answer.get(key) for key in (
                "subject", "issuer", "thumbprint", "not_before", "not_after")}
    return PCDetails(
        computer_name=str((evidence.get("host") or {}).get("computer_name") or ""),
        os=dict(evidence.get("os") or {}),
        powershell=dict(evidence.get("powershell") or {}),
        winrm={name: value for name, value in ((evidence.get("winrm") or {}).get("values") or {}).items()
               if value is not None},
        module={"found": bool(module.get("found")), "version": module.get("version"),
                "cmdlets": list(module.get("cmdlets") or [])},
        certificates=certificates,
        http_sys_lines=list((evidence.get("http_sys") or {}).get("lines") or []),
        listeners=list((evidence.get("listeners") or {}).get("ports") or []),
        directories=directories,
    )


def fleet_layout(reports: list[dict], count: int | None, generations: list[str] | None) -> tuple[int, list[str]]:
    """The count and generations of a fleet whose first PCs replay ``reports`` (the others as ``generations``)."""
    count = max(count or len(reports), len(reports))
    rest = list(generations or GENERATIONS)
    planned = [report["gateway"]["generation"] for report in reports]
    planned += [rest[index % len(rest)] for index in range(count - len(reports))]
    return count, planned


def attach(fleet, reports: list[dict]) -> None:
    """Make the first PCs of ``fleet`` replay ``reports`` (their model is built from the report on first use)."""
    for pc, report in zip(fleet.pcs.values(), reports, strict=False):
        pc.generation = report["gateway"]["generation"]
        pc.model_options["doctor_report"] = report
