"""A catalogue of bad inputs across every plugin and role, in one real ansible-playbook run against both emulators:
each case is a block whose failure is recorded (rescue), and each is asserted on its own: the task failed with a
message naming the field, and neither emulator saw a write (no Graph write, no script that changes a gateway)."""

from __future__ import annotations

import json
import sys

from tests.integration._entra_support import connection

MISSING = "/nonexistent/wac-fleet/missing-file"
GUID = "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
GOOD_APP = {"unique_name": "wac-bad-input", "redirect_uris": ["https://gw.contoso.test"]}
FACTS = "{{ ansible_facts.wac_gateway }}"
GATEWAY = {"name": "gw", "redirect_uris": ["https://gw.contoso.test"]}


def entra_cases(ep: dict, expired_token: str) -> list[tuple[str, str, dict, str]]:
    base = connection(ep)
    cert = ep["identities"]["cert"]
    fed = ep["identities"]["federated"]

    def app(name, expect, **changes):
        args = {k: v for k, v in {**base, **GOOD_APP, **changes}.items() if v is not None}
        return name, "wac.fleet.entra_app", args, expect

    return [
        app("tenant not a GUID", "tenant_id", tenant_id="not-a-guid"),
        app("app_id not a GUID", "app_id", unique_name=None, app_id="1234"),
        app("redirect URI over http", "redirect_uris", redirect_uris=["http://gw.contoso.test:6516"]),
        app("redirect URI with fragment", "redirect_uris", redirect_uris=["https://gw.contoso.test/#x"]),
        app("redirect URI too long", "redirect_uris", redirect_uris=["https://gw.contoso.test/" + "a" * 260]),
        app("unknown cloud", "cloud", cloud="AzureGermanCloud"),
        app("custom cloud without graph_host", "graph_host", graph_host=None),
        app("authority over http", "authority_host", authority_host="http://127.0.0.1:1"),
        app("unknown auth_method", "auth_method", auth_method="password"),
        app("no credentials", "no credentials", client_secret=None),
        app("secret and token file", "client_secret and federated_token_file", federated_token_file=fed["token_file"]),
        app("unreadable certificate", "certificate_path", client_secret=None, certificate_path=MISSING),
        app("wrong PFX passphrase", "certificate_password", client_secret=None, certificate_path=cert["pfx_path"],
            certificate_password="not-the-passphrase"),
        app("unreadable token file", "federated_token_file", client_secret=None, federated_token_file=MISSING),
        app("missing CA bundle", "ca_bundle", ca_bundle=MISSING),
        app("unique_name and app_id", "unique_name", app_id=GUID),
        app("negative retry bound", "retry_max_seconds", retry_max_seconds=-1),
        app("zero request timeout", "request_timeout", request_timeout=0),
        app("malformed permissions", "required_resource_access", required_resource_access=[{"delegated": ["x"]}]),
        app("wrong (expired) client secret", "invalid_client", client_secret="expired-secret-value"),
        app("expired federated token", "federated sign-in failed", client_id=fed["client_id"], client_secret=None,
            federated_token_file=expired_token),
        app("tenant the token does not match", "does not know this tenant_id",
            tenant_id="0e0e0e0e-1111-2222-3333-444444444444"),
        app("app ID that does not exist", GUID, unique_name=None, app_id=GUID),
        ("consent: app_id not a GUID", "wac.fleet.entra_admin_consent", {**base, "app_id": "nope"}, "app_id"),
        ("consent: app ID that does not exist", "wac.fleet.entra_admin_consent", {**base, "app_id": GUID}, GUID),
        ("info: two keys", "wac.fleet.entra_app_info", {**base, "app_id": GUID, "display_name": "x"}, "app_id"),
        ("fleet apps: a gateway listed twice", "wac.fleet.entra_fleet_apps",
         {**base, "unique_name": "wac-bad-input", "gateways": [GATEWAY, GATEWAY]}, "gateways[1].name"),
        ("fleet apps: registered app not a GUID", "wac.fleet.entra_fleet_apps",
         {**base, "unique_name": "wac-bad-input", "gateways": [{**GATEWAY, "registered_app_id": "x"}]},
         "gateways[0].registered_app_id"),
        ("fleet apps: app role value with a space", "wac.fleet.entra_fleet_apps",
         {**base, "unique_name": "wac-bad-input", "app_roles": [{"value": "Gateway User"}]}, "app_roles[0].value"),
        ("assignments: principal not a GUID", "wac.fleet.entra_app_role_assignments",
         {**base, "app_id": GUID, "assignments": {"User": ["ann@contoso.test"]}}, "assignments.User[0]"),
        ("assignments: service principal without its roles", "wac.fleet.entra_app_role_assignments",
         {**base, "app_id": GUID, "service_principal_id": GUID, "assignments": {"User": []}}, "app_roles"),
    ]


