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

import datetime
import json
import re

from .gateway_model import STOPPED, ConnectionRefused, GatewayModel, MachineError
from .session import Session, local_session

_MARKER = re.compile(r"^\s*#\s*wac\.fleet operation:\s*([A-Za-z0-9_.-]+)\s*$")
_MARKER_SEARCH_LINES = 8
_INLINE_INPUT = re.compile(r"^\$inputJson = '((?:[^']|'')*)'$", re.MULTILINE)


def find_operation(script: str) -> str | None:
    """The operation named by the marker line among the first non-empty lines of ``script``."""
    lines = [line for line in script.splitlines() if line.strip()]
    for line in lines[:_MARKER_SEARCH_LINES]:
        match = _MARKER.match(line)
        if match:
            return match.group(1)
    return None


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


def _http(model: GatewayModel, method: str, url: str, body=None) -> dict:
    """``Invoke-WebRequest -UseDefaultCredentials`` as the scripts use it: status and parsed body, or error."""
    try:
        status, answer = model.http(method, url, body)
    except ConnectionRefused as exc:
        return {"status": None, "body": None, "error": str(exc)}
    if 200 <= status < 300:
        return {"status": status, "body": answer}
    return {"status": status, "body": None, "error": f"The remote server returned an error: ({status})."}


# ------------------------------------------------------------------------------------------------ operations
def op_gateway_info(model: GatewayModel, data: dict, _faults: dict) -> dict:
    stores = {}
    for spec in data["stores"]:
        out = {"found": False, "values": {}, "proxy_credentials": {"set": False, "username": None},
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
        proxy = out["values"].get("proxy")
        if isinstance(proxy, str):
            proxy = json.loads(proxy) if proxy else None
        if isinstance(proxy, dict):
            proxy = dict(proxy)
            blob = proxy.pop(spec["protected_member"], None)
            if blob:
                try:
                    username = json.loads(model.unprotect(blob)).get("username")
                except (MachineError, ValueError):
                    username = None
                out["proxy_credentials"] = {"set": True, "username": username}
        out["values"]["proxy"] = proxy
        port = out["values"].get("port")
        if out["found"] and port:
            out["registration"] = _http(model, "GET", f"https://localhost:{port}{spec['rest_root']}{spec['rest_read']}")
        stores[spec["id"]] = out
    services = {}
    for name in data["services"]:
        state = model.service_state(name)
        services[name] = {"status": state, "start_type": "Automatic"} if state else None
    processes = {name: model.process_running(name) for name in data["processes"]}
    restart_marker = {"set": False, "since": None}
    marker = data.get("restart_marker")
    if marker:
        value = (model.registry_values(marker["location"]) or {}).get(marker["name"])
        if value is not None:
            restart_marker = {"set": True, "since": str(value)}
    return {"stores": stores, "services": services, "processes": processes, "fqdn": model.fqdn,
            "restart_marker": restart_marker}


def op_gateway_proxy_write(model: GatewayModel, data: dict, _faults: dict) -> dict:
    target = data["target"]
    member = target["protected_member"]
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
        blob = (current or {}).get(member)
        credentials = data["credentials"]
        if data["only_if_password_differs"]:
            matches = False
            if blob and credentials:
                try:
                    stored = json.loads(model.unprotect(blob))
                    matches = stored == {"username": credentials["username"], "password": credentials["password"]}
                except (MachineError, ValueError):
                    matches = False
            if matches or data["dry_run"]:
                return {"written": False, "password_matches": matches}
        if data["state"] == "absent":
            new = None
        else:
            new = dict(current or {})
            new.update(data["document"])
            if credentials:
                new[member] = model.protect(json.dumps({"username": credentials["username"],
                                                        "password": credentials["password"]}))
            elif not data["keep_credentials"]:
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
            model.file_write(path, json.dumps(settings, indent=2))
    return {"written": True, "password_matches": False}


def op_gateway_service_control(model: GatewayModel, data: dict, faults: dict) -> dict:
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


def op_gateway_health(model: GatewayModel, data: dict, _faults: dict) -> dict:
    services = {name: model.service_state(name) for name in data["services"]}
    answer = _http(model, "GET", data["url"])
    ok = answer["status"] is not None and answer["status"] < 500
    return {"services": services, "https": {"ok": ok, "status": answer["status"], "error": answer.get("error")}}


def op_gateway_rest(model: GatewayModel, data: dict, _faults: dict) -> dict:
    responses = []
    for request in data["requests"]:
        answer = _http(model, request["method"], data["base_url"] + request["path"], request["body"])
        responses.append({"method": request["method"], "path": request["path"], **answer})
        if answer["status"] is None or not 200 <= answer["status"] < 300:
            break
    return {"responses": responses}


OPERATIONS = {
    "gateway_info": op_gateway_info,
    "gateway_proxy_write": op_gateway_proxy_write,
    "gateway_service_control": op_gateway_service_control,
    "gateway_health": op_gateway_health,
    "gateway_rest": op_gateway_rest,
}


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
        result = handler(pc.model, data, faults)
    except MachineError as exc:
        return _failed(str(exc))
    except (KeyError, TypeError, ValueError) as exc:
        return _failed(f"bad script input for {operation}: {type(exc).__name__}: {exc}")
    return 0, json.dumps(result, separators=(",", ":")) + "\r\n", ""
