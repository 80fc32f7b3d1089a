"""A proxy written by a run that stopped before the gateway role's restart handler ran: the restart-pending marker
(``HKLM:\\SOFTWARE\\wac.fleet`` ``GatewayRestartPending``) makes the next register_wac.yml restart that gateway
exactly once, then register it; a run after that changes nothing and costs one command per gateway."""

from __future__ import annotations

import textwrap

# What register_wac.yml has done on every PC when it is stopped right after the gateway role's proxy task: the
# same read and the same proxy write as the role (its settings from the world's group_vars), and no handler.
INTERRUPTED = textwrap.dedent("""\
    - name: The gateway role's proxy write, stopped before its restart handler
      hosts: wac_gateways
      gather_facts: false
      tasks:
        - name: Read the gateway
          wac.fleet.gateway_info:

        - name: Set the gateway proxy
          wac.fleet.gateway_proxy:
            address: "{{ gateway_proxy_address }}"
            bypass_on_local: true
            bypass_list: "{{ gateway_proxy_bypass_list }}"
            username: "{{ gateway_proxy_username | default(omit) }}"
            password: "{{ gateway_proxy_password | default(omit) }}"
            update_password: on_create
            gateway_facts: "{{ ansible_facts.wac_gateway }}"
    """)

STOPPED_IN_HANDLER = "wac-0004"  # a classic server gateway whose services the stopped run left Stopped


def test_pending_restart_is_done_once_then_the_gateway_registers(fleet_world):
    world = fleet_world(count=4)  # classic_server, classic_desktop, modern, classic_server
    with_services = [n for n in world.hosts if world.gateway(n)["generation"] != "classic_desktop"]
    (desktop,) = set(world.hosts) - set(with_services)

    playbook = world.work / "interrupted.yml"
    playbook.write_text(INTERRUPTED)
    interrupted = world.run(str(playbook), name="interrupted")
    assert interrupted.rc == 0, interrupted.output
    world.fleet.pcs[STOPPED_IN_HANDLER].model.apply({"services": "Stopped"})
    before = {}
    for name in world.hosts:
        state = world.gateway(name)
        assert state["proxy"]["address"] == world.vars["gateway_proxy_address"], name
        if name == desktop:
            assert state["restart_marker"] is None and not state["proxy_pending_restart"]
        else:
            assert state["restart_marker"] and state["proxy_pending_restart"], name
        before[name] = (len(world.scripts(name)), state["service_starts"])

    run = world.run(name="resume")
    assert run.rc == 0, run.output
    app = world.app()
    report = {row["host"]: row for row in world.report(run)["gateways"]}
    for name in world.hosts:
        state = world.gateway(name)
        scripts = world.scripts(name)[before[name][0]:]
        assert state["registration"]["app_id"] == app["appId"], name
        assert state["restart_marker"] is None and not state["proxy_pending_restart"], name
        assert report[name]["proxy"] == "ok", (name, report[name])  # the proxy itself was already in place
        if name == desktop:
            assert "gateway_service_control" not in scripts and state["service_starts"] == 0
            assert report[name]["restart"] == "skipped"
            continue
        # exactly one restart: the handler's, and not also the start task for services that were not Running
        assert scripts.count("gateway_service_control") == 1, (name, scripts)
        assert state["service_starts"] == before[name][1] + 1, name  # the one service a restart restarts
        assert state["services"][state["gateway_service"]] == "Running", name  # v2's AccountManagement: demand
        assert report[name]["restart"] == "changed", (name, report[name])
        assert scripts[0] == "gateway_info" and scripts[1] == "gateway_service_control", (name, scripts)

    sizes = {name: len(world.scripts(name)) for name in world.hosts}
    again = world.run(name="again")
    assert again.rc == 0, again.output
    assert again.hosts("changed") == []
    for name in world.hosts:
        assert world.scripts(name)[sizes[name]:] == ["gateway_info"], name
