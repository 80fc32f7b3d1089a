# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway doctor's check kinds: how the evidence of one PC confirms or contradicts one fact, or shows it absent.

Each fact of ``_gateway_facts.py`` names one kind in ``CHECKS`` with its arguments. A kind returns
``(status, found)``: ``confirmed`` or ``contradicted`` with what was found, or ``absent`` with why (the thing the fact
is about is not on this PC, or it cannot be checked without writing). Before the kind runs, the check's ``on``
(:data:`SUBJECTS`) decides whether the fact is about this PC at all.
"""

from __future__ import annotations

import dataclasses
import datetime

from ._gateway_adapters import CLASSIC_DESKTOP, CLASSIC_SERVER, MODERN, STORES, port_of
from ._gateway_doctor_evidence import Evidence, has_json_path, json_path, parse_time, script_input
from ._gateway_facts import CHECKS, Check
from ._gateway_facts import value as fact

CONFIRMED, CONTRADICTED, ABSENT = "confirmed", "contradicted", "absent"
RESULTS = (CONFIRMED, CONTRADICTED, ABSENT)
_STORE = {store["id"]: store for store in STORES}
_V1 = (CLASSIC_SERVER, CLASSIC_DESKTOP)


@dataclasses.dataclass
class Context:
    evidence: Evidence
    generation: str | None  # as _gateway_adapters.detect_generation decides it; None: no gateway
    gateway: dict | None  # what gateway_info would report (describe), None without a gateway
    delegates: bool | None  # whether the logon holds delegated credentials; None: not known
    now: datetime.datetime

    def app_ids(self) -> tuple[str, ...]:
        return (fact("v1.http_sys_app_id"),) if self.generation in _V1 else (fact("v2.http_sys_app_id"),)

    def served(self) -> list[int]:
        return self.evidence.served_ports(self.app_ids())

    def rest_port(self, root: str) -> int | None:
        """The port of the REST answers judged: the collection's port when something answered there, else the first
        port that answered for that root."""
        port = (self.gateway or {}).get("port")
        if port and self.evidence.probes(root, port):
            return port
        answered = [p["port"] for p in self.evidence.probes(root) if p.get("status") is not None]
        return answered[0] if answered else port

    def probes(self, root: str, auth: str | None = None) -> list[dict]:
        port = self.rest_port(root)
        return self.evidence.probes(root, port, auth) if port else []

    def served_certificate(self) -> dict | None:
        port = (self.gateway or {}).get("port")
        answers = self.evidence.tls(port) or self.evidence.tls()
        return answers[0] if answers else None


def _short(item, limit: int = 80) -> str:
    if isinstance(item, dict) and item.get("redacted"):
        return f"(secret, {item.get('form')})"
    text = repr(item) if not isinstance(item, str) else item
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _ok(status) -> bool:
    return isinstance(status, int) and 200 <= status < 300


def _answers(probes: list[dict]) -> str:
    return ", ".join(f"{p.get('auth')}: {p.get('status') or p.get('error') or 'no answer'}" for p in probes) or \
        "no read was made"


# ---- what a fact is about ----------------------------------------------------------------------------------------
def _subject(on: str, ctx: Context) -> str | None:
    """None when the fact is about this PC, else why it is absent."""
    ev, gen = ctx.evidence, ctx.generation
    here = f"this PC runs a {gen} gateway" if gen else "no gateway was found on this PC"
    reasons = {
        "any": None,
        "gateway": None if gen else "no gateway was found on this PC",
        "v1_install": None if ev.classic_installed else
        f"no classic (v1) install: no registry key {fact('v1.registry_key')}",
        "v2_install": None if ev.modern_installed else f"no modernized (v2) install: no {fact('v2.appsettings')}",
        "v1_gateway": None if gen in _V1 else here,
        "v1_server": None if gen == CLASSIC_SERVER else here,
        "v1_desktop": None if gen == CLASSIC_DESKTOP else here,
        "v2_gateway": None if gen == MODERN else here,
        "windows_auth": None if gen in (CLASSIC_SERVER, MODERN) else here,
        "migrated": None if ev.file("migrated_marker").get("found") and ev.service(fact("v1.service")) else
        "not a PC migrated from v1 with the v1 service still installed",
    }
    if on not in reasons:
        raise ValueError(f"unknown check subject {on!r}")
    return reasons[on]


# ---- registry, files, services -------------------------------------------------------------------------------------
def key_exists(ctx: Context, c: Check):
    key = c.arg("key")
    reading = ctx.evidence.registry(key)
    if reading is not None:
        return CONFIRMED, f"{key} exists ({len(ctx.evidence.registry_names(key))} values)"
    needed_by = c.arg("needed_by")
    if needed_by and ctx.evidence.service(needed_by):
        return CONTRADICTED, f"{key} is missing, though the {needed_by} service exists"
    return ABSENT, c.arg("missing") or f"{key} is not there: no such install on this PC"


def registry_value(ctx: Context, c: Check):
    key, name = c.arg("key"), c.arg("name")
    present, item = ctx.evidence.registry_value(key, name)
    if present:
        return CONFIRMED, f"{name} = {_short(item)}"
    if c.arg("missing"):
        return ABSENT, c.arg("missing")
    return CONTRADICTED, f"no value {name}; the key holds: {', '.join(ctx.evidence.registry_names(key)) or 'nothing'}"


_FILES = {item["path"]: (group, item["id"]) for group in ("json_files", "files") for item in script_input()[group]}


def _file_reading(ctx: Context, location: str) -> dict:
    group, file_id = _FILES[location]
    return (ctx.evidence.raw.get(group) or {}).get(file_id) or {"found": False}


def file_exists(ctx: Context, c: Check):
    location = c.arg("path")
    reading = _file_reading(ctx, location)
    if reading.get("found"):
        return CONFIRMED, f"{reading.get('path') or location} exists"
    needed_by = c.arg("needed_by")
    if needed_by:
        if ctx.evidence.service(needed_by):
            return CONTRADICTED, f"{location} is missing, though the {needed_by} service exists"
        return ABSENT, f"{location} is not there: no such install on this PC"
    if c.arg("missing"):
        return ABSENT, c.arg("missing")
    return CONTRADICTED, f"{reading.get('path') or location} is not there"


def file_version(ctx: Context, c: Check):
    reading = _file_reading(ctx, c.arg("path"))
    if not reading.get("found"):
        return CONTRADICTED, f"{reading.get('path') or c.arg('path')} is not there"
    if not reading.get("version"):
        return CONTRADICTED, f"{reading.get('path')} has no version"
    return CONFIRMED, f"{reading.get('path')}: version {reading['version']}"


def service(ctx: Context, c: Check):
    name, start_type = c.arg("name"), c.arg("start_type")
    found = ctx.evidence.service(name)
    if not found:
        if c.arg("missing"):
            return ABSENT, c.arg("missing")
        return CONTRADICTED, f"no service {name}"
    seen = f"{name}: {found.get('status')}, start type {found.get('start_type')}"
    if start_type and found.get("start_type") != start_type:
        return CONTRADICTED, f"{seen} (the fact: {start_type})"
    return CONFIRMED, seen


def process(ctx: Context, c: Check):
    name = c.arg("name")
    if ctx.evidence.process_running(name):
        return CONFIRMED, f"{name}.exe runs"
    return ABSENT, f"{name}.exe is not running now: it runs only while a user has Windows Admin Center open"


# ---- settings: ports, JSON paths, proxy ---------------------------------------------------------------------------
def _field_name(store: dict, location: str) -> str:
    for field, name in store["fields"].items():
        if name == location:
            return field
    raise ValueError(f"no field {location} in store {store['id']}")


def _where_ports_are(ctx: Context, store: dict) -> str:
    """Other places of the store that hold a port or a URL with one, for the contradiction's text."""
    found = []
    if store["kind"] == "registry":
        for name in ctx.evidence.registry_names(store["location"]):
            _present, item = ctx.evidence.registry_value(store["location"], name)
            if "port" in name.lower() and port_of(item):
                found.append(f"{name} = {item}")
    else:
        found = [f"{path} = {text}" for path, text in _urls(ctx.evidence.document())]
    served = ctx.served()
    where = "; ".join(found[:5]) or "no other setting holds a port"
    return f"{where}; the gateway serves TLS on {', '.join(map(str, served)) or 'no port now'}"


