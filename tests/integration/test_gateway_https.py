"""The same playbook over HTTPS (NTLM with channel binding) against one PC of each generation: set proxy, restart,
register, then a re-run that changes nothing."""

from __future__ import annotations

from tests.integration.gateway_helpers import APP, SITE, models, ops_since, run_playbook

GENERATIONS = ["classic_server", "classic_desktop", "modern"]


def test_https_first_run_and_rerun(wac_fleet, tmp_path):
    fleet = wac_fleet(3, scheme="https", generations=GENERATIONS, model_options={"start_delay": 0.3})
    assert {h["scheme"] for h in fleet.endpoints["hosts"]} == {"https"}
    first = run_playbook(fleet, SITE, tmp_path / "first")
    assert first.rc == 0, first.stdout[-4000:]
    for name, state in models(fleet).items():
        assert first.changed(name) == 2
        assert state["registration"]["app_id"] == APP
        assert state["proxy"]["credentials_set"] is (state["generation"] == "modern")  # v2 credentials only
        assert state["listening"]
    assert first.result("Set the proxy", "wac-0001")["restarted"]
    assert first.result("Set the proxy", "wac-0003")["restarted"]
    sizes = {name: len(fleet.log(name)) for name in fleet.pcs}
    again = run_playbook(fleet, SITE, tmp_path / "again")
    assert again.rc == 0
    for name in fleet.pcs:
        assert again.changed(name) == 0
        assert ops_since(fleet, name, sizes[name]) == ["gateway_info"]
