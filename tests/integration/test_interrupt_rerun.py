"""register_wac.yml stopped mid-run (SIGINT to the process group as Ctrl-C does, SIGTERM to ansible-playbook as a CI
cancel does) at several points chosen by watching the emulators' logs: every gateway is left with either its old
registration or the new one, never a mix, and a re-run converges."""

from __future__ import annotations

import json
import signal
import warnings

import pytest

OLD = {"cloud": "Azure Global", "tenant_id": "0b0b0b0b-1111-2222-3333-444444444444",
       "app_id": "0c0c0c0c-1111-2222-3333-444444444444", "app_object_id": "0d0d0d0d-1111-2222-3333-444444444444",
       "redirect_uri": "https://old-gateway.contoso.test"}


def gateway_changing(world) -> bool:
    return any(op in ("gateway_proxy_write", "gateway_service_control") for n in world.hosts for op in world.scripts(n))


def entra_writing(world) -> bool:
    return any(e["path"].startswith("/v1.0/applications") for e in world.tenant.requests(write_only=True))


def registering(world) -> bool:
    for name in world.hosts:
        for entry in world.fleet.log(name):
            if entry["op"] == "gateway_rest" and '"PUT"' in entry["stdin"]:
                return True
    return False


POINTS = {"gateway": gateway_changing, "entra": entra_writing, "registration": registering}


def service_principal(world, app: dict) -> str:
    return world.tenant.model.service_principal_by_app_id(app["appId"]).props["id"]


def assert_old_or_new(world) -> None:
    app = world.app()
    tenant_id = world.tenant.endpoints["tenant_id"]
    for name, registration in world.registrations().items():
        if registration == OLD:
            continue
        assert app is not None, f"{name} changed its registration before the app existed: {registration}"
        # NAA's two writes: the app (cloud, tenant, client), then the app info (redirect URI, service principal);
        # stopped between the two, the gateway holds the new app and the old app info
        info = {k: registration.get(k) for k in ("app_object_id", "redirect_uri")}
        new = {"cloud": "Azure Global", "tenant_id": tenant_id, "app_id": app["appId"], **info}
        written = {"app_object_id": service_principal(world, app), "redirect_uri": info["redirect_uri"]}
        assert info in ({k: OLD[k] for k in info}, written), registration
        assert registration == new, f"{name} is half-registered: {json.dumps(registration)}"
        assert registration["redirect_uri"] in world.gateway_redirect_uris(name), registration


@pytest.mark.parametrize("signum, point", [
    # stopped between a proxy write and its restart: the re-run restarts on the restart-pending marker
    pytest.param(signal.SIGINT, "gateway", id="SIGINT-during-gateway-role"),
    pytest.param(signal.SIGTERM, "entra", id="SIGTERM-during-entra-step"),
    pytest.param(signal.SIGINT, "registration", id="SIGINT-during-registration"),
    pytest.param(signal.SIGTERM, "registration", id="SIGTERM-during-registration"),
])
def test_interrupted_run_leaves_old_or_new_registration_and_a_rerun_converges(fleet_world, signum, point):
    world = fleet_world(count=6, fleet_options={"model_options": {"start_delay": 0.5, "stop_delay": 0.05}})
    for name in world.hosts:
        world.fleet.pcs[name].model.apply({"registration": OLD})

    run = world.start()
    process = run.process
    world.wait_for(lambda: POINTS[point](world) or process.poll() is not None, timeout=90)
    assert process.poll() is None, "the run ended before the chosen point"
    # Ctrl-C reaches the whole foreground process group; a CI's cancel, ansible-playbook
    stopped = run.interrupt(signum, group=signum == signal.SIGINT)
    assert stopped.rc != 0, stopped.output
    if len(stopped.signals) > 1:  # what matters is the state it leaves, however many signals it took
        warnings.warn(f"ansible-playbook ended only after the signals {stopped.signals}", stacklevel=1)
    assert_old_or_new(world)

    again = world.run()
    assert again.rc == 0, again.output
    (app,) = world.apps()
    for name, registration in world.registrations().items():
        assert registration["app_id"] == app["appId"], name
        assert registration["app_object_id"] == service_principal(world, app), name
        assert registration["redirect_uri"] in world.gateway_redirect_uris(name), name
    assert world.redirect_uris() <= set(app["spa"]["redirectUris"])
    assert not any(world.gateway(name)["proxy_pending_restart"] for name in world.hosts)
    assert not any(world.gateway(name)["restart_marker"] for name in world.hosts)