def gateway_cases() -> list[tuple[str, str, dict, str]]:
    def proxy(name, expect, **args):
        return name, "wac.fleet.gateway_proxy", {"address": "http://proxy.contoso.test:3128",
                                                 "gateway_facts": FACTS, **args}, expect

    def registration(name, expect, **args):
        return name, "wac.fleet.gateway_registration", {"tenant_id": GUID, "app_id": GUID, "gateway_facts": FACTS,
                                                        **args}, expect

    return [
        proxy("proxy without scheme", "address", address="proxy.contoso.test:3128"),
        proxy("proxy with ftp scheme", "address", address="ftp://proxy.contoso.test:21"),
        proxy("proxy with a path", "address", address="http://proxy.contoso.test:3128/path"),
        proxy("proxy port out of range", "address", address="http://proxy.contoso.test:99999"),
        proxy("proxy present without address", "address", address=None),
        proxy("bypass entry with scheme", "bypass_list", bypass_list=["http://contoso.test"]),
        proxy("bypass entry with space", "bypass_list", bypass_list=["contoso test"]),
        proxy("proxy password without user", "username", password="Pr0xy-Pa55"),
        proxy("proxy zero timeout", "timeout", restart=True, timeout=0),
        registration("registration tenant not a GUID", "tenant_id", tenant_id="contoso"),
        registration("registration app_id not a GUID", "app_id", app_id="xyz"),
        registration("registration unknown cloud", "cloud", cloud="AzureGermanCloud"),
        registration("registration without app_id", "app_id", app_id=None),
        ("service unknown state", "wac.fleet.gateway_service", {"state": "bounced", "gateway_facts": FACTS}, "state"),
        ("service negative timeout", "wac.fleet.gateway_service",
         {"state": "restarted", "timeout": -1, "gateway_facts": FACTS}, "timeout"),
    ]


def role_cases(ep: dict) -> list[tuple[str, str, dict, str]]:
    good_connection = connection(ep)

    def role(name, expect, role_name, **variables):
        return name, f"role:{role_name}", variables, expect

    return [
        role("gateway role: present without address", "proxy.address is required", "wac.fleet.gateway",
             gateway_proxy_state="present", gateway_proxy_address=""),
        role("gateway role: unknown proxy state", "gateway_proxy_state", "wac.fleet.gateway", gateway_proxy_state="on"),
        role("gateway role: password without user", "proxy.password was given without proxy.username",
             "wac.fleet.gateway",
             gateway_proxy_state="present", gateway_proxy_address="http://p.contoso.test:1",
             gateway_proxy_username="", gateway_proxy_password="x"),
        role("gateway role: zero restart timeout", "timeout must be", "wac.fleet.gateway",
             gateway_restart_timeout=0),
        role("gateway role: zero restart delay", "delay must be", "wac.fleet.gateway",
             gateway_restart_delay=0),
        role("gateway role: bad bypass entry", "bypass_list", "wac.fleet.gateway", gateway_proxy_state="present",
             gateway_proxy_address="http://p.contoso.test:1", gateway_proxy_bypass_list=["https://x.contoso.test"]),
        role("registration role: no app", "registration_app_id", "wac.fleet.registration",
             registration_tenant_id="", registration_app_id=""),
        role("registration role: unknown cloud", "registration_cloud", "wac.fleet.registration",
             registration_cloud="Mars", registration_tenant_id=GUID, registration_app_id=GUID),
        role("registration role: app_id not a GUID", "app_id", "wac.fleet.registration",
             registration_tenant_id=GUID, registration_app_id="not-a-guid"),
        role("entra_app role: unknown URI mode", "entra_app_redirect_uris_mode", "wac.fleet.entra_app",
             entra_app_connection=good_connection, entra_app_redirect_uris_mode="merge"),
        role("entra_app role: bad tenant in connection", "tenant_id", "wac.fleet.entra_app",
             entra_app_connection={**good_connection, "tenant_id": "nope"}),
        role("entra_app role: http extra redirect URI", "redirect_uris", "wac.fleet.entra_app",
             entra_app_connection=good_connection, entra_app_extra_redirect_uris=["http://gw.contoso.test"]),
        role("entra_app role: existing app that does not exist", GUID, "wac.fleet.entra_app",
             entra_app_connection=good_connection, entra_app_id=GUID),
        role("entra_app role: unknown assignments mode", "entra_app_assignments_mode", "wac.fleet.entra_app",
             entra_app_connection=good_connection, entra_app_assignments_mode="replace"),
    ]


