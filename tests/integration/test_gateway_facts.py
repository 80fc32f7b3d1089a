"""register_wac.yml against gateways laid out as Microsoft's own scripts show them (issue: gateway facts): each test
holds one corrected fact, end to end through the real playbook, roles, plugins and WinRM. The gateway model's rules
are in tests/emulators/fleet/gateway_api.py and gateway_model.py, each with its source."""

from __future__ import annotations

import pytest

from tests.integration.fleet_world import PROXY_PASSWORD, PROXY_USER

THREE = ["classic_server", "classic_desktop", "modern"]


def sp_of(world, app_id: str) -> str:
    return world.tenant.model.service_principal_by_app_id(app_id).props["id"]


def test_every_generation_registers_as_naa_writes_it_and_a_rerun_is_one_command(fleet_world):
    world = fleet_world(count=3, fleet_options={"generations": THREE})
    first = world.run(name="first")
    assert first.rc == 0, first.output
    app = world.app()
    for name in world.hosts:
        state = world.gateway(name)
        # WAC's own cloud name (MIG), the service principal's object ID (NAA), the gateway URL as redirect URI
        assert state["registration"] == {"cloud": "Azure Global", "tenant_id": world.tenant.endpoints["tenant_id"],
                                         "app_id": app["appId"], "app_object_id": sp_of(world, app["appId"]),
                                         "redirect_uri": world.gateway_redirect_uris(name)[0]}, name
    before = {name: len(world.scripts(name)) for name in world.hosts}
    rerun = world.run(name="rerun")
    assert rerun.rc == 0 and rerun.hosts("changed") == [], rerun.output
    assert {name: world.scripts(name)[before[name]:] for name in world.hosts} == \
        {name: ["gateway_info"] for name in world.hosts}


def test_a_v2_gateway_on_its_own_port_and_endpoint_fqdn_gets_its_own_redirect_uri(fleet_world):
    world = fleet_world(count=1, fleet_options={"generations": ["modern"], "model_options": {
        "start_delay": 0.2, "port": 6600, "endpoint_fqdn": "wac.contoso.test", "service_fqdn": "wac-svc.contoso.test"}})
    run = world.run(name="first")
    assert run.rc == 0, run.output
    assert "https://wac.contoso.test:6600" in world.app()["spa"]["redirectUris"]
    state = world.gateway(world.hosts[0])
    assert state["registration"]["redirect_uri"] == "https://wac.contoso.test:6600"
    # the internal services' name stays bypassed (Set-WACEndpointFqdn), and is not reported as drift
    assert state["proxy"]["bypass_list"] == ["*.contoso.test", "wac-svc.contoso.test"]
    assert world.run(name="rerun").hosts("changed") == []


def test_v2_proxy_credentials_in_set_wacproxys_form_keep_the_acl_and_let_the_gateway_register(fleet_world):
    world = fleet_world(count=2, fleet_options={"generations": ["modern"]})
    run = world.run(name="first")
    assert run.rc == 0, run.output
    for name in world.hosts:
        pc = world.fleet.pcs[name]
        state = pc.model.to_dict()
        assert state["proxy"]["username"] == PROXY_USER and state["proxy"]["credentials_readable"]
        assert pc.model.proxy_password() == PROXY_PASSWORD
        document = pc.model.settings()["WindowsAdminCenter"]["Http"]["Proxy"]
        assert document["ProtectedData"] == "" and document["Credentials"].startswith("plaintext:")
        assert state["appsettings_network_service_access"] is True
        assert state["registration"]["app_id"] == world.app()["appId"]  # the gateway reached Azure with them
    assert PROXY_PASSWORD not in run.output


def test_a_stopped_account_management_service_is_normal_on_v2(fleet_world):
    world = fleet_world(count=1, fleet_options={"generations": ["modern"]})
    world.set_vars(gateway_proxy_state="unmanaged")
    name = world.hosts[0]
    assert world.gateway(name)["services"]["WindowsAdminCenterAccountManagement"] == "Stopped"
    run = world.run(name="first")
    assert run.rc == 0, run.output
    state = world.gateway(name)
    # nothing to restart: no service started, AccountManagement left demand-start and stopped
    assert state["service_starts"] == 0 and state["services"]["WindowsAdminCenterAccountManagement"] == "Stopped"
    assert "gateway_service_control" not in world.scripts(name)
    assert world.run(name="rerun").hosts("changed") == []


