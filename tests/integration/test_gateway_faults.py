"""Each fault fails that PC alone, with a clear message, while the rest of the fleet goes on (real ansible-playbook,
winrm connection, NTLM with message encryption)."""

from __future__ import annotations

import pytest

from tests.integration.gateway_helpers import APP, SITE, TENANT, models, ops_since, run_playbook

GENERATIONS = ["classic_server", "modern", "classic_server", "modern", "classic_server", "modern", "classic_desktop"]
# wac-0002 answers every WinRM request after 6 s; its read timeout is 3 s (the operation timeout must be shorter).
SLOW_HOST_VARS = "[wac_gateways]\nwac-0002 ansible_winrm_read_timeout_sec=3 ansible_winrm_operation_timeout_sec=2\n"


def test_each_fault_fails_only_its_pc(wac_fleet, tmp_path):
    fleet = wac_fleet(len(GENERATIONS), generations=GENERATIONS, model_options={"start_delay": 0.2})
    fleet.set_faults("wac-0001", refuse=True)
    fleet.set_faults("wac-0002", delay=6.0)
    fleet.set_faults("wac-0003", auth_fail=True)
    fleet.set_faults("wac-0004", service_never_starts=True)
    fleet.set_faults("wac-0005", script_fail="gateway_info")
    run = run_playbook(fleet, SITE, tmp_path, "-e", "restart_timeout=1.5", extra_inventory=SLOW_HOST_VARS)
    assert run.rc != 0
    stats = run.stats
    for task in run.data["plays"][0]["tasks"]:
        for host, result in sorted(task["hosts"].items()):
            if result.get("failed") or result.get("unreachable"):
                print(f"{task['task']['name']} / {host}: {result['msg']}")

    refused = run.result("Read the gateway", "wac-0001")
    assert refused["unreachable"] and stats["wac-0001"]["unreachable"] == 1
    assert "refused" in refused["msg"].lower() or "failed to establish" in refused["msg"].lower()

    slow = run.result("Read the gateway", "wac-0002")
    assert slow["unreachable"] and "timed out" in slow["msg"].lower()

    denied = run.result("Read the gateway", "wac-0003")
    assert denied["unreachable"] and "credentials were rejected" in denied["msg"]

    never = run.result("Set the proxy", "wac-0004")
    assert never["failed"] and never["changed"] and never["restart_required"]
    assert "did not come back within 1.5 seconds" in never["msg"]
    assert "WindowsAdminCenter=StartPending" in never["msg"] and never["last_state"]["https"]["ok"] is False
    assert stats["wac-0004"]["failures"] == 1
    with pytest.raises(KeyError):  # a failed host leaves the play: no registration behind a stale proxy
        run.result("Register the gateway", "wac-0004")
    assert models(fleet)["wac-0004"]["registration"] is None

    failed_script = run.result("Read the gateway", "wac-0005")
    assert failed_script["failed"]
    assert failed_script["msg"].startswith("gateway_info: the script failed with exit code 1")
    assert "injected fault" in failed_script["msg"]
    assert ops_since(fleet, "wac-0005", 0) == ["gateway_info"]

    for healthy in ("wac-0006", "wac-0007"):
        assert stats[healthy]["failures"] == 0 and stats[healthy]["unreachable"] == 0
        state = models(fleet)[healthy]
        assert state["registration"]["app_id"] == APP and state["registration"]["tenant_id"] == TENANT
        assert state["proxy"]["address"] == "http://proxy.contoso.com:3128"
    for broken in ("wac-0001", "wac-0002", "wac-0003", "wac-0005"):
        assert fleet.pcs[broken].model.to_dict()["proxy"] is None
