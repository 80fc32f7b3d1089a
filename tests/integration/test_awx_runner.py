"""register_wac.yml as AWX runs it: ``ansible-runner run`` (process isolation off) over a private data dir with the
inventory script, env/extravars, env/envvars, env/cmdline and project/ that AWX writes, against the emulated tenant
and fleet. The fleet report and the job events come out in the job's artifacts; a second job changes nothing."""

from __future__ import annotations

import json
import os

from tests.integration.awx_jobs import AwxJob, export_inventory, runner_env
from tests.integration.fleet_world import UNIQUE_NAME


def awx_envvars(world) -> dict[str, str]:
    """What AWX puts in env/envvars for this job template: the Entra credential's injector (AZURE_CLIENT_SECRET),
    the collections path of the execution environment, the extra environment of docs/awx.md (the fleet report)."""
    return {**world.secrets, "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
            "ANSIBLE_CALLBACKS_ENABLED": "wac.fleet.fleet_report", "WAC_FLEET_PROGRESS_EVERY": "2"}


def test_register_wac_through_ansible_runner_reports_in_the_artifacts(fleet_world, tmp_path):
    world = fleet_world(count=6)
    inventory = export_inventory(world.inventory, world.env("export"))
    assert sorted(inventory["wac_gateways"]["hosts"]) == world.hosts
    assert inventory["wac_gateways"]["vars"]["entra_app_connection"]["client_id"]  # group vars kept on the group
    env = runner_env(os.environ)
    assert "AZURE_CLIENT_SECRET" not in env  # only the job's env/envvars carries the credential

    job = AwxJob.prepare(tmp_path / "job-1", inventory, envvars=awx_envvars(world), forks=5, ident="1")
    first = job.run(env)
    assert (first.rc, first.status) == (0, "successful"), first.stdout[-3000:]
    assert first.hosts("changed") == world.hosts and first.hosts("failures") == []

    # The job events AWX stores: a start and end of the playbook, each gateway's task results, the stats.
    kinds = {e["event"] for e in first.events}
    assert {"playbook_on_start", "playbook_on_play_start", "runner_on_ok", "playbook_on_stats"} <= kinds, kinds
    registered = {e["event_data"]["host"] for e in first.events if e["event"] == "runner_on_ok"
                  and e["event_data"].get("resolved_action") == "wac.fleet.gateway_registration"
                  and e["event_data"]["res"].get("changed")}
    assert registered == set(world.hosts)
    assert "wac.fleet: " in first.stdout and "WAC FLEET REPORT" in first.stdout  # progress and the table

    (app,) = world.fleet_apps().values()
    assert app["uniqueName"] == UNIQUE_NAME
    report = first.report
    assert report is not None, f"no fleet report in {first.artifacts}"
    assert report["totals"]["changed"] == 6 and report["totals"]["failed"] == 0
    assert {(r["host"], r["app_id"], r["check"]) for r in report["gateways"]} == {
        (h, app["appId"], "ok") for h in world.hosts}
    assert world.misplaced() == []

    writes = len(world.graph_writes())
    again = AwxJob.prepare(tmp_path / "job-2", inventory, envvars=awx_envvars(world), forks=5, ident="2").run(env)
    assert (again.rc, again.status) == (0, "successful"), again.stdout[-3000:]
    assert again.hosts("changed") == [] and again.hosts("failures") == []
    assert len(world.graph_writes()) == writes
    assert again.report["totals"]["changed"] == 0


def test_a_machine_credential_given_as_ask_pass_reaches_every_gateway(fleet_world, tmp_path):
    """AWX's Machine credential: no user or password in the inventory; ``-u <user> --ask-pass`` on the job's command
    line and the password answered to Ansible's prompt from env/passwords. The WinRM connections and the gateways'
    REST calls (rest_credentials auto sends the logon's user and password) use it; it never reaches the output."""
    world = fleet_world(count=3)
    inventory = export_inventory(world.inventory, world.env("export"))
    hostvars = inventory["_meta"]["hostvars"]
    credentials = {(v.pop("ansible_user"), v.pop("ansible_password")) for v in hostvars.values()}
    assert len(credentials) == 1, "the emulated PCs share one account, as a Machine credential needs"
    ((user, password),) = credentials
    assert not any(k in body.get("vars", {}) for body in inventory.values() if isinstance(body, dict)
                   for k in ("ansible_user", "ansible_password"))
    env = runner_env(os.environ)

    job = AwxJob.prepare(tmp_path / "job", inventory, envvars=awx_envvars(world), forks=3, machine=(user, password))
    run = job.run(env)
    assert (run.rc, run.status) == (0, "successful"), run.stdout[-3000:]
    assert run.hosts("changed") == world.hosts and run.hosts("failures") == [] and run.hosts("dark") == []
    assert all(r["app_id"] for r in world.registrations().values())
    assert password not in run.stdout
    assert not any(password in json.dumps(e) for e in run.events)

    wrong = AwxJob.prepare(tmp_path / "wrong", inventory, envvars=awx_envvars(world), forks=3, ident="2",
                           machine=(user, password + "-wrong")).run(env)
    assert wrong.rc != 0 and wrong.hosts("dark") == world.hosts  # the prompt's answer is what the connections use
