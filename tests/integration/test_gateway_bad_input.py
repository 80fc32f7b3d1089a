"""Bad input gets a clear error naming the option, and no script reaches the PC (real ansible-playbook)."""

from __future__ import annotations

import textwrap

from tests.integration.gateway_helpers import APP, TENANT, models, run_playbook

DESKTOP_FACTS = '{"generation": "classic_desktop", "port": 6516, "restart_supported": false}'
GOOD_REG = f"tenant_id: {TENANT}\n      app_id: {APP}"

# (task name, task body, what the error must say)
CASES = [
    ("address not a URL", "wac.fleet.gateway_proxy:\n      address: proxy.contoso.com:3128",
     "address: 'proxy.contoso.com:3128' must start with http:// or https://"),
    ("address with a path", "wac.fleet.gateway_proxy:\n      address: http://proxy.contoso.com:3128/proxy.pac",
     "must be scheme://host[:port] without a path"),
    ("address missing", "wac.fleet.gateway_proxy:\n      state: present",
     "state is present but all of the following are missing: address"),
    ("bypass entry with a space", "wac.fleet.gateway_proxy:\n      address: http://p:1\n"
     "      bypass_list: ['contoso .com']", "bypass_list: entry 'contoso .com' contains white space"),
    ("bypass entry with a scheme", "wac.fleet.gateway_proxy:\n      address: http://p:1\n"
     "      bypass_list: ['https://contoso.com']", "bypass_list: entry 'https://contoso.com' must be a host"),
    ("password without username",
     "wac.fleet.gateway_proxy:\n      address: http://p:1\n      password: Bad-Input-Secret",
     "password was given without username"),
    ("unknown cloud", f"wac.fleet.gateway_registration:\n      cloud: AzureGermanCloud\n      {GOOD_REG}",
     "cloud must be one of AzureCloud, AzureChinaCloud, AzureUSGovernment"),
    ("malformed tenant", f"wac.fleet.gateway_registration:\n      tenant_id: contoso\n      app_id: {APP}",
     "tenant_id must be a GUID"),
    ("malformed app", f"wac.fleet.gateway_registration:\n      tenant_id: {TENANT}\n      app_id: 1234-5678",
     "app_id must be a GUID"),
    ("malformed app object", f"wac.fleet.gateway_registration:\n      {GOOD_REG}\n      app_object_id: x",
     "app_object_id must be a GUID"),
    ("restart of a desktop gateway (proxy)", "wac.fleet.gateway_proxy:\n      address: http://p:1\n"
     f"      restart: true\n      gateway_facts: {DESKTOP_FACTS}", "desktop mode (SmeDesktop.exe"),
    ("restart of a desktop gateway (service)", "wac.fleet.gateway_service:\n      state: restarted\n"
     f"      gateway_facts: {DESKTOP_FACTS}", "cannot restart this gateway: it runs in desktop mode"),
    ("zero timeout", "wac.fleet.gateway_service:\n      state: restarted\n      timeout: 0",
     "timeout must be a positive number of seconds, got 0"),
    ("negative timeout", "wac.fleet.gateway_proxy:\n      address: http://p:1\n      timeout: -5",
     "timeout must be a positive number of seconds, got -5"),
    ("timeout not a number", "wac.fleet.gateway_service:\n      state: started\n      timeout: soon",
     "timeout"),
    ("zero delay", "wac.fleet.gateway_service:\n      state: restarted\n      delay: 0",
     "delay must be a positive number of seconds"),
    ("facts that are not gateway facts", "wac.fleet.gateway_registration:\n      state: absent\n"
     "      gateway_facts: {port: 1}", "gateway_facts does not look like the wac_gateway facts"),
]


def playbook() -> str:
    tasks = "".join(f"  - name: {name}\n    ignore_errors: true\n    {body}\n" for name, body, _message in CASES)
    tasks += textwrap.indent(textwrap.dedent("""\
        - name: restart of a desktop gateway read on the spot
          wac.fleet.gateway_service:
            state: restarted
          when: inventory_hostname == 'wac-0001'
        """), "  ")
    return f"- hosts: wac_gateways\n  gather_facts: false\n  tasks:\n{tasks}"


def test_bad_input_fails_clearly_and_sends_nothing(wac_fleet, tmp_path):
    fleet = wac_fleet(2, generations=["classic_desktop", "classic_server"])
    states = models(fleet)
    run = run_playbook(fleet, playbook(), tmp_path)
    for name, _body, message in CASES:
        for host in fleet.pcs:
            result = run.result(name, host)
            assert result.get("failed"), (name, host, result)
            assert message in result["msg"], (name, result["msg"])
            assert "Unexpected failure" not in result["msg"], (name, result["msg"])
    desktop = run.result("restart of a desktop gateway read on the spot", "wac-0001")
    assert desktop["failed"] and "desktop mode" in desktop["msg"]
    assert [entry["op"] for entry in fleet.log("wac-0001")] == ["gateway_info"]  # the read, nothing else
    assert fleet.log("wac-0002") == []
    assert models(fleet) == states
    assert "Bad-Input-Secret" not in run.stdout + run.stderr