def _urls(node, path: str = ""):
    if isinstance(node, dict):
        for key, item in node.items():
            yield from _urls(item, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _urls(item, f"{path}[{index}]")
    elif isinstance(node, str) and "://" in node and port_of(node.split("://", 1)[1].split("/", 1)[0]):
        yield path, node


def port_field(ctx: Context, c: Check):
    store, location = _STORE[c.arg("store")], c.arg("field")
    item = ctx.evidence.store_values(store).get(_field_name(store, location))
    if item is None or item == []:
        return CONTRADICTED, f"{location} is not set; {_where_ports_are(ctx, store)}"
    port = port_of(item)
    if not port:
        return CONTRADICTED, f"{location} = {_short(item)} gives no port"
    served = ctx.served()
    if served and port not in served:
        return CONTRADICTED, f"{location} = {_short(item)} gives {port}, but the gateway serves TLS on " \
                             f"{', '.join(map(str, served))}"
    where = "where the gateway serves TLS" if served else "(nothing answers TLS now to check it against)"
    return CONFIRMED, f"{location} = {_short(item)}: port {port}, {where}"


def default_port(ctx: Context, c: Check):
    store, port = _STORE[c.arg("store")], c.arg("port")
    values = ctx.evidence.store_values(store)
    fields = [fact(ref.id) for ref in c.arg("fields")]
    if any(port_of(values.get(_field_name(store, location))) for location in fields):
        return ABSENT, f"{' or '.join(fields)} gives the port: the default is not used here"
    served = ctx.served()
    if not served:
        return ABSENT, "nothing answers TLS now to check the default against"
    if port in served:
        return CONFIRMED, f"no setting gives the port and the gateway serves TLS on {port}"
    return CONTRADICTED, f"no setting gives the port, so the collection uses {port}; " \
                         f"{_where_ports_are(ctx, store)}"


def _parent_members(document, path: str) -> str:
    names = path.split(".")
    node, walked = document, []
    for name in names:
        if not isinstance(node, dict) or name not in node:
            break
        node, walked = node[name], [*walked, name]
    if isinstance(node, dict):
        return f"{'.'.join(walked) or '(top)'} holds: {', '.join(sorted(node)) or 'nothing'}"
    return f"{'.'.join(walked)} is not an object"


def json_path_check(ctx: Context, c: Check):
    reading = ctx.evidence.json_file()
    path = c.arg("path")
    if reading is None or reading.get("document") is None:
        return ABSENT, f"{c.arg('file')} could not be read: {(reading or {}).get('error') or 'missing'}"
    document = reading["document"]
    if has_json_path(document, path):
        return CONFIRMED, f"{path} = {_short(json_path(document, path))}"
    if c.arg("missing"):
        return ABSENT, c.arg("missing")
    return CONTRADICTED, f"{path} is not there; {_parent_members(document, path)}"


def json_value_in(ctx: Context, c: Check):
    path, allowed = c.arg("path"), tuple(c.arg("values"))
    found = json_path(ctx.evidence.document(), path)
    if found is None:
        return ABSENT, f"{path} is not set"
    if found in allowed:
        return CONFIRMED, f"{path} = {found}"
    return CONTRADICTED, f"{path} = {found}, not one of {', '.join(allowed)}"


def _proxy(ctx: Context, store_id: str):
    document = ctx.evidence.proxy_document(_STORE[store_id])
    return document if isinstance(document, dict) else None


def proxy_members(ctx: Context, c: Check):
    members = tuple(c.arg("members"))
    document = _proxy(ctx, c.arg("store"))
    if document is None:
        return ABSENT, "no proxy is set"
    names = sorted(document)
    unknown = [name for name in names if name not in members]
    if members[0] not in document or unknown:
        return CONTRADICTED, f"the proxy document has {', '.join(names)}" + (
            f"; not in the fact: {', '.join(unknown)}" if unknown else f"; no {members[0]}")
    return CONFIRMED, f"the proxy document has {', '.join(names)}"


def _form(item) -> str:
    if isinstance(item, dict) and item.get("redacted"):
        return item.get("form") or "none"
    return "none" if item is None else "other (not redacted)"


def proxy_credentials_form(ctx: Context, c: Check):
    members = tuple(c.arg("members"))
    protected, plain = members[3], members[4]
    document = _proxy(ctx, "modern")
    if document is None:
        return ABSENT, "no proxy is set"
    forms = {plain: _form(document.get(plain)), protected: _form(document.get(protected))}
    if all(form in ("none", "empty") for form in forms.values()):
        return ABSENT, "the proxy has no credentials"
    seen = f"{plain}: {forms[plain]}, {protected}: {forms[protected]}"
    if forms[plain] == "plaintext" and forms[protected] in ("none", "empty"):
        return CONFIRMED, f"{seen} ({c.arg('prefix')} + base64, as Set-WACProxy writes it)"
    return CONTRADICTED, f"{seen}; not the {c.arg('prefix')} form"


def proxy_bypass_service_fqdn(ctx: Context, c: Check):
    address, _local, bypass_name = tuple(c.arg("members"))[:3]
    document = _proxy(ctx, "modern")
    if document is None or not document.get(address):
        return ABSENT, "no proxy is set"
    service_fqdn = json_path(ctx.evidence.document(), c.arg("service_fqdn"))
    if not service_fqdn:
        return ABSENT, f"{c.arg('service_fqdn')} is not set"
    bypass = document.get(bypass_name) or []
    if isinstance(bypass, str):
        bypass = [b for b in bypass.replace(",", ";").split(";") if b]
    if any(str(entry).lower().rstrip(".") == str(service_fqdn).lower().rstrip(".") for entry in bypass):
        return CONFIRMED, f"{service_fqdn} is in {bypass_name}"
    return CONTRADICTED, f"{service_fqdn} is not in {bypass_name} ({', '.join(map(str, bypass)) or 'empty'})"


def acl_entry(ctx: Context, c: Check):
    sid, rights = c.arg("entry").split(":", 1)
    reading = ctx.evidence.json_file()
    if reading is None:
        return ABSENT, f"{c.arg('file')} is not there"
    entries = reading.get("acl") or []
    for entry in entries:
        if entry.get("sid") == sid and rights in str(entry.get("rights")) and entry.get("type") == "Allow":
            return CONFIRMED, f"{entry.get('identity')} ({sid}): {entry.get('rights')}"
    held = "; ".join(f"{e.get('identity')}: {e.get('rights')}" for e in entries) or "no entry"
    return CONTRADICTED, f"no {rights} entry for {sid}; the ACL holds {held}"


# ---- certificates and TLS -----------------------------------------------------------------------------------------
def client_certificate_store(ctx: Context, c: Check):
    lookups = ctx.evidence.raw.get("certificates") or []
    if not lookups:
        return ABSENT, f"no {fact('v1.client_certificate_value')} value names a certificate"
    found = [item for item in lookups if item.get("found")]
    if found:
        return CONFIRMED, f"{found[0]['thumbprint']} is in {found[0]['store']}"
    return CONTRADICTED, f"{lookups[0]['thumbprint']} is in none of {', '.join(c.arg('stores'))}"


def client_certificate_subject(ctx: Context, c: Check):
    found = [item for item in ctx.evidence.raw.get("certificates") or [] if item.get("found")]
    if not found:
        return ABSENT, "the client certificate was not found"
    subject = found[0].get("subject")
    if subject == c.arg("subject"):
        return CONFIRMED, f"subject {subject}"
    return CONTRADICTED, f"subject {subject}"


def served_certificate_subject(ctx: Context, c: Check):
    served = ctx.served_certificate()
    if served is None:
        return ABSENT, "nothing answered TLS"
    if served.get("subject") == c.arg("subject"):
        return CONFIRMED, f"port {served['port']} serves {served['subject']}"
    return ABSENT, f"port {served['port']} serves the admin's own certificate ({served.get('subject')}), " \
                   "not the self-signed one"


def served_certificate_days(ctx: Context, c: Check):
    served = ctx.served_certificate()
    if served is None or served.get("subject") != c.arg("subject"):
        return ABSENT, "the gateway does not serve the self-signed certificate"
    start, end = parse_time(served.get("not_before")), parse_time(served.get("not_after"))
    if not (start and end):
        return ABSENT, "the certificate's dates could not be read"
    lifetime = round((end - start).total_seconds() / 86400)
    seen = f"{lifetime} days ({served['not_before']} to {served['not_after']})"
    return (CONFIRMED if abs(lifetime - c.arg("days")) <= 1 else CONTRADICTED), seen


def certificate_subject_path(ctx: Context, c: Check):
    path = c.arg("path")
    stored = json_path(ctx.evidence.document(), path)
    if not stored:
        return ABSENT, f"{path} is not set (the certificate is the one bound in http.sys)"
    served = ctx.served_certificate()
    if served is None:
        return ABSENT, f"{path} = {stored}; nothing answered TLS to compare it with"
    name = str(served.get("subject") or "")
    common = name.split(",", 1)[0].strip()
    common = common[3:] if common.upper().startswith("CN=") else common
    if common.lower() == str(stored).lower():
        return CONFIRMED, f"{path} = {stored}; port {served['port']} serves {name}"
    return CONTRADICTED, f"{path} = {stored}, but port {served['port']} serves {name}"


def http_sys_binding(ctx: Context, c: Check):
    app_id = c.arg("app_id")
    error = (ctx.evidence.raw.get("http_sys") or {}).get("error")
    if error:
        return ABSENT, f"netsh http show sslcert failed: {error}"
    bindings = ctx.evidence.bindings(app_id)
    if bindings:
        return CONFIRMED, ", ".join(f"{b['address']} (certificate {b['certificate_hash']})" for b in bindings)
    if c.arg("missing"):
        return ABSENT, c.arg("missing")
    others = ", ".join(f"{b['address']} ({b['app_id']})" for b in ctx.evidence.bindings()) or "none"
    return CONTRADICTED, f"no http.sys binding of {app_id}; bindings: {others}"


# ---- the gateway's REST API (read-only GETs) ----------------------------------------------------------------------
def _root(ctx: Context) -> str:
    return fact("v1.rest_root") if ctx.generation in _V1 else fact("v2.rest_root")


def rest_route(ctx: Context, c: Check):
    probes = ctx.probes(c.arg("root"))
    if any(_ok(p.get("status")) for p in probes):
        return CONFIRMED, f"GET {c.arg('root')}/appInfo answered ({_answers(probes)})"
    if any(p.get("status") == 404 for p in probes):
        return CONTRADICTED, f"GET {c.arg('root')}/appInfo: {_answers(probes)}"
    return ABSENT, f"no answer to judge the route by ({_answers(probes)})"


def rest_read(ctx: Context, _c: Check):
    root = _root(ctx)
    probes = ctx.probes(root)
    if any(_ok(p.get("status")) for p in probes):
        return CONFIRMED, f"GET {root}/appInfo: {_answers(probes)}"
    if any(p.get("status") in (404, 405) for p in probes):
        return CONTRADICTED, f"GET {root}/appInfo: {_answers(probes)}"
    return ABSENT, f"no answer to judge the verb by ({_answers(probes)})"


def _registration_body(ctx: Context):
    for probe in ctx.probes(_root(ctx)):
        if _ok(probe.get("status")):
            body = probe.get("body") if isinstance(probe.get("body"), dict) else {}
            wrapped = isinstance(body.get("properties"), dict)
            return (body["properties"] if wrapped else body), wrapped
    return None, False


def rest_fields(ctx: Context, c: Check):
    props, wrapped = _registration_body(ctx)
    if props is None:
        return ABSENT, "the registration could not be read"
    expected = tuple(c.arg("fields"))
    names = sorted(props)
    where = "under properties" if wrapped else "at the top"
    if not any(props.get(name) for name in ("clientId", "appId")):
        return ABSENT, f"not registered: the answer holds no app ID ({where}: {', '.join(names) or 'nothing'})"
    unknown = [name for name in names if name not in expected]
    seen = f"{where}: {', '.join(names)}" + (f" (also {', '.join(unknown)})" if unknown else "")
    if not props.get("cloudName") or not (props.get("tenantId") or props.get("tenant")):
        return CONTRADICTED, f"{seen}; no cloudName or tenant"
    return CONFIRMED, seen


def rest_cookies(ctx: Context, c: Check):
    names = tuple(c.arg("cookies"))
    answered = [p for p in ctx.probes(c.arg("root")) if _ok(p.get("status"))]
    if not answered:
        return ABSENT, "the registration could not be read"
    cookies = sorted({name for p in answered for name in p.get("cookies") or []})
    if any(name in cookies for name in names):
        return CONFIRMED, f"the read set {', '.join(cookies)}"
    return CONTRADICTED, f"the read set {', '.join(cookies) or 'no cookie'}, none of {', '.join(names)}"


def rest_cloud_name(ctx: Context, c: Check):
    props, _wrapped = _registration_body(ctx)
    if not props or not (props.get("clientId") or props.get("appId")):
        return ABSENT, "not registered: no cloud stored"
    stored = props.get("cloudName")
    if stored in tuple(c.arg("names").values()):
        return CONFIRMED, f"cloudName = {stored}"
    return CONTRADICTED, f"cloudName = {stored}"


def rest_default_credentials(ctx: Context, _c: Check):
    if json_path(ctx.evidence.document(), fact("v2.login_mode_path")) == "FormLogin" and ctx.generation == MODERN:
        return ABSENT, "login mode FormLogin: the gateway takes no Windows authentication"
    if ctx.delegates is None:
        return ABSENT, "the logon of the connection is not known"
    probes = ctx.probes(_root(ctx), "default")
    if not probes or probes[0].get("status") is None:
        return ABSENT, f"no answer ({_answers(probes)})"
    status = probes[0]["status"]
    logon = "a logon with delegated credentials" if ctx.delegates else "a logon without delegated credentials"
    if _ok(status) == ctx.delegates and status in (200, 201, 204, 401):
        return CONFIRMED, f"{logon}: default credentials got {status}"
    if status in (200, 201, 204, 401):
        return CONTRADICTED, f"{logon}: default credentials got {status}"
    return ABSENT, f"{logon}: default credentials got {status}"


def rest_certificate_only(ctx: Context, c: Check):
    root = c.arg("root")
    certificate, default = ctx.probes(root, "certificate"), ctx.probes(root, "default")
    if not certificate or certificate[0].get("status") is None:
        return ABSENT, f"no answer with the client certificate ({_answers(certificate)})"
    if not _ok(certificate[0]["status"]):
        return CONTRADICTED, f"the client certificate was refused ({_answers(certificate)})"
    if default and _ok(default[0].get("status")):
        return CONTRADICTED, f"Windows authentication was accepted too ({_answers(default)})"
    return CONFIRMED, f"client certificate: {certificate[0]['status']}; {_answers(default)}"


def rest_form_login(ctx: Context, c: Check):
    mode = json_path(ctx.evidence.document(), fact("v2.login_mode_path"))
    if mode != c.arg("mode"):
        return ABSENT, f"the login mode is {mode}, not {c.arg('mode')}"
    probes = [p for p in ctx.probes(c.arg("root")) if p.get("auth") in ("default", "explicit")]
    if any(_ok(p.get("status")) for p in probes):
        return CONTRADICTED, f"Windows authentication was accepted ({_answers(probes)})"
    if probes and all(p.get("status") == 401 for p in probes):
        return CONFIRMED, f"Windows authentication was refused ({_answers(probes)})"
    return ABSENT, f"no answer to judge it by ({_answers(probes)})"


# ---- WinRM and what cannot be checked -----------------------------------------------------------------------------
def winrm_at_least(ctx: Context, c: Check):
    winrm = ctx.evidence.raw.get("winrm") or {}
    setting, minimum = c.arg("setting"), c.arg("minimum")
    found = (winrm.get("values") or {}).get(setting)
    try:
        number = int(str(found))
    except ValueError:
        return ABSENT, f"{setting} could not be read: {winrm.get('error') or found}"
    if number >= minimum:
        return CONFIRMED, f"{setting} = {number}"
    return CONTRADICTED, f"{setting} = {number}, below the default {minimum}"


def not_read_only(_ctx: Context, c: Check):
    return ABSENT, f"cannot be checked read-only: {c.arg('why')}"


KINDS = {
    "key_exists": key_exists, "registry_value": registry_value, "file_exists": file_exists,
    "file_version": file_version, "service": service, "process": process, "port_field": port_field,
    "default_port": default_port, "json_path": json_path_check, "json_value_in": json_value_in,
    "proxy_members": proxy_members, "proxy_credentials_form": proxy_credentials_form,
    "proxy_bypass_service_fqdn": proxy_bypass_service_fqdn, "acl_entry": acl_entry,
    "client_certificate_store": client_certificate_store, "client_certificate_subject": client_certificate_subject,
    "served_certificate_subject": served_certificate_subject, "served_certificate_days": served_certificate_days,
    "certificate_subject_path": certificate_subject_path, "http_sys_binding": http_sys_binding,
    "rest_route": rest_route, "rest_read": rest_read, "rest_fields": rest_fields, "rest_cookies": rest_cookies,
    "rest_cloud_name": rest_cloud_name, "rest_default_credentials": rest_default_credentials,
    "rest_certificate_only": rest_certificate_only, "rest_form_login": rest_form_login,
    "winrm_at_least": winrm_at_least, "not_read_only": not_read_only,
}
SUBJECTS = ("any", "gateway", "v1_install", "v2_install", "v1_gateway", "v1_server", "v1_desktop", "v2_gateway",
            "windows_auth", "migrated")


def judge(fact_id: str, ctx: Context) -> dict:
    """One fact held against the evidence: {id, result, found}."""
    check = CHECKS[fact_id]
    reason = _subject(check.on, ctx)
    if reason is not None:
        return {"id": fact_id, "result": ABSENT, "found": reason}
    result, found = KINDS[check.kind](ctx, check)
    return {"id": fact_id, "result": result, "found": found}


def describe_check(check: Check) -> str:
    """The check in words, for docs/gateway.md."""
    args = ", ".join(f"{key}={item.id if hasattr(item, 'id') else _describe_arg(item)}" for key, item in check.args
                     if key not in ("missing", "why"))
    text = f"{check.kind}({args})" if args else check.kind
    if check.arg("why"):
        text += f": {check.arg('why')}"
    return f"{text}; on {check.on}"


def _describe_arg(item) -> str:
    if isinstance(item, tuple):
        return "(" + ", ".join(getattr(i, "id", str(i)) for i in item) + ")"
    return str(item)
