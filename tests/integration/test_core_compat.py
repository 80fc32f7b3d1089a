"""What every ansible-core release of the matrix (scripts/matrix.sh) must show with the real playbooks: the roles read
the gateway facts through ``ansible_facts`` only, so that a run with INJECT_FACTS_AS_VARS off (the default to come in
ansible-core 2.24) registers, re-runs with nothing to change, corrects drift and unregisters; and a run with the
default settings prints no deprecation warning."""

from __future__ import annotations

import re

from tests.integration.ansible_run import run_playbook

NO_INJECTED_FACTS = {"ANSIBLE_INJECT_FACT_VARS": "False"}
DEPRECATION = re.compile(r"DEPRECATION WARNING")

FACTS_PROBE = """\
- hosts: wac_gateways
  gather_facts: false
  tasks:
    - name: Read the gateway
      wac.fleet.gateway_info:

    - name: Show where the facts are
      ansible.builtin.debug:
        msg: "top-level={{ wac_gateway is defined }} ansible_facts={{ ansible_facts.wac_gateway is defined }}"
"""


def test_facts_only_in_ansible_facts_register_rerun_drift_and_unregister(fleet_world):
    world = fleet_world(count=3)

    # The setting takes effect: the facts are under ansible_facts and nowhere else.
    probe = world.work / "probe.yml"
    probe.write_text(FACTS_PROBE)
    shown = run_playbook(probe, env=world.env("probe", **NO_INJECTED_FACTS), cwd=world.work)
    assert shown.rc == 0, shown.output
    assert shown.output.count("top-level=False ansible_facts=True") == len(world.hosts), shown.output

    first = world.run(name="first", env=NO_INJECTED_FACTS)
    assert first.rc == 0, first.output
    assert first.hosts("changed") == world.hosts
    app = world.app()
    assert all(r and r["app_id"] == app["appId"] for r in world.registrations().values())
    assert {u for h in world.hosts for u in world.gateway_redirect_uris(h)} <= set(app["spa"]["redirectUris"])

    rerun = world.run(name="rerun", env=NO_INJECTED_FACTS)
    assert rerun.rc == 0, rerun.output
    assert rerun.hosts("changed") == []
    assert "skipping: no hosts matched" in rerun.output  # registration_pending read every gateway's facts

    drifted = world.hosts[1]
    world.fleet.pcs[drifted].model.apply({"registration": None})
    check = world.run("register_wac.yml", "--check", "--diff", name="check", env=NO_INJECTED_FACTS)
    assert check.rc == 0, check.output
    assert check.hosts("changed") == [drifted]
    assert world.registrations()[drifted] is None
    drift = world.run(name="drift", env=NO_INJECTED_FACTS)
    assert drift.rc == 0, drift.output
    assert drift.hosts("changed") == [drifted]
    assert world.registrations()[drifted]["app_id"] == app["appId"]

    gone = world.hosts[0]
    unregister = world.run("unregister_wac.yml", "--limit", gone, name="unregister", env=NO_INJECTED_FACTS)
    assert unregister.rc == 0, unregister.output
    assert unregister.hosts("changed") == [gone]
    assert world.registrations()[gone] is None


def test_no_deprecation_warning_with_the_default_settings(fleet_world):
    world = fleet_world(count=3)
    runs = [
        world.run(name="first"),
        world.run(name="rerun"),
        world.run("register_wac.yml", "--check", "--diff", name="check"),
        world.run("unregister_wac.yml", name="unregister"),
    ]
    for run in runs:
        assert run.rc == 0, run.output
        assert not DEPRECATION.search(run.output), f"{run.name}:\n{run.output}"
    assert runs[1].hosts("changed") == []
    assert all(registration is None for registration in world.registrations().values())
