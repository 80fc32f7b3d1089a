"""Kerberos of the fleet emulator with a real MIT KDC (tests/emulators/kdc.py): pywinrm's Kerberos client (pykerberos,
tickets from the real kinit) and pyspnego's, against the emulator's gssapi acceptor over real sockets."""

from __future__ import annotations

import base64

import pytest
import requests
import spnego
import winrm
from spnego.channel_bindings import GssChannelBindings
from winrm.exceptions import InvalidCredentialsError

from tests.emulators.fleet import echo_ops

pytestmark = pytest.mark.timeout(120)
NOOP = base64.b64encode("# wac.fleet operation: noop".encode("utf-16-le")).decode()


@pytest.fixture(scope="module")
def fleets(wac_fleet_module, kerberos_realm):
    return {scheme: wac_fleet_module(2, scheme=scheme, transport="kerberos", kerberos=kerberos_realm,
                                     script_runner=echo_ops.run_script) for scheme in ("http", "https")}


@pytest.fixture
def ticket(kerberos_realm, tmp_path, monkeypatch):
    """A forwardable TGT of the fleet's user in a ticket cache of this test (kinit with the password)."""
    def get(host: dict, user: str | None = None, password: str | None = None) -> str:
        user = user or host["user"]
        kerberos_realm.add_user(user, password or host["password"])
        ccache = tmp_path / f"ccache-{user}"
        kerberos_realm.kinit(user, ccache, password=password or host["password"])
        monkeypatch.setenv("KRB5CCNAME", f"FILE:{ccache}")
        return kerberos_realm.principal(user)
    return get


def _protocol(fleet, host: dict, principal: str, **options) -> winrm.Protocol:
    options.setdefault("kerberos_hostname_override", f"{host['name']}.fleet.wac.test")
    return winrm.Protocol(f"{host['scheme']}://{host['address']}:{host['port']}/wsman", transport="kerberos",
                          username=principal, ca_trust_path=fleet.ca_bundle, **options)


def _run(protocol: winrm.Protocol) -> int:
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "PowerShell", ["-EncodedCommand", NOOP])
    rc = protocol.get_command_output(shell, command)[2]
    protocol.close_shell(shell)
    return rc


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("delegation", [False, True], ids=["no-delegation", "delegation"])
def test_kerberos_logon_and_its_delegation(fleets, ticket, scheme, delegation):
    fleet = fleets[scheme]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(fleet, host, ticket(host), kerberos_delegation=delegation)

    assert _run(protocol) == 0
    assert (protocol.transport.encryption is not None) == (scheme == "http")  # WinRM message encryption over HTTP
    session = fleet.log(host["name"])[-1]["session"]
    assert session == {"user": f"{host['user']}@FLEET.WAC.TEST",
                       "auth": "kerberos-delegated" if delegation else "kerberos", "delegated": delegation}


def test_a_ticket_for_another_pc_is_refused(fleets, ticket):
    fleet = fleets["http"]
    host, other = fleet.endpoints["hosts"]
    protocol = _protocol(fleet, host, ticket(host), kerberos_hostname_override=f"{other['name']}.fleet.wac.test")
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell()


def test_another_user_of_the_realm_is_refused(fleets, ticket):
    fleet = fleets["http"]
    host = fleet.endpoints["hosts"][0]
    protocol = _protocol(fleet, host, ticket(host, "intruder", "Intruder-Pa55"))
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell()


def _negotiate(fleet, host: dict, principal: str, password: str, bindings: GssChannelBindings | None) -> int:
    """One authenticated empty POST with pyspnego's client (password, no ticket cache): the HTTP status."""
    client = spnego.client(principal, password, hostname=f"{host['name']}.fleet.wac.test", service="HTTP",
                           protocol="kerberos", channel_bindings=bindings)
    token = base64.b64encode(client.step()).decode()
    answer = requests.post(f"https://{host['address']}:{host['port']}/wsman", data=b"", timeout=10,
                           headers={"Authorization": f"Negotiate {token}"}, verify=fleet.ca_bundle)
    if answer.status_code == 200:  # mutual authentication: the acceptor's token completes the client
        client.step(base64.b64decode(answer.headers["WWW-Authenticate"].split()[1]))
        assert client.complete
    return answer.status_code


def test_https_checks_the_channel_binding(fleets, kerberos_realm):
    fleet = fleets["https"]
    host = fleet.endpoints["hosts"][1]
    principal = kerberos_realm.add_user(host["user"], host["password"])
    server_bindings = fleet.server.tls.channel_bindings()
    wrong = GssChannelBindings(application_data=b"tls-server-end-point:" + bytes(32))

    assert _negotiate(fleet, host, principal, host["password"], server_bindings) == 200
    assert _negotiate(fleet, host, principal, host["password"], wrong) == 401


def test_a_pc_without_a_realm_refuses_kerberos(wac_fleet, ticket):
    fleet = wac_fleet(1, transport="ntlm", script_runner=echo_ops.run_script)
    host = fleet.endpoints["hosts"][0]
    answer = requests.post(f"http://{host['address']}:{host['port']}/wsman", data=b"", timeout=10)
    assert answer.headers["WWW-Authenticate"] == "Negotiate"  # no "Kerberos" offered: not joined to a domain
    protocol = _protocol(fleet, host, ticket(host))
    with pytest.raises(InvalidCredentialsError):
        protocol.open_shell()
    assert fleet.log(host["name"]) == []
