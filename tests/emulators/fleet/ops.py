"""Route a decoded PowerShell script to the gateway model by its marker, and do what that script does.

``run_script(pc, script, stdin, session)`` is the one entry point the WinRM protocol side calls for every command. The
script's marker line ``# wac.fleet operation: <name>`` (among its first lines; Ansible prefixes lines such as
``Set-StrictMode -Version Latest``) names the operation; its JSON input is what the client sent on ``stdin``, or,
for a script that carries it (``$inputJson = '...'`` on a line of its own, a PowerShell single-quoted string in
which ``''`` is one quote), that literal, as the shipped gateway_info.ps1 reads it. Each
handler below mirrors one shipped ``plugins/plugin_utils/scripts/<name>.ps1`` step by step, using only the
machine primitives of :class:`~tests.emulators.fleet.gateway_model.GatewayModel` (registry, files, services,
DPAPI, HTTPS), so a plugin that passes the wrong registry key, file, service or REST path fails here as it would
on a real PC. An unknown or missing marker is an error (rc 1), never a silent success.
"""

from __future__ import annotations

import base64
import datetime
import json
import re

from .fleet import operation_of
from .gateway_api import WebRequest
from .gateway_model import STOPPED, GatewayModel, MachineError
from .session import Session, local_session

_INLINE_INPUT = re.compile(r"^\$inputJson = '((?:[^']|'')*)'$", re.MULTILINE)


find_operation = operation_of  # the emulator's one routing rule (fleet.py)


def script_input(script: str, stdin: str) -> str:
    """The JSON text the script reads: its own ``$inputJson`` literal if it sets one, else standard input."""
    match = _INLINE_INPUT.search(script)
    return match.group(1).replace("''", "'") if match else stdin


def _json_path(document, path: str):
    node = document
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return None
        node = node[name]
    return node


def _set_json_path(document: dict, path: str, value) -> None:
    names = path.split(".")
    node = document
    for name in names[:-1]:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[names[-1]] = value


def gateway_auth(model: GatewayModel, auth: dict | None) -> dict:
    """What ``Get-GatewayAuth`` (_prelude.ps1) hands Invoke-WebRequest: the client certificate found through the
    registry value in one of the stores named, explicit credentials, or the logon's default credentials."""
    auth = auth or {"kind": "default"}
    if auth.get("kind") == "certificate":
        thumbprint = (model.registry_values(auth["registry_key"]) or {}).get(auth["value"])
        if not thumbprint:
            raise MachineError(f"no client certificate: the registry value {auth['value']} of "
                               f"{auth['registry_key']} is missing")
        for store in auth["stores"]:
            if model.find_certificate(store, thumbprint):
                return {"kind": "certificate", "thumbprint": str(thumbprint).upper()}
        raise MachineError(f"the client certificate {thumbprint} named by {auth['value']} is in none of "
                           f"{', '.join(auth['stores'])}")
    if auth.get("kind") == "explicit":
        return {"kind": "explicit", "username": auth.get("username"), "password": auth.get("password")}
    return {"kind": "default"}


def _call(model: GatewayModel, session: Session, method: str, url: str, auth: dict | None, jar: dict,
          body=None, headers: dict | None = None) -> dict:
    """``Invoke-Gateway`` (_prelude.ps1): status and parsed body, or the error; ``jar`` is the web session's cookies."""
    try:
        request = WebRequest(method, url, body, dict(headers or {}), dict(jar), gateway_auth(model, auth), session)
        response = model.http(request)
    except MachineError as exc:  # ConnectionRefused, or no client certificate
        return {"status": None, "body": None, "error": str(exc)}
    jar.update(response.cookies)
    if 200 <= response.status < 300:
        return {"status": response.status, "body": response.body, "error": None}
    error = f"The remote server returned an error: ({response.status})."
    return {"status": response.status, "body": None, "error": error}


def _xsrf_header(jar: dict, xsrf: dict | None) -> dict:
    """``Get-XsrfHeader`` (_prelude.ps1): the first named cookie the gateway set, as the XSRF header."""
    for name in (xsrf or {}).get("cookies", []):
        if jar.get(name):
            return {xsrf["header"]: jar[name]}
    return {}


