"""What the shipped gateway_doctor.ps1 does on a simulated PC, step by step, with the machine's primitives: it reads
(registry keys, JSON settings files with their ACL, files, services, processes, certificate stores, netsh's http.sys
bindings, listening ports, TLS handshakes, GETs of the gateway's REST API, the configuration module, WinRM quotas)
and writes nothing. Secrets are replaced by their presence and form, as the script replaces them, before they leave
the PC. ``ops.op_gateway_doctor`` routes the operation here.
"""

from __future__ import annotations

import json
import re

from .gateway_model import GatewayModel
from .machine import Machine
from .ops import _call, _json_path, _port
from .pc_details import details_of
from .session import Session

_WELL_KNOWN_SIDS = {  # what IdentityReference.Translate(SecurityIdentifier) gives for the accounts the model uses
    "NT AUTHORITY\\NETWORK SERVICE": "S-1-5-20", "NT AUTHORITY\\SYSTEM": "S-1-5-18",
    "BUILTIN\\Administrators": "S-1-5-32-544", "BUILTIN\\Users": "S-1-5-32-545",
}


def secret_form(value, prefix: str) -> dict:
    """``Get-SecretForm``."""
    if value is None:
        return {"redacted": True, "set": False, "form": "none"}
    text = value if isinstance(value, str) else json.dumps(value)
    form = "other"
    if isinstance(value, str):
        form = "empty" if not text else ("plaintext" if prefix and text.startswith(prefix) else "other")
    return {"redacted": True, "set": bool(text), "form": form}


def protect(node, pattern: re.Pattern, prefix: str):
    """``Protect-Secret``."""
    if isinstance(node, dict):
        return {name: secret_form(item, prefix) if pattern.search(name) else protect(item, pattern, prefix)
                for name, item in node.items()}
    if isinstance(node, list):
        return [protect(item, pattern, prefix) for item in node]
    return node


def _kind(value) -> str:
    if isinstance(value, bool) or isinstance(value, int):
        return "DWord"
    if isinstance(value, list):
        return "MultiString"
    if isinstance(value, bytes):
        return "Binary"
    return "String"


def _registry(model: Machine, spec: dict, pattern: re.Pattern, prefix: str) -> tuple[dict, dict]:
    out = {"key": spec["key"], "found": False, "values": {}, "json_values": {}, "secret_values": {},
           "binary_values": {}, "kinds": {}, "subkeys": []}
    values = model.registry_values(spec["key"])
    if values is None:
        return out, {}
    out["found"] = True
    below = spec["key"].lower() + "\\"
    out["subkeys"] = sorted({key[len(below):].split("\\", 1)[0] for key in model.registry if key.startswith(below)})
    for name, value in values.items():
        out["kinds"][name] = _kind(value)
        if pattern.search(name):
            out["secret_values"][name] = secret_form(value, prefix)
        elif isinstance(value, bytes):
            out["binary_values"][name] = len(value)
        elif isinstance(value, str) and value.lstrip().startswith("{") and _parses(value):
            out["json_values"][name] = protect(json.loads(value), pattern, prefix)
        else:
            out["values"][name] = value
    return out, values


