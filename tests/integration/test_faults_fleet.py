"""Faults of the fleet survived by the real register_wac.yml: dead, slow and locked-out PCs and a gateway whose
service never comes back fail alone, each with its reason in the fleet report (and no secret in it); every other
gateway is registered; a re-run after recovery registers them all."""

from __future__ import annotations

from pathlib import Path

from tests.integration.fleet_world import PROXY, PROXY_PASSWORD

GENERATIONS = ["classic_server", "modern", "classic_desktop", "modern", "classic_server"] * 2


def report_text(world, run) -> str:
    folder = world.work / "reports" / run.name
    return "\n".join(path.read_text() for path in sorted(folder.iterdir()) if path.is_file())


def secrets_of(world) -> list[str]:
    passwords = {host["password"] for host in world.fleet.endpoints["hosts"]}
    return [*passwords, PROXY_PASSWORD, world.secrets["AZURE_CLIENT_SECRET"]]


def write_host_vars(world, name: str, text: str) -> None:
    folder = Path(world.work) / "host_vars"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yml").write_text("---\n" + text)


def test_faulty_pcs_fail_alone_with_their_reason_and_a_rerun_registers_them(fleet_world):
    world = fleet_world(count=10, fleet_options={"generations": GENERATIONS})
    refused, slow, denied, never = "wac-0002", "wac-0004", "wac-0006", "wac-0010"
    world.fleet.set_faults(refused, refuse=True)
    world.fleet.set_faults(slow, delay=5.0)  # answers after 5 s; its WinRM read timeout is 2 s
    write_host_vars(world, slow, "ansible_winrm_read_timeout_sec: 2\nansible_winrm_operation_timeout_sec: 1\n")
    world.fleet.set_faults(denied, auth_fail=True)
    world.fleet.set_faults(never, service_never_starts=True)
    write_host_vars(world, never, "gateway_restart_timeout: 3\n")
    faulty = sorted([refused, slow, denied, never])
    healthy = [h for h in world.hosts if h not in faulty]

    run = world.run()
    assert run.rc != 0
    assert run.hosts("unreachable") == sorted([refused, slow, denied]), run.output
    assert run.hosts("failed") == [never], run.output
    (app,) = world.apps()
    for name in healthy:
        state = world.gateway(name)
        assert state["registration"]["app_id"] == app["appId"], name
        assert state["proxy"]["address"] == PROXY, name
        assert set(world.gateway_redirect_uris(name)) <= set(app["spa"]["redirectUris"]), name

    rows = {row["host"]: row for row in world.report(run)["gateways"]}
    assert {h: rows[h]["outcome"] for h in faulty} == {refused: "unreachable", slow: "unreachable",
                                                       denied: "unreachable", never: "failed"}
    assert "refused" in rows[refused]["reason"].lower() or "failed to establish" in rows[refused]["reason"].lower()
    assert "timed out" in rows[slow]["reason"].lower()
    assert "credentials were rejected" in rows[denied]["reason"]
    assert "did not come back within 3 seconds" in rows[never]["reason"]
    assert "StartPending" in rows[never]["reason"]  # the last state seen
    assert all(rows[h]["outcome"] == "changed" for h in healthy)
    text = report_text(world, run)
    assert [s for s in secrets_of(world) if s in text] == []

    # the gateway that never came back keeps the proxy it was given and stays unregistered
    assert world.gateway(never)["proxy"]["address"] == PROXY
    assert world.gateway(never)["registration"] is None
    for name in (refused, slow, denied):
        assert world.gateway(name)["registration"] is None and world.gateway(name)["proxy"] is None

    for name in faulty:
        world.fleet.set_faults(name, refuse=False, delay=0.0, auth_fail=False, service_never_starts=False)
    # recovery of the hung gateway: its start timed out and Windows left the services Stopped; the re-run starts it
    world.fleet.pcs[never].model.apply({"services": "Stopped"})
    scripts_before = len(world.scripts(never))
    again = world.run()
    assert again.rc == 0, again.output
    again_rows = world.report(again)["gateways"]  # (the recap also counts the run_once Entra update on one host)
    assert sorted(r["host"] for r in again_rows if r["outcome"] == "changed") == faulty, again.output
    (app,) = world.apps()
    for name in world.hosts:
        assert world.gateway(name)["registration"]["app_id"] == app["appId"], name
        assert world.gateway(name)["proxy"]["address"] == PROXY, name
    assert world.redirect_uris() <= set(app["spa"]["redirectUris"])
    assert world.report(again)["totals"]["failed"] == 0
    assert world.scripts(never)[scripts_before:][:3] == ["gateway_info", "gateway_health", "gateway_service_control"]