def _proxy_credentials(proxy: dict, members: list[str]) -> dict:
    """``Get-ProxyCredential`` (gateway_info.ps1): set, form, and the user name of the plaintext form only."""
    found = {"set": False, "form": None, "username": None}
    for member in members:
        text = proxy.get(member)
        if not text:
            continue
        found["set"] = True
        text = str(text)
        if text.startswith("plaintext:"):
            found["form"] = "plaintext"
            try:
                found["username"] = base64.b64decode(text[10:], validate=True).decode().split(":")[0]
            except (ValueError, UnicodeDecodeError):
                found["username"] = None
        elif found["form"] is None:
            found["form"] = "protected"
    return found


def _port(value) -> int | None:
    """``ConvertTo-Port`` (_prelude.ps1)."""
    for item in value if isinstance(value, list) else [value]:
        if item is None:
            continue
        text = str(item).strip().rstrip("/")
        text = text.rsplit(":", 1)[-1] if ":" in text else text
        if text.isdigit() and 0 < int(text) < 65536:
            return int(text)
    return None


# ------------------------------------------------------------------------------------------------ operations
def op_gateway_info(model: GatewayModel, data: dict, _faults: dict, session: Session, _script: str) -> dict:
    services = {}
    for name in data["services"]:
        state = model.service_state(name)
        services[name] = {"status": state, "start_type": model.service_start_type(name)} if state else None
    credentials = data.get("credentials")
    stores = {}
    for spec in data["stores"]:
        out = {"found": False, "values": {}, "proxy_credentials": {"set": False, "form": None, "username": None},
               "registration": None}
        if spec["kind"] == "registry":
            values = model.registry_values(spec["location"])
            out["found"] = values is not None
            for field, name in spec["fields"].items():
                out["values"][field] = (values or {}).get(name)
        elif spec["kind"] == "json":
            text = model.file_read(model.expand(spec["location"]))
            document = json.loads(text) if text else None
            out["found"] = text is not None
            for field, path in spec["fields"].items():
                out["values"][field] = _json_path(document, path) if document is not None else None
            if spec.get("version_file"):
                out["file_version"] = model.file_version(model.expand(spec["version_file"]))
        else:
            raise MachineError(f"unknown store kind {spec['kind']!r}")
        members = spec.get("credential_members") or [spec.get("protected_member")]
        proxy = out["values"].get("proxy")
        if isinstance(proxy, str):
            proxy = json.loads(proxy) if proxy else None
        if isinstance(proxy, dict):
            proxy = dict(proxy)
            out["proxy_credentials"] = _proxy_credentials(proxy, members)
            for member in members:
                proxy.pop(member, None)
        out["values"]["proxy"] = proxy
        port = None
        for field in spec.get("port_fields") or ["port"]:
            port = port or _port(out["values"].get(field))
        port = port or spec.get("default_port")
        if out["found"] and port:
            rest = spec.get("rest") or {"root": spec.get("rest_root"), "read": spec.get("rest_read")}
            auth = {"kind": "explicit", **credentials} if credentials else {"kind": "default"}
            if rest.get("certificate_unless_service") and services.get(rest["certificate_unless_service"]) is None:
                certificate = rest["certificate"]
                auth = {"kind": "certificate", "registry_key": spec["location"],
                        "value": spec["fields"][certificate["field"]], "stores": certificate["stores"]}
            out["registration"] = _call(model, session, "GET", f"https://localhost:{port}{rest['root']}{rest['read']}",
                                        auth, {})
        stores[spec["id"]] = out
    processes = {name: model.process_running(name) for name in data["processes"]}
    markers = {}
    for key, marker in data["markers"].items():
        value = (model.registry_values(marker["location"]) or {}).get(marker["name"])
        markers[key] = {"set": value is not None, "since": None if value is None else str(value)}
    return {"stores": stores, "services": services, "processes": processes, "fqdn": model.fqdn, "markers": markers}