def test_a_gateway_registered_by_the_earlier_version_is_corrected_once(fleet_world):
    world = fleet_world(count=3, fleet_options={"generations": THREE})
    first = world.run(name="first")
    assert first.rc == 0, first.output
    app = world.app()
    for name in world.hosts:  # what wac.fleet 0.1 wrote: the ARM cloud name and the application's object ID
        old = dict(world.gateway(name)["registration"], cloud="AzureCloud", app_object_id=app["id"])
        world.fleet.pcs[name].model.apply({"registration": old})
    fix = world.run(name="fix")
    assert fix.rc == 0 and fix.hosts("changed") == world.hosts, fix.output
    for name in world.hosts:
        registration = world.gateway(name)["registration"]
        assert (registration["cloud"], registration["app_object_id"]) == ("Azure Global", sp_of(world, app["appId"]))
    assert world.run(name="rerun").hosts("changed") == []


def test_v1_proxy_credentials_are_refused_with_the_reason_and_nothing_is_written(fleet_world):
    world = fleet_world(count=2, fleet_options={"generations": ["classic_server", "modern"]})
    world.set_vars(gateway_proxy_username=PROXY_USER, gateway_proxy_password=PROXY_PASSWORD)
    run = world.run(name="first")
    classic, modern = world.hosts
    assert run.hosts("failed") == [classic], run.output
    assert "protectedData2" in run.output and "Settings > Proxy" in run.output
    assert world.gateway(classic)["proxy"] is None and world.gateway(classic)["registration"] is None
    assert world.gateway(modern)["proxy"]["username"] == PROXY_USER and world.gateway(modern)["registration"]


def test_a_desktop_gateway_without_its_client_certificate_fails_with_the_reason(fleet_world):
    world = fleet_world(count=2, fleet_options={"generations": ["classic_desktop", "classic_server"],
                                                "model_options": {"start_delay": 0.2,
                                                                  "client_certificate_store": None}})
    run = world.run(name="first")
    desktop, server = world.hosts
    assert run.hosts("failed") == [desktop], run.output
    assert "ClientCertificateThumbprint" in run.output
    assert world.gateway(server)["registration"] and world.gateway(desktop)["registration"] is None


def test_a_form_login_gateway_fails_naming_its_login_mode(fleet_world):
    world = fleet_world(count=2, fleet_options={"generations": ["modern"]})
    form, windows = world.hosts
    world.fleet.pcs[form].model.apply({"login_mode": "FormLogin"})
    run = world.run(name="first")
    assert run.hosts("failed") == [form], run.output
    assert "TokenAuthenticationMode" in run.output and "Set-WACLoginMode -Mode WindowsAuthentication" in run.output
    assert world.gateway(windows)["registration"] and world.gateway(form)["registration"] is None


@pytest.mark.parametrize("mode", ["session", "connection"])
def test_the_rest_step_uses_the_credentials_it_is_told_and_says_what_to_change(fleet_world, mode):
    world = fleet_world(count=1, fleet_options={"generations": ["classic_server"]})
    playbook = world.work / "rest.yml"
    playbook.write_text(f"""\
- name: Read the gateway's registration
  hosts: wac_gateways
  gather_facts: false
  tasks:
    - name: Read the gateway
      wac.fleet.gateway_info:
        rest_credentials: {mode}
      register: read

    - name: Show the registration read
      ansible.builtin.debug:
        msg: "registration: {{{{ read.registration }}}}"
""")
    run = world.run(str(playbook), name=f"rest-{mode}")
    assert run.rc == 0, run.output
    if mode == "session":  # an NTLM logon holds no credentials for the PC's own call: the read says what would
        assert "'readable': False" in run.output and "HTTP 401" in run.output
        for setting in ("CredSSP", "ansible_winrm_kerberos_delegation=true", "rest_credentials: connection"):
            assert setting in run.output
    else:
        assert "'readable': True" in run.output and "'registered': False" in run.output
    assert world.fleet.pcs[world.hosts[0]].password not in run.output


def test_a_registration_stopped_between_its_two_writes_is_written_again(fleet_world):
    world = fleet_world(count=1, fleet_options={"generations": ["classic_server"]})
    assert world.run(name="first").rc == 0
    name = world.hosts[0]
    pc = world.fleet.pcs[name]
    app = world.app()
    # what a run stopped after the first write leaves: the new app, the old app info, and the registration marker
    pc.model.apply({"registration": dict(world.gateway(name)["registration"], app_object_id=None,
                                         redirect_uri="https://old-gateway.contoso.test")})
    pc.model.registry_create_key(r"HKLM:\SOFTWARE\wac.fleet")
    pc.model.registry_set(r"HKLM:\SOFTWARE\wac.fleet", "RegistrationPending", "2026-01-01T00:00:00Z")
    fix = world.run(name="fix")
    assert fix.rc == 0 and fix.hosts("changed") == [name], fix.output
    registration = world.gateway(name)["registration"]
    assert registration["app_object_id"] == sp_of(world, app["appId"])
    assert registration["redirect_uri"] == world.gateway_redirect_uris(name)[0]
    assert "RegistrationPending" not in pc.model.registry_values(r"HKLM:\SOFTWARE\wac.fleet")
    assert world.run(name="rerun").hosts("changed") == []
