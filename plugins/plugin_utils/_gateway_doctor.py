# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway doctor's diagnosis: every fact of the table held against one PC's evidence, what would make the
collection fail there, and what a bug report needs besides (versions, certificate, quotas, logon).

The evidence comes from the gateway_doctor script (``_gateway_doctor_evidence``); each fact is judged by its check
(``_gateway_doctor_checks``); the gateway is described exactly as wac.fleet.gateway_info would describe it, so the
doctor fails a host only where the collection itself would fail (no gateway; the registration read refused or
unreachable on a running gateway). Contradictions are reported, never fatal.
"""

from __future__ import annotations

import datetime

from ._gateway_adapters import CLASSIC_DESKTOP, MODERN, AdapterError, adapter_for, describe
from ._gateway_doctor_checks import ABSENT, CONFIRMED, CONTRADICTED, RESULTS, Context, judge
from ._gateway_doctor_evidence import Evidence, parse_time
from ._gateway_facts import FACTS, UNCONFIRMED
from ._gateway_facts import value as fact
from ._gateway_rest_auth import Logon, explain

DEFAULT_EXPIRY_WARNING_DAYS = 14


def diagnose(raw: dict, *, logon: Logon | None, credentials_sent: bool, now: datetime.datetime,
             expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS) -> dict:
    """{gateway, environment, facts, summary, unconfirmed, blocking, warnings} for one PC's evidence."""
    evidence = Evidence(raw, credentials_sent)
    try:
        gateway = describe(evidence.readings())
        error = None
    except AdapterError as exc:
        gateway, error = None, str(exc)
    generation = gateway["generation"] if gateway else None
    ctx = Context(evidence, generation, gateway, logon.delegates if logon else None, now)
    facts = []
    for fact_id, item in FACTS.items():
        judged = judge(fact_id, ctx)
        judged["fact"] = {"value": _plain(item.value), "status": item.status, "source": item.source,
                          "generations": list(item.generations)}
        facts.append(judged)
    summary = {result: sum(1 for f in facts if f["result"] == result) for result in RESULTS}
    unconfirmed = {result: [f["id"] for f in facts if f["fact"]["status"] == UNCONFIRMED and f["result"] == result]
                   for result in (CONFIRMED, CONTRADICTED)}
    return {
        "gateway": _gateway_view(evidence, gateway, error),
        "environment": _environment(evidence, ctx, logon, credentials_sent),
        "facts": facts,
        "summary": summary,
        "unconfirmed": unconfirmed,
        "blocking": _blocking(evidence, gateway, error, logon, credentials_sent),
        "warnings": _warnings(evidence, ctx, gateway, expiry_warning_days),
    }


def _plain(item):
    if isinstance(item, tuple):
        return list(item)
    return item


def _gateway_view(evidence: Evidence, gateway: dict | None, error: str | None) -> dict:
    view = {"generation": None, "error": error,
            "installs": {"classic": evidence.classic_installed, "modern": evidence.modern_installed},
            "migrated": bool(evidence.file("migrated_marker").get("found")),
            "v1_high_availability": evidence.registry(fact("v1.ha_key")) is not None}
    if gateway:
        registration = {k: gateway["registration"].get(k) for k in ("readable", "registered", "cloud", "status")}
        view.update({key: gateway.get(key) for key in (
            "generation", "version", "port", "port_source", "login_mode", "rest_auth", "rest_root", "gateway_url",
            "redirect_uris", "services", "restart_pending")}, registration=registration)
        if gateway.get("process_name"):
            view["process_state"] = gateway.get("process_state")
    return view