def _plaintext(prefix: str, credentials: dict) -> str:
    return prefix + base64.b64encode(f"{credentials['username']}:{credentials['password']}".encode()).decode()


def op_gateway_proxy_write(model: GatewayModel, data: dict, _faults: dict, _session: Session, script: str) -> dict:
    target = data["target"]
    plaintext_member = target.get("plaintext_member")
    with model.lock:
        if target["kind"] == "registry":
            values = model.registry_values(target["location"])
            if values is None:
                raise MachineError(f"registry key {target['location']} not found")
            raw = values.get(target["field"])
            current = json.loads(raw) if raw else None
        else:
            path = model.expand(target["location"])
            text = model.file_read(path)
            if text is None:
                raise MachineError(f"settings file {path} not found")
            settings = json.loads(text)
            current = _json_path(settings, target["field"])
        credentials = data["credentials"]
        if data["only_if_password_differs"]:
            matches = bool(current and plaintext_member and credentials) and \
                current.get(plaintext_member) == _plaintext(target["plaintext_prefix"], credentials)
            if matches or data["dry_run"]:
                return {"written": False, "password_matches": matches}
        if data["state"] == "absent":
            new = None
        else:
            new = dict(current or {})
            new.update(data["document"])
            if credentials and plaintext_member:
                new[target["protected_member"]] = ""
                new[plaintext_member] = _plaintext(target["plaintext_prefix"], credentials)
            elif credentials and "ProtectedData]::Protect(" in script:
                # a script that protects the credentials with DPAPI itself writes a blob of its own making, which
                # the gateway cannot read (the model's gateway_api then fails its calls to Azure)
                pair = json.dumps({"username": credentials["username"], "password": credentials["password"]})
                new[target["protected_member"]] = base64.b64encode(f"dpapi:{model.name}:{pair}".encode()).decode()
            elif credentials:
                raise MachineError("this gateway generation has no documented form for proxy credentials")
            elif not data["keep_credentials"]:
                for member in target.get("credential_members") or [target["protected_member"]]:
                    if plaintext_member:
                        new[member] = ""
                    else:
                        new.pop(member, None)
        marker = data.get("restart_marker")
        if marker:  # set before the write, as the script does
            model.registry_create_key(marker["location"])
            stamp = datetime.datetime.now(datetime.UTC).isoformat()
            model.registry_set(marker["location"], marker["name"], stamp)
        if target["kind"] == "registry":
            if new is None:
                model.registry_remove(target["location"], target["field"])
            else:
                model.registry_set(target["location"], target["field"], json.dumps(new, separators=(",", ":")))
        else:
            _set_json_path(settings, target["field"], new)
            text = json.dumps(settings, indent=2)
            if "Move-Item" in script:
                # A script that writes a new file and moves it over the settings file replaces the file, ACL and
                # all: the new file has only what it inherits from its folder.
                model.file_create(path + ".wacfleet.tmp", text)
                model.file_move(path + ".wacfleet.tmp", path)
            else:
                model.file_write(path, text)  # in place: the file keeps its ACL
    return {"written": True, "password_matches": False}


def op_gateway_service_control(model: GatewayModel, data: dict, faults: dict, _session: Session, _script: str) -> dict:
    names = list(data["services"])
    action = data["action"]
    if action not in ("start", "stop", "restart"):
        raise MachineError(f"unknown action {action!r}")
    for name in names:
        if model.service_state(name) is None:
            raise MachineError(f"Cannot find any service with service name '{name}'.")
    if action in ("stop", "restart"):
        for name in reversed(names):
            model.stop_service_and_wait(name, float(data["stop_timeout"]))
    started_all = False
    if action in ("start", "restart"):
        started_all = bool(names)
        for name in names:
            started_all = started_all and model.service_state(name) == STOPPED  # Start() only from Stopped
            model.start_service(name, never_starts=bool(faults.get("service_never_starts")))
    marker = data.get("restart_marker")
    cleared = bool(started_all and marker)
    if cleared:
        model.registry_remove(marker["location"], marker["name"])
    return {"services": {name: model.service_state(name) for name in names}, "marker_cleared": cleared}