def _parses(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _acl(model: Machine, path: str) -> list[dict]:
    entries = []
    for entry in sorted(model.file_acl(path) or ()):
        identity, _sep, rights = entry.rpartition(":")
        entries.append({"identity": identity, "sid": _WELL_KNOWN_SIDS.get(identity), "rights": rights,
                        "type": "Allow", "inherited": False})
    return entries


def _exists(model: GatewayModel, path: str) -> tuple[bool, str | None]:
    lower = path.lower()
    if model.file_exists(path) or model.file_version(path) is not None:
        return True, "file"
    if lower in details_of(model).directories:
        return True, "directory"
    return False, None


def _bound_ports(lines: list[str], app_ids: list[str]) -> list[int]:
    """The script's parse of netsh's blocks: the first address:port and the first GUID of each."""
    wanted = {app_id.lower() for app_id in app_ids}
    ports, block = [], []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
            continue
        port = application = None
        for entry in block:
            parts = re.split(r"\s:\s", entry, maxsplit=1)
            if len(parts) < 2:
                continue
            text = parts[1].strip()
            found = re.match(r"^\S+:(\d+)$", text)
            if port is None and found:
                port = int(found.group(1))
            if application is None and re.match(r"^\{?[0-9a-fA-F-]{36}\}?$", text):
                application = text.strip("{}").lower()
        if port is not None and application in wanted:
            ports.append(port)
        block = []
    return ports


def _tls(model: GatewayModel, port: int) -> dict:
    out = {"port": port, "ok": False, "error": None, "subject": None, "issuer": None, "thumbprint": None,
           "not_before": None, "not_after": None}
    certificate = details_of(model).certificates.get(port)
    if port != model.port or not model.listening() or certificate is None:
        out["error"] = ("Exception calling \"Connect\" with \"2\" argument(s): \"No connection could be made because "
                        "the target machine actively refused it\"")
        return out
    out.update({key: certificate.get(key) for key in ("subject", "issuer", "thumbprint", "not_before", "not_after")})
    out["ok"] = True
    return out


def collect(model: GatewayModel, data: dict, _faults: dict, session: Session, _script: str) -> dict:
    details = details_of(model)
    pattern = re.compile(data["secret_names"], re.IGNORECASE)
    prefix = data["plaintext_prefix"]
    credentials = data.get("credentials")
    registry, classic_values = {}, {}
    for spec in data["registry"]:
        registry[spec["id"]], values = _registry(model, spec, pattern, prefix)
        if spec["id"] == "classic":
            classic_values = values
    json_files, documents = {}, {}
    for spec in data["json_files"]:
        path = model.expand(spec["path"])
        out = {"path": path, "found": False, "document": None, "acl": [], "error": None}
        text = model.file_read(path)
        if text is not None:
            out["found"] = True
            try:
                documents[spec["id"]] = json.loads(text)
                out["document"] = protect(documents[spec["id"]], pattern, prefix)
            except ValueError as exc:
                out["error"] = f"Invalid JSON primitive: {exc}"
            out["acl"] = _acl(model, path)
        json_files[spec["id"]] = out
    files = {}
    for spec in data["files"]:
        path = model.expand(spec["path"])
        found, kind = _exists(model, path)
        files[spec["id"]] = {"path": path, "found": found, "kind": kind,
                             "version": model.file_version(path) if kind == "file" else None}
    services, process_ids = {}, False
    for name in data["services"]:
        state = model.service_state(name)
        services[name] = {"status": state, "start_type": model.service_start_type(name)} if state else None
        process_ids = process_ids or state == "Running"
    processes = {}
    for name in data["processes"]:
        running = model.process_running(name)
        processes[name] = {"running": running, "count": 1 if running else 0}
        process_ids = process_ids or running
    certificates = []
    thumbprint = classic_values.get(data["client_certificate"]["value"])
    if thumbprint:
        for store in data["client_certificate"]["stores"]:
            subject = model.find_certificate(store, str(thumbprint))
            certificates.append({"store": store, "thumbprint": str(thumbprint), "found": subject is not None,
                                 "subject": subject, "not_after": None, "has_private_key": True if subject else None})
    http_sys = {"lines": list(details.http_sys_lines), "error": None}
    bound = _bound_ports(http_sys["lines"], data["http_sys_app_ids"])
    listeners = {"ports": sorted(set(details.listeners)) if process_ids else [], "error": None}
    tls, rest, probed = [], [], {}
    for store in data["stores"]:
        if store["kind"] == "registry":
            found = registry.get("classic", {}).get("found") and store["location"] == registry["classic"]["key"]
            values = {field: classic_values.get(name) for field, name in store["fields"].items()}
        else:
            found = "appsettings" in documents
            values = {field: _json_path(documents.get("appsettings"), path) for field, path in store["fields"].items()}
        if not found:
            continue
        port = None
        for field in store["port_fields"]:
            port = port or _port(values.get(field))
        port = port or store.get("default_port")
        ports = ([port] if port else []) + bound + listeners["ports"]
        auths = []
        unless = store["rest"].get("certificate_unless_service")
        desktop = bool(unless) and services.get(unless) is None
        if desktop:
            certificate = store["rest"]["certificate"]
            auths.append({"kind": "certificate", "registry_key": store["location"],
                          "value": store["fields"][certificate["field"]], "stores": certificate["stores"]})
        auths.append({"kind": "default"})
        if credentials and not desktop:
            auths.append({"kind": "explicit", **credentials})
        for candidate in dict.fromkeys(ports):
            if candidate not in probed:
                probed[candidate] = _tls(model, candidate)
                tls.append(probed[candidate])
            if not probed[candidate]["ok"]:
                continue
            for auth in auths:
                jar: dict = {}
                url = f"https://localhost:{candidate}{store['rest']['root']}{store['rest']['read']}"
                answer = _call(model, session, "GET", url, auth, jar)
                rest.append({"store": store["id"], "port": candidate, "root": store["rest"]["root"],
                             "auth": auth["kind"], "status": answer["status"], "error": answer["error"],
                             "body": protect(answer["body"], pattern, prefix), "cookies": list(jar)})
    module_path = model.expand(data["module"]["path"])
    module = {"name": data["module"]["name"], "path": module_path, "found": bool(details.module.get("found")),
              "loaded": False, "imported": bool(details.module.get("found")),
              "version": details.module.get("version") if details.module.get("found") else None,
              "cmdlets": sorted(details.module.get("cmdlets") or []) if details.module.get("found") else [],
              "error": None}
    winrm = {"values": {}, "error": None}
    for name in data["winrm"]["settings"]:
        if name in details.winrm:
            winrm["values"][name] = details.winrm[name]
        else:
            winrm["values"][name] = None
            winrm["error"] = f"Cannot find path '{data['winrm']['path']}\\{name}' because it does not exist."
    return {"doctor": 1, "host": {"computer_name": details.computer_name, "fqdn": model.fqdn}, "os": details.os,
            "powershell": details.powershell, "registry": registry, "json_files": json_files, "files": files,
            "services": services, "processes": processes, "certificates": certificates, "http_sys": http_sys,
            "listeners": listeners, "tls": tls, "rest": rest, "module": module, "winrm": winrm}