def _environment(evidence: Evidence, ctx: Context, logon: Logon | None, credentials_sent: bool) -> dict:
    raw = evidence.raw
    served = ctx.served_certificate()
    certificate = None
    if served:
        certificate = {key: served.get(key) for key in ("port", "subject", "issuer", "thumbprint", "not_before",
                                                        "not_after")}
        ends = parse_time(served.get("not_after"))
        certificate["days_left"] = None if ends is None else int((ends - ctx.now).total_seconds() // 86400)
    module = raw.get("module") or {}
    return {
        "os": raw.get("os"),
        "powershell": raw.get("powershell"),
        "wac_version": (ctx.gateway or {}).get("version"),
        "configuration_module": {key: module.get(key) for key in ("name", "found", "loaded", "imported", "version",
                                                                  "cmdlets", "error")},
        "winrm": (raw.get("winrm") or {}).get("values"),
        "logon": None if logon is None else {
            "connection": logon.plugin, "auth": logon.auth, "delegates": logon.delegates,
            "rest_credentials": "connection" if credentials_sent else "session"},
        "certificate": certificate,
    }


def _main_service_state(gateway: dict) -> str | None:
    if gateway["generation"] == CLASSIC_DESKTOP:
        return "Running" if gateway.get("process_state") == "Running" else "NotRunning"
    return gateway.get("service_state")


def _blocking(evidence: Evidence, gateway: dict | None, error: str | None, logon: Logon | None,
              credentials_sent: bool) -> list[dict]:
    """What would make the collection fail on this PC, each with the facts that decided it."""
    if gateway is None:
        return [{"facts": ["v1.registry_key", "v2.appsettings", "v2.service"], "msg": error}]
    registration = gateway["registration"]
    if registration.get("readable"):
        return []
    state = _main_service_state(gateway)
    desktop = gateway["generation"] == CLASSIC_DESKTOP
    if state != "Running" and not desktop:
        return []  # stopped: the gateway role starts it before anything reads the registration
    status = registration.get("status")
    if status is None:
        facts = [gateway["port_source"]["fact"]] if gateway.get("port_source") else []
        if desktop and state != "Running":
            facts = ["v1.desktop_process"]
    elif status in (401, 403) and desktop:
        facts = ["v1.rest_auth_desktop", "v1.client_certificate_value", "v1.client_certificate_stores"]
    elif status == 401 and gateway["generation"] == MODERN and gateway.get("login_mode") == "FormLogin":
        facts = ["v2.login_mode_windows_auth", "v2.login_mode_form_refuses_windows_auth"]
    elif status == 401:
        facts = ["rest.default_credentials"]
    elif status == 404:
        facts = ["v1.rest_root" if gateway["generation"] != MODERN else "v2.rest_root", "rest.app_info"]
    else:
        facts = ["rest.app_info"]
    message = explain({"status": status, "error": registration.get("error")}, gateway, logon, credentials_sent)
    return [{"facts": facts, "msg": f"the collection could not read the gateway's registration: {message}"}]


def _warnings(evidence: Evidence, ctx: Context, gateway: dict | None, days: int) -> list[str]:
    warnings = []
    served = ctx.served_certificate()
    ends = parse_time((served or {}).get("not_after"))
    if ends is not None:
        left = (ends - ctx.now).total_seconds() / 86400
        if left < 0:
            warnings.append(f"the gateway's certificate ({served.get('subject')}) expired on {served['not_after']}")
        elif left < days:
            warnings.append(f"the gateway's certificate ({served.get('subject')}) expires on {served['not_after']}, "
                            f"in {int(left)} days (the self-signed one lasts {fact('tls.self_signed_days')} days)")
    if gateway and _main_service_state(gateway) != "Running" and gateway["generation"] != CLASSIC_DESKTOP:
        services = adapter_for(gateway["generation"]).services
        warnings.append(f"the gateway service ({', '.join(services)}) is {gateway.get('service_state')}: the facts "
                        "of its REST API and certificate could not be judged (the gateway role starts it)")
    if (evidence.raw.get("module") or {}).get("error"):
        warnings.append(f"the configuration module could not be loaded: {evidence.raw['module']['error']}")
    return warnings


__all__ = ["ABSENT", "CONFIRMED", "CONTRADICTED", "DEFAULT_EXPIRY_WARNING_DAYS", "diagnose"]