def op_gateway_health(model: GatewayModel, data: dict, _faults: dict, session: Session, _script: str) -> dict:
    services = {name: model.service_state(name) for name in data["services"]}
    answer = _call(model, session, "GET", data["url"], {"kind": "none"}, {})
    ok = answer["status"] is not None and answer["status"] < 500
    return {"services": services, "https": {"ok": ok, "status": answer["status"], "error": answer.get("error")}}


def op_gateway_rest(model: GatewayModel, data: dict, _faults: dict, session: Session, _script: str) -> dict:
    jar: dict = {}
    auth = data.get("auth")
    read = None
    if data.get("read_first"):
        read = _call(model, session, "GET", data["base_url"] + data["read_first"], auth, jar)
    responses = []
    marker = data.get("marker")
    if read is None or (read["status"] is not None and 200 <= read["status"] < 300):
        if marker:  # set before the first write, as the script does
            model.registry_create_key(marker["location"])
            model.registry_set(marker["location"], marker["name"], datetime.datetime.now(datetime.UTC).isoformat())
        for request in data["requests"]:
            url = data["base_url"] + request["path"]
            answer = _call(model, session, request["method"], url, auth, jar, request["body"],
                           _xsrf_header(jar, data.get("xsrf")))
            responses.append({"method": request["method"], "path": request["path"], **answer})
            if answer["status"] is None or not 200 <= answer["status"] < 300:
                break
        if marker and len(responses) == len(data["requests"]) and all(200 <= r["status"] < 300 for r in responses):
            model.registry_remove(marker["location"], marker["name"])
    return {"read": read, "responses": responses}


OPERATIONS = {
    "gateway_info": op_gateway_info,
    "gateway_proxy_write": op_gateway_proxy_write,
    "gateway_service_control": op_gateway_service_control,
    "gateway_health": op_gateway_health,
    "gateway_rest": op_gateway_rest,
}


def op_gateway_doctor(model: GatewayModel, data: dict, faults: dict, session: Session, script: str) -> dict:
    """gateway_doctor.ps1: read-only; mirrored step by step in doctor_ops.py."""
    from .doctor_ops import collect

    return collect(model, data, faults, session, script)


OPERATIONS["gateway_doctor"] = op_gateway_doctor


def _failed(msg: str) -> tuple[int, str, str]:
    return 1, json.dumps({"failed": True, "msg": msg}) + "\r\n", ""


def run_script(pc, script: str, stdin: str, session: Session | None = None) -> tuple[int, str, str]:
    """Run one decoded script on the simulated PC ``pc`` as ``session`` (default: the PC's user over NTLM):
    (rc, stdout, stderr)."""
    session = session or local_session(pc.user)
    operation = find_operation(script or "")
    if operation is None:
        return 1, "", ("wac.fleet emulator: the script has no '# wac.fleet operation: <name>' marker line, "
                       "so this simulated PC cannot run it\r\n")
    faults = getattr(pc, "faults", None) or {}
    injected = faults.get("script_fail")
    if injected and injected in ("*", operation):
        return 1, "", (f"wac.fleet emulator: injected fault: script {operation} failed on {pc.name} "
                       "(Exception calling \"Invoke\": simulated failure)\r\n")
    if operation == "noop":
        return 0, "", ""
    handler = OPERATIONS.get(operation)
    if handler is None:
        return 1, "", f"wac.fleet emulator: unknown operation {operation!r}; known: noop, {', '.join(OPERATIONS)}\r\n"
    text = script_input(script, stdin)
    try:
        data = json.loads(text) if text and text.strip() else None
    except ValueError as exc:
        return _failed(f"Invalid JSON primitive in the script input: {exc}")
    if not isinstance(data, dict):
        return _failed("the script input must be one JSON object (on standard input or in $inputJson)")
    try:
        result = handler(pc.model, data, faults, session, script)
    except MachineError as exc:
        return _failed(str(exc))
    except (KeyError, TypeError, ValueError) as exc:
        return _failed(f"bad script input for {operation}: {type(exc).__name__}: {exc}")
    return 0, json.dumps(result, separators=(",", ":")) + "\r\n", ""
