"""register_wac.yml end to end over every Windows connection real fleets use, against three emulated PCs (one of each
generation): winrm with NTLM (HTTP with message encryption, HTTPS with channel binding), Kerberos (a real MIT KDC;
HTTP with encryption and kinit from the inventory password; HTTPS with channel binding, a keytab kinit made
beforehand and delegation), CredSSP (HTTPS); psrp with NTLM and with Kerberos (delegated); ssh with a password and
with a key. Each runs the whole flow: first run, re-run with nothing to change, drift seen in check mode and then
corrected, one gateway unregistered, one dead PC that does not stop the others. Every command on every PC must have
run as the logon the connection gives (session.py): which one says whether the REST step has the user's
credentials (docs/guide.md, "Connections").
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.integration.fleet_world import PROXY

GENERATIONS = ["classic_server", "classic_desktop", "modern"]


@dataclasses.dataclass(frozen=True)
class Case:
    connection: str
    transport: str
    scheme: str = "http"
    kinit_mode: str = "managed"
    delegation: bool = False
    auth: str = ""  # the Session.auth every command must run as
    delegated: bool = False

    @property
    def via(self) -> str:
        return {"winrm": "winrs", "psrp": "psrp", "ssh": "ssh"}[self.connection]


CASES = {
    "winrm-ntlm-http": Case("winrm", "ntlm", "http", auth="ntlm"),
    "winrm-ntlm-https": Case("winrm", "ntlm", "https", auth="ntlm"),
    "winrm-kerberos-http": Case("winrm", "kerberos", "http", auth="kerberos"),
    "winrm-kerberos-https-keytab-delegated": Case("winrm", "kerberos", "https", kinit_mode="manual", delegation=True,
                                                  auth="kerberos-delegated", delegated=True),
    "winrm-credssp-https": Case("winrm", "credssp", "https", auth="credssp", delegated=True),
    "psrp-ntlm-http": Case("psrp", "ntlm", "http", auth="ntlm"),
    "psrp-kerberos-https-delegated": Case("psrp", "kerberos", "https", delegation=True, auth="kerberos-delegated",
                                          delegated=True),
    "ssh-password": Case("ssh", "password", auth="ssh-password", delegated=True),
    "ssh-key": Case("ssh", "key", auth="ssh-key"),
}


def _world(case: Case, make_world, request, tmp_path):
    options = {"connection": case.connection, "transport": case.transport, "scheme": case.scheme,
               "generations": GENERATIONS, "kinit_mode": case.kinit_mode, "delegation": case.delegation}
    env = {}
    if case.transport == "kerberos":
        realm = request.getfixturevalue("kerberos_realm")
        options["kerberos"] = realm
    world = make_world(count=3, fleet_options=options)
    if case.kinit_mode == "manual":  # the ticket comes from a keytab, with the real kinit, before Ansible runs
        fleet = world.fleet.fleet
        ccache = tmp_path / "ccache"
        realm.kinit(fleet.user, ccache, keytab=realm.user_keytab(fleet.user), forwardable=case.delegation)
        env["KRB5CCNAME"] = f"FILE:{ccache}"
    return world, env


@pytest.mark.parametrize("name", list(CASES))
def test_register_flow_over_each_connection(name, make_world, request, tmp_path):
    case = CASES[name]
    world, env = _world(case, make_world, request, tmp_path)
    hosts = world.hosts

    first = world.run(name="first", env=env)
    assert first.rc == 0, first.output
    assert first.hosts("changed") == hosts
    app_id = world.app()["appId"]
    assert all(registration["app_id"] == app_id for registration in world.registrations().values())
    assert all(world.gateway(host)["proxy"]["address"] == PROXY for host in hosts)
    for host in hosts:
        logons = {(e["via"], e["session"]["auth"], e["session"]["delegated"]) for e in world.fleet.log(host)}
        assert logons == {(case.via, case.auth, case.delegated)}, host

    sizes = {host: len(world.scripts(host)) for host in hosts}
    rerun = world.run(name="rerun", env=env)
    assert rerun.rc == 0, rerun.output
    assert rerun.hosts("changed") == []
    assert all(world.scripts(host)[sizes[host]:] == ["gateway_info"] for host in hosts)

    drifted, gone, dead = hosts
    world.fleet.pcs[drifted].model.apply({"proxy": {"address": "http://rogue.contoso.test:8080"}})
    before = world.states()
    check = world.run("register_wac.yml", "--check", "--diff", name="check", env=env)
    assert check.rc == 0, check.output
    assert check.hosts("changed") == [drifted]
    assert "rogue.contoso.test" in check.output
    assert world.states() == before
    corrected = world.run(name="drift", env=env)
    assert corrected.rc == 0, corrected.output
    assert corrected.hosts("changed") == [drifted]
    assert world.gateway(drifted)["proxy"]["address"] == PROXY

    unregister = world.run("unregister_wac.yml", "--limit", gone, name="unregister", env=env)
    assert unregister.rc == 0, unregister.output
    assert unregister.hosts("changed") == [gone]
    assert world.gateway(gone)["registration"] is None

    world.fleet.set_faults(dead, refuse=True)
    outcome = world.run(name="dead", env=env)
    assert outcome.rc != 0
    assert outcome.hosts("unreachable") == [dead]
    assert world.gateway(gone)["registration"]["app_id"] == app_id  # registered again; the dead PC stopped nobody
    rows = {row["host"]: row for row in world.report(outcome)["gateways"]}
    assert rows[dead]["outcome"] == "unreachable" and rows[gone]["outcome"] == "changed"
