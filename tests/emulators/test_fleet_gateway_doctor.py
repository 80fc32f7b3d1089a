"""The gateway doctor's script, as the collection sends it, run by the script router against gateway models in process
(no WinRM): it reads and never writes, keeps secrets on the PC, and a report replays into a PC that shows the same
evidence (doctor_replay.py), including a v2 PC with its migrated v1 install beside it."""

from __future__ import annotations

import copy
import datetime
import json
import types

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_doctor_report as reports
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor import diagnose
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor_evidence import script_input
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_rest_auth import Logon
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import script_and_input
from tests.emulators.fleet import doctor_replay, ops
from tests.emulators.fleet.gateway_model import CLASSIC_KEY, GENERATIONS, GatewayModel
from tests.emulators.fleet.session import Session

ACCOUNT = {"username": "wac-admin", "password": "Pa55-w0rd"}
PROXY = {"address": "http://proxy.contoso.test:3128", "username": "CONTOSO\\proxy", "password": "Pr0xy-Secret"}
REGISTRATION = {"cloud": "Azure Global", "tenant_id": "11111111-2222-3333-4444-555555555555",
                "app_id": "66666666-7777-8888-9999-000000000000"}
NTLM = Session.for_auth("wac-admin", "ntlm")
LOGON = Logon("winrm", "ntlm", False, "wac-admin", ACCOUNT["password"])


def model(generation: str, **options) -> GatewayModel:
    return GatewayModel(generation, "wac-0001", "wac-0001.fleet.wac.test",
                        accounts={ACCOUNT["username"]: ACCOUNT["password"]}, **options)


def doctor(gateway: GatewayModel, session: Session = NTLM) -> tuple[dict, str, str | None]:
    """The doctor's script on the model: (evidence, script text, stdin)."""
    script, stdin = script_and_input("gateway_doctor", script_input(ACCOUNT))
    pc = types.SimpleNamespace(model=gateway, faults={}, name=gateway.name, user=ACCOUNT["username"])
    rc, out, err = ops.run_script(pc, script, stdin.decode() if stdin else "", session)
    assert rc == 0, (out, err)
    return json.loads(out), script, stdin.decode() if stdin else None


def report_of(gateway: GatewayModel) -> dict:
    evidence, _script, _stdin = doctor(gateway)
    now = datetime.datetime.now(datetime.UTC)
    diagnosis = diagnose(evidence, logon=LOGON, credentials_sent=True, now=now)
    return json.loads(json.dumps(reports.build(diagnosis, evidence, host="wac-0001", now=now, hash_host_names=False)))


def state(gateway: GatewayModel) -> dict:
    return {"model": gateway.to_dict(), "registry": copy.deepcopy(gateway.registry),
            "files": {path: (f.text, f.acl) for path, f in gateway.files.items()}, "starts": gateway.service_starts}


def migrated(gateway: GatewayModel) -> GatewayModel:
    """A v2 PC on which MIG's Update-WACEnvironment left the v1 install: key, service set to Manual, marker."""
    gateway.registry[CLASSIC_KEY.lower()] = {
        "SmePort": 443, "Version": "1.5.2306.14001", "InstallDir": "C:\\Program Files\\Windows Admin Center"}
    gateway.add_service("ServerManagementGateway", "Stopped", "Manual")
    gateway.file_create(gateway.expand(r"%ProgramData%\WindowsAdminCenter\MigrationBackup\MarkedMigrated.txt"),
                        "MIGRATION COMPLETED AT 12/09/2024 18:29:56")
    return gateway


CASES = {
    "classic_server": lambda: model("classic_server", registration=REGISTRATION),
    "classic_desktop": lambda: model("classic_desktop", registration=REGISTRATION),
    "modern": lambda: model("modern", proxy=PROXY, registration=REGISTRATION),
    "modern_migrated": lambda: migrated(model("modern")),
}


@pytest.mark.parametrize("case", CASES)
def test_the_doctor_reads_without_writing_and_keeps_secrets_on_the_pc(case):
    gateway = CASES[case]()
    before = state(gateway)
    evidence, script, stdin = doctor(gateway)
    assert state(gateway) == before
    text = json.dumps(evidence)
    assert PROXY["password"] not in text and ACCOUNT["password"] not in text
    assert ACCOUNT["password"] not in script and ACCOUNT["password"] in stdin  # a secret never in the command
    if case == "modern":
        proxy = evidence["json_files"]["appsettings"]["document"]["WindowsAdminCenter"]["Http"]["Proxy"]
        assert proxy["Credentials"] == {"redacted": True, "set": True, "form": "plaintext"}
        assert proxy["ProtectedData"] == {"redacted": True, "set": False, "form": "empty"}


@pytest.mark.parametrize("case", CASES)
def test_no_fact_is_contradicted_on_an_emulated_gateway_and_its_report_replays_to_the_same_evidence(case):
    report = report_of(CASES[case]())
    assert [f for f in report["facts"] if f["result"] == "contradicted"] == []
    assert report["blocking"] == []
    replayed = GatewayModel.from_doctor(report, accounts={ACCOUNT["username"]: ACCOUNT["password"]})
    assert replayed.generation == report["gateway"]["generation"]
    evidence, _script, _stdin = doctor(replayed)
    assert evidence == report["evidence"]


def test_side_by_side_facts_on_a_migrated_pc():
    report = report_of(migrated(model("modern")))
    results = {f["id"]: f for f in report["facts"]}
    for fact_id in ("v2.migrated_marker", "v1.service_after_migration", "v1.registry_key", "v1.port_value"):
        assert results[fact_id]["result"] == "confirmed", results[fact_id]
    assert report["gateway"]["installs"] == {"classic": True, "modern": True} and report["gateway"]["migrated"]
    # the v1 REST facts are about the v1 gateway, which no longer serves: absent, with the reason
    expected = {**results["v1.rest_root"], "result": "absent", "found": "this PC runs a modern gateway"}
    assert results["v1.rest_root"] == expected


def test_a_replayed_pc_shows_the_contradiction_the_report_shows():
    report = report_of(model("modern"))
    report["evidence"]["services"]["WindowsAdminCenterAccountManagement"]["start_type"] = "Automatic"
    replayed = GatewayModel.from_doctor(report)
    assert replayed.to_dict()["start_types"]["WindowsAdminCenterAccountManagement"] == "Automatic"
    evidence, _script, _stdin = doctor(replayed)
    diagnosis = diagnose(evidence, logon=LOGON, credentials_sent=True, now=datetime.datetime.now(datetime.UTC))
    assert [f["id"] for f in diagnosis["facts"] if f["result"] == "contradicted"] == ["v2.account_management_service"]


def test_a_report_without_a_gateway_cannot_be_replayed():
    report = report_of(model("modern"))
    report["gateway"]["generation"] = None
    with pytest.raises(ValueError, match="shows no gateway"):
        GatewayModel.from_doctor(report)
    with pytest.raises(ValueError, match="not a gateway doctor report"):
        doctor_replay.check({"schema": "something/else"})


@pytest.mark.parametrize("generation", GENERATIONS)
def test_fleet_layout_puts_the_replays_first(generation):
    report = report_of(model(generation))
    assert doctor_replay.fleet_layout([report], None, None) == (1, [generation])
    assert doctor_replay.fleet_layout([report], 3, ["modern"]) == (3, [generation, "modern", "modern"])
