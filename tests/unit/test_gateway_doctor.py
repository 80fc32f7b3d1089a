"""The gateway doctor's parts on the controller: every fact has a check the doctor knows, evidence is read by shape
(not by labels Windows translates), reports keep no host name on request, the summary counts right, and the errors
the doctor exists for name the fact they relied on."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.wac.fleet.plugins.filter.doctor_summary import doctor_summary
from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_doctor_report as reports
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_adapters import STORES, describe
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor import diagnose
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor_checks import KINDS, SUBJECTS, describe_check
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor_evidence import (
    REDACTED_NAMES,
    http_sys_bindings,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_facts import CHECKS, FACTS, Ref
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_rest_auth import explain

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def test_every_fact_has_one_check_of_a_known_kind_on_a_known_subject():
    assert set(CHECKS) == set(FACTS)
    for fact_id, check in CHECKS.items():
        assert check.kind in KINDS, fact_id
        assert check.on in SUBJECTS, fact_id
        for name, item in check.args:
            refs = item if isinstance(item, tuple) else (item,)
            assert all(ref.id in FACTS for ref in refs if isinstance(ref, Ref)), (fact_id, name)
        assert describe_check(check).endswith(f"; on {check.on}")


def test_on_a_pc_without_any_gateway_every_fact_is_judged_and_the_host_would_fail():
    evidence = {"registry": {}, "json_files": {}, "files": {}, "services": {"ServerManagementGateway": None},
                "processes": {}, "tls": [], "rest": [], "http_sys": {"lines": [], "error": None},
                "winrm": {"values": {"MaxShellsPerUser": "5", "MaxMemoryPerShellMB": "2048"}, "error": None}}
    diagnosis = diagnose(evidence, logon=None, credentials_sent=False, now=NOW)
    results = {f["id"]: f["result"] for f in diagnosis["facts"]}
    assert set(results) == set(FACTS)
    # a lower shell quota than WinRM's default is the one thing this PC contradicts
    assert [k for k, v in results.items() if v == "contradicted"] == ["winrm.max_shells_per_user"]
    assert results["winrm.max_memory_per_shell_mb"] == "confirmed"
    (blocking,) = diagnosis["blocking"]
    assert blocking["facts"] == ["v1.registry_key", "v2.appsettings", "v2.service"]
    assert "no Windows Admin Center gateway found" in blocking["msg"]


def _served(not_after: str) -> dict:
    return {"tls": [{"port": 443, "ok": True, "subject": "CN=WindowsAdminCenterSelfSigned", "issuer": "x",
                     "thumbprint": "AB", "not_before": "2026-01-01T00:00:00Z", "not_after": not_after}]}


@pytest.mark.parametrize(("not_after", "days", "warned"), [
    ("2026-03-06T00:00:00Z", 14, True), ("2026-04-30T00:00:00Z", 14, False), ("2026-03-06T00:00:00Z", 3, False),
    ("2026-02-01T00:00:00Z", 14, True)])
def test_a_certificate_about_to_expire_is_a_warning(not_after, days, warned):
    diagnosis = diagnose(_served(not_after), logon=None, credentials_sent=False, now=NOW, expiry_warning_days=days)
    assert any("certificate" in w for w in diagnosis["warnings"]) == warned
    assert diagnosis["environment"]["certificate"]["days_left"] == (
        datetime.datetime.fromisoformat(not_after.replace("Z", "+00:00")) - NOW).days


def test_http_sys_bindings_are_read_by_the_shape_of_their_values_in_any_language():
    german = ["", "SSL-Zertifikatbindungen:", "-----------------", "",
              "    IP:Port                      : 0.0.0.0:6516",
              "    Zertifikathash               : 0123456789abcdef0123456789abcdef01234567",
              "    Anwendungs-ID                : {975536F5-223D-442C-9271-7F62FC035C1F}",
              "    Name des Zertifikatspeichers : My", "",
              "    Hostname:Port                : wac.contoso.com:443",
              "    Zertifikathash               : fedcba9876543210fedcba9876543210fedcba98",
              "    Anwendungs-ID                : {13ef9eed-b613-4d2d-8b82-7e5b90be4990}", ""]
    assert http_sys_bindings(german) == [
        {"address": "0.0.0.0:6516", "port": 6516, "certificate_hash": "0123456789ABCDEF0123456789ABCDEF01234567",
         "app_id": "975536f5-223d-442c-9271-7f62fc035c1f"},
        {"address": "wac.contoso.com:443", "port": 443, "certificate_hash": "FEDCBA9876543210FEDCBA9876543210FEDCBA98",
         "app_id": "13ef9eed-b613-4d2d-8b82-7e5b90be4990"}]


@pytest.mark.parametrize(("name", "secret"), [
    ("Credentials", True), ("ProtectedData", True), ("protectedData2", True), ("Password", True),
    ("ClientSecret", True), ("AccessToken", True), ("ConnectionString", True), ("Address", False),
    ("BypassList", False), ("ClientCertificateThumbprint", False), ("TokenAuthenticationMode", False)])
def test_which_names_the_script_redacts(name, secret):
    import re

    assert bool(re.search(REDACTED_NAMES, name, re.IGNORECASE)) == secret


def test_host_names_become_pseudonyms_everywhere_and_only_as_whole_names():
    evidence = {"host": {"computer_name": "GW", "fqdn": "gw.contoso.test"},
                "note": ["https://gw.contoso.test:443", "my-gw", "gwx", "Gw"], "gw.contoso.test": "a key too"}
    report = {"host": "gw", "evidence": evidence}
    names = reports.host_names(report)
    assert names == ["gw.contoso.test", "gw"]
    hashed = reports.pseudonymize(report, names)
    fqdn, short = reports.pseudonym("gw.contoso.test"), reports.pseudonym("gw")
    assert hashed["host"] == short and hashed["evidence"]["host"] == {"computer_name": short, "fqdn": fqdn}
    assert hashed["evidence"]["note"] == [f"https://{fqdn}:443", "my-gw", "gwx", short]
    assert hashed["evidence"][fqdn] == "a key too"


def _report(host: str, generation: str | None, results: dict[str, str], blocking=()) -> dict:
    return {"schema": reports.SCHEMA, "host": host, "gateway": {"generation": generation},
            "facts": [{"id": i, "result": r, "found": f"found {i}", "fact": {"status": "confirmed"}}
                      for i, r in results.items()],
            "blocking": list(blocking), "warnings": []}


def test_the_fleet_summary_counts_per_generation_and_lists_what_to_look_at():
    fleet = [_report("a", "modern", {"x": "confirmed", "y": "absent"}),
             _report("b", "modern", {"x": "contradicted", "y": "absent"},
                     [{"facts": ["x"], "msg": "would fail | here"}]),
             _report("c", "classic_server", {"x": "confirmed", "y": "confirmed"})]
    text = doctor_summary(["a", "b", "c", "d"], {h: {"wac_doctor": r} for h, r in zip("abc", fleet, strict=True)})
    assert "| `x` | confirmed | 1 / 0 / 0 | 1 / 1 / 0 |" in text
    assert "| `y` | confirmed | 1 / 0 / 0 | 0 / 0 / 2 |" in text
    assert "| fact | sources say | classic_server (1) | modern (2) |" in text
    assert "| `x` | b | modern | found x |" in text
    assert "- b: would fail \\| here (facts: x)" in text
    assert "## Gateways without a report\n\n- d" in text
    hashed = doctor_summary(["a", "d"], {"a": {"wac_doctor": fleet[0]}}, hash_host_names=True)
    assert "1 without one" in hashed and "- d" not in hashed


def test_describe_says_where_the_port_came_from():
    def readings(values: dict, store_id: str = "modern") -> dict:
        return {"stores": {store_id: {"found": True, "values": values, "registration": None}},
                "services": {"WindowsAdminCenter": {"status": "Running"}, "ServerManagementGateway": None}}

    kestrel = describe(readings({"kestrel_url": "https://*:8443", "http_sys_urls": ["https://+:443"]}))
    assert (kestrel["port"], kestrel["port_source"]) == (8443, {
        "fact": "v2.port_path", "setting": "Kestrel.Endpoints.WindowsAdminCenter.Url", "value": "https://*:8443"})
    fallback = describe(readings({"http_sys_urls": ["https://+:9443"]}))
    assert fallback["port_source"]["fact"] == "v2.port_fallback_path" and fallback["port"] == 9443
    default = describe(readings({}))
    assert default["port_source"] == {"fact": "v2.default_port", "setting": None, "value": 6600, "not_set": [
        STORES[1]["fields"]["kestrel_url"], STORES[1]["fields"]["http_sys_urls"]]}
    message = explain({"status": None, "error": "refused"}, default, None, False)
    assert "localhost:6600 (default port (fact v2.default_port): Kestrel.Endpoints.WindowsAdminCenter.Url and " \
           "WindowsAdminCenter.Http.HttpSysUrls not set)" in message and "wac.fleet.gateway_doctor" in message


def test_a_registration_refused_by_azure_names_the_proxy_credential_form():
    facts = {"generation": "modern", "proxy": {"address": "http://p:3128", "credentials_set": True,
                                               "credentials_form": "protected"}}
    message = explain({"status": 502, "error": "HTTP 502"}, facts, None, False)
    assert "fact v2.proxy_credentials_form; found: protected" in message
    plain = explain({"status": 502, "error": "HTTP 502"},
                    {"proxy": {"address": "http://p:3128", "credentials_set": True, "credentials_form": "plaintext"}},
                    None, False)
    assert plain == "HTTP 502: the gateway could not reach Azure (through its proxy http://p:3128)"
