"""AWX job slicing: K = 4 ansible-runner jobs started at the same moment, each over the slice AWX makes (host i of
the name-ordered inventory in slice i mod K), against one emulated tenant and fleet past the redirect-URI limit.

The apps allow personal Microsoft accounts (signInAudience AzureADandPersonalMicrosoftAccount: 100 redirect URIs
an app, the tenant refuses any write past it), so 130 server-mode gateways need two apps and the four slices' Entra
steps race to fill the first. Afterwards: every gateway registered to an app holding its URI, no app over the limit,
no URI lost; a second round of all four slices at once changes nothing and writes nothing to Graph."""

from __future__ import annotations

import os

from tests.integration.awx_jobs import AwxJob, export_inventory, inventory_hosts, runner_env, slices
from tests.integration.fleet_world import UNIQUE_NAME
from tests.integration.test_awx_runner import awx_envvars

K = 4
GATEWAYS = 130
LIMIT = 100


def start_slices(world, inventory, folder, round_name):
    """The K slices as K jobs started at once. The even slices sign in with the certificate identity, the odd ones with
    the secret (test scaffolding: the tenant tells two clients apart, and holds Graph writes until both have read)."""
    env = runner_env(os.environ)
    cert = world.tenant.endpoints["identities"]["cert"]
    by_cert = {"entra_app_connection": {**world.vars["entra_app_connection"], "client_id": cert["client_id"],
                                        "certificate_path": cert["certificate_path"]}}
    jobs = []
    for number, part in enumerate(slices(inventory, K), start=1):
        even = number % 2 == 0
        envvars = {k: v for k, v in awx_envvars(world).items() if not (even and k == "AZURE_CLIENT_SECRET")}
        job = AwxJob.prepare(folder / f"{round_name}-slice-{number}", part, envvars=envvars, forks=10,
                             extravars=by_cert if even else None, ident=f"{round_name}-{number}")
        jobs.append(job)
    for job in jobs:  # as AWX's workflow of slices: every job launched at once
        job.start(env)
    return [job.finish(timeout=600) for job in jobs]


def entra_window(run) -> tuple[str, str]:
    """When the slice's Entra step (wac.fleet.entra_fleet_apps) started and ended, from its job events."""
    times = [e["created"] for e in run.events if (e.get("event_data") or {}).get("resolved_action")
             == "wac.fleet.entra_fleet_apps" and e["event"] in ("runner_on_start", "runner_on_ok")]
    assert len(times) == 2, f"the Entra step of {run.artifacts.name} ran {len(times)} events, not start and end"
    return min(times), max(times)


def test_four_slices_at_once_past_the_limit(fleet_world, tmp_path):
    world = fleet_world(count=GATEWAYS, fleet_options={"generations": ["classic_server", "modern"]}, forks=10,
                        entra_app_sign_in_audience="AzureADandPersonalMicrosoftAccount")
    inventory = export_inventory(world.inventory, world.env("export"))
    parts = slices(inventory, K)
    names = inventory_hosts(inventory)
    assert [inventory_hosts(p) for p in parts] == [names[i::K] for i in range(K)]  # host i in slice i mod K

    world.tenant.model.faults.configure(hold_writes_for_clients=2)  # slices of both identities read before any writes
    first = start_slices(world, inventory, tmp_path, "first")
    for number, run in enumerate(first, start=1):
        assert (run.rc, run.status) == (0, "successful"), f"slice {number}: {run.stdout[-3000:]}"
        assert run.hosts("failures") == [] and run.hosts("dark") == []
        assert run.hosts("changed") == inventory_hosts(parts[number - 1]), f"slice {number}"
        assert run.report["totals"]["failed"] == 0
    windows = sorted(entra_window(run) for run in first)
    assert any(windows[i][1] > windows[i + 1][0] for i in range(K - 1)), f"no two Entra steps overlapped: {windows}"

    apps = world.fleet_apps()
    counts = {name: world.uri_count(app) for name, app in sorted(apps.items())}
    assert all(n <= LIMIT for n in counts.values()), counts
    assert sorted(counts) == [UNIQUE_NAME, f"{UNIQUE_NAME}-2"] and sum(counts.values()) == GATEWAYS, counts
    held = {uri for app in apps.values() for uri in app["spa"]["redirectUris"]}
    assert world.redirect_uris() <= held, f"lost: {sorted(world.redirect_uris() - held)}"
    assert world.misplaced() == []

    writes = len(world.graph_writes())
    again = start_slices(world, inventory, tmp_path, "rerun")
    for number, run in enumerate(again, start=1):
        assert (run.rc, run.status) == (0, "successful"), f"slice {number}: {run.stdout[-3000:]}"
        assert run.hosts("changed") == [] and run.hosts("failures") == [], f"slice {number}: {run.recap}"
    assert len(world.graph_writes()) == writes
    assert world.fleet_apps() == apps