def block(name: str, action: str, args: dict) -> dict:
    if action.startswith("role:"):
        task = {"name": name, "ansible.builtin.include_role": {"name": action[5:]}, "vars": args}
    else:
        task = {"name": name, action: args}
        if action.startswith("wac.fleet.entra"):
            task["delegate_to"] = "localhost"
    record = "{{ failures | default({}) | combine({" + json.dumps(name) + ": ansible_failed_result}) }}"
    return {"name": f"case: {name}", "block": [task],
            "rescue": [{"name": "record", "ansible.builtin.set_fact": {"failures": record}}]}


def write_playbook(world, cases, results) -> str:
    tasks = [{"name": "Read the gateway", "wac.fleet.gateway_info": {}}]
    tasks += [block(name, action, args) for name, action, args, _field in cases]
    tasks.append({"name": "write results", "ansible.builtin.copy": {
        "content": "{{ failures | default({}) | to_json }}", "dest": str(results)}, "delegate_to": "localhost",
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}})
    play = [{"name": "Bad input", "hosts": world.hosts[0], "gather_facts": False, "tasks": tasks}]
    path = world.work / "catalogue.yml"
    path.write_text(json.dumps(play, indent=1))
    return str(path)


def test_bad_input_catalogue(fleet_world):
    world = fleet_world(count=1, fleet_options={"generations": ["modern"]})
    ep = world.tenant.endpoints
    fed = ep["identities"]["federated"]
    expired = world.work / "expired-federated.jwt"
    expired.write_text(world.tenant.tokens.federated_token(fed["subject"], lifetime=-600))
    cases = entra_cases(ep, str(expired)) + gateway_cases() + role_cases(ep)
    names = [c[0] for c in cases]
    assert len(set(names)) == len(names) >= 30
    assert {c[1] for c in cases} == {
        "wac.fleet.entra_app", "wac.fleet.entra_admin_consent", "wac.fleet.entra_app_info",
        "wac.fleet.entra_fleet_apps", "wac.fleet.entra_app_role_assignments", "wac.fleet.gateway_proxy",
        "wac.fleet.gateway_registration", "wac.fleet.gateway_service", "role:wac.fleet.gateway",
        "role:wac.fleet.registration", "role:wac.fleet.entra_app"}

    results = world.work / "catalogue-results.json"
    run = world.run(write_playbook(world, cases, results), env={"AZURE_CLIENT_SECRET": None}, timeout=240)
    assert results.exists(), run.output
    failures = json.loads(results.read_text())

    problems = []
    for name, _action, _args, expect in cases:
        result = failures.get(name)
        if result is None:
            problems.append(f"{name}: did not fail")
            continue
        message = result.get("msg", "")
        if expect not in message:
            problems.append(f"{name}: message does not name {expect!r}: {message}")
        if "Traceback" in message:
            problems.append(f"{name}: traceback in the message")
    assert problems == [], "\n".join(problems)

    # nothing written anywhere: no Graph write, and the PC only ever read
    assert world.tenant.requests(write_only=True) == []
    assert world.gateway_writes() == {}
    assert "gateway_info" in world.scripts(world.hosts[0])
