"""The gateway doctor end to end: playbooks/doctor.yml (the real ansible-playbook, WinRM, the one read-only script)
against emulated gateways of every generation, and against PCs replayed from doctor reports with chosen
contradictions (tests/emulators/fleet/doctor_replay.py), which the doctor must name exactly, and on which
register_wac.yml must fail naming the fact it relied on."""

from __future__ import annotations

import copy
import json

from tests.integration.fleet_world import PROXY_PASSWORD

THREE = ["classic_server", "classic_desktop", "modern"]
DOCTOR = "doctor.yml"


def reports(world, folder: str = "doctor") -> dict[str, dict]:
    directory = world.work / folder
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def contradicted(report: dict) -> set[str]:
    return {f["id"] for f in report["facts"] if f["result"] == "contradicted"}


def result(report: dict, fact_id: str) -> dict:
    return next(f for f in report["facts"] if f["id"] == fact_id)


def commands(world) -> dict[str, int]:
    return {name: world.fleet.pcs[name].requests["Command"] for name in world.hosts}


def test_every_generation_passes_the_doctor_with_one_read_only_command_and_no_secret(fleet_world):
    world = fleet_world(count=3, fleet_options={"generations": THREE})
    first = world.run(name="register")  # registered, v2 proxy with credentials: the doctor then judges those too
    assert first.rc == 0, first.output
    logs = {name: len(world.scripts(name)) for name in world.hosts}
    before = commands(world)
    run = world.run(DOCTOR, "-vvvv", "-e", f"wac_doctor_report_dir={world.work / 'doctor'}", name="doctor")
    assert run.rc == 0 and run.hosts("failed") == [] and run.hosts("changed") == [], run.output
    # one command per gateway, and it is the doctor's read: no other script ran on any PC
    assert {name: world.scripts(name)[logs[name]:] for name in world.hosts} == \
        {name: ["gateway_doctor"] for name in world.hosts}
    assert {name: commands(world)[name] - before[name] for name in world.hosts} == dict.fromkeys(world.hosts, 1)

    found = reports(world)
    assert sorted(found) == world.hosts
    for name, report in found.items():
        generation = world.gateway(name)["generation"]
        assert report["schema"] == "wac.fleet/doctor/1" and report["host"] == name
        assert report["gateway"]["generation"] == generation
        assert contradicted(report) == set(), (name, [f for f in report["facts"] if f["result"] == "contradicted"])
        assert report["blocking"] == [] and report["summary"]["confirmed"] >= 15, (name, report["summary"])
        # registered by the run before: the SDK's fields, WAC's cloud name
        assert result(report, "rest.app_info_fields")["result"] == "confirmed"
        assert result(report, "rest.cloud_names")["result"] == "confirmed"
        assert report["environment"]["certificate"]["days_left"] >= 50
    modern = found[world.hosts[2]]
    proxy = modern["evidence"]["json_files"]["appsettings"]["document"]["WindowsAdminCenter"]["Http"]["Proxy"]
    assert proxy["Credentials"] == {"redacted": True, "set": True, "form": "plaintext"}
    assert result(modern, "v2.proxy_credentials_form")["result"] == "confirmed"
    # an NTLM logon holds no delegated credentials: the default-credential probe is refused, as the fact says
    assert result(modern, "rest.default_credentials")["result"] == "confirmed"
    assert "Windows Admin Center Client" in result(found[world.hosts[1]], "v1.client_certificate_subject")["found"]

    summary = (world.work / "doctor" / "summary.md").read_text()
    assert "| `v2.port_path` | confirmed | 0 / 0 / 1 | 0 / 0 / 1 | 1 / 0 / 0 |" in summary
    assert "No fact is contradicted on any gateway." in summary

    # nothing secret in the output at -vvvv, the reports or the summary
    assert "ESTABLISH WINRM CONNECTION" in run.stdout
    texts = {"stdout": run.stdout, "stderr": run.stderr, "summary": summary,
             **{f"report {n}": json.dumps(r) for n, r in found.items()}}
    secrets = {"proxy password": PROXY_PASSWORD,
               **{f"WinRM password of {h['name']}": h["password"] for h in world.fleet.endpoints["hosts"]}}
    assert [f"{what} in {where}" for what, secret in secrets.items() for where, text in texts.items()
            if secret in text] == []
    assert world.fleet.pcs[world.hosts[2]].model.proxy_password() == PROXY_PASSWORD  # it was there to leak

    # check mode: the same read, the same verdicts
    checked = world.run(DOCTOR, "--check", "-e", f"wac_doctor_report_dir={world.work / 'checked'}", name="check")
    assert checked.rc == 0, checked.output
    assert {n: contradicted(r) for n, r in reports(world, "checked").items()} == {n: set() for n in world.hosts}
    assert all(world.scripts(name)[-1] == "gateway_doctor" for name in world.hosts)


def test_host_names_are_replaced_by_pseudonyms_on_request(fleet_world):
    world = fleet_world(count=1, fleet_options={"generations": ["modern"]})
    run = world.run(DOCTOR, "-e", f"wac_doctor_report_dir={world.work / 'doctor'}", "-e",
                    "wac_doctor_hash_host_names=true", name="doctor")
    assert run.rc == 0, run.output
    (pseudonym, report), = reports(world).items()
    text = json.dumps(report) + (world.work / "doctor" / "summary.md").read_text()
    name = world.hosts[0]
    assert pseudonym.startswith("host-") and report["host_names"] == "hashed"
    assert name not in text.lower() and world.fleet.pcs[name].fqdn not in text.lower()
    assert contradicted(report) == set()


def test_a_pc_without_a_gateway_fails_alone_and_the_summary_still_covers_the_fleet(fleet_world):
    world = fleet_world(count=2, fleet_options={"generations": ["classic_server", "modern"]})
    bare, modern = world.hosts
    model = world.fleet.pcs[bare].model  # WAC uninstalled: no settings key, no service
    model.registry.clear()
    model.services.clear()
    run = world.run(DOCTOR, "-e", f"wac_doctor_report_dir={world.work / 'doctor'}", name="doctor")
    assert run.hosts("failed") == [bare], run.output
    assert "no Windows Admin Center gateway found on this host" in run.output
    assert "(facts: v1.registry_key, v2.appsettings, v2.service)" in run.output
    found = reports(world)
    assert found[bare]["gateway"]["generation"] is None and contradicted(found[bare]) == set()
    assert contradicted(found[modern]) == set() and found[modern]["blocking"] == []
    summary = (world.work / "doctor" / "summary.md").read_text()
    assert "| fact | sources say | modern (1) | no gateway (1) |" in summary
    assert f"- {bare}: no Windows Admin Center gateway found" in summary
    assert world.scripts(bare) == ["gateway_doctor"] and world.scripts(modern) == ["gateway_doctor"]


# ---- replays with chosen contradictions ---------------------------------------------------------------------------
def _document(report: dict) -> dict:
    return report["evidence"]["json_files"]["appsettings"]["document"]


def move_port(report: dict, port: int = 8443) -> None:
    """The gateway serves on ``port``, which appsettings.json keeps under another key than CFG's."""
    evidence, document = report["evidence"], _document(report)
    endpoints = document["Kestrel"]["Endpoints"]
    endpoints["Https"] = endpoints.pop("WindowsAdminCenter")
    endpoints["Https"]["Url"] = f"https://*:{port}"
    del document["WindowsAdminCenter"]["Http"]["HttpSysUrls"]
    old = report["gateway"]["port"]
    for answer in evidence["tls"] + evidence["rest"]:
        answer["port"] = port
    evidence["http_sys"]["lines"] = [line.replace(f"0.0.0.0:{old}", f"0.0.0.0:{port}")
                                     for line in evidence["http_sys"]["lines"]]


def account_management_automatic(report: dict) -> None:
    report["evidence"]["services"]["WindowsAdminCenterAccountManagement"]["start_type"] = "Automatic"


def form_login(report: dict) -> None:
    _document(report)["WindowsAdminCenter"]["System"]["TokenAuthenticationMode"] = "FormLogin"


def protected_proxy_credentials(report: dict) -> None:
    http = _document(report)["WindowsAdminCenter"]["Http"]
    other = {"redacted": True, "set": True, "form": "other"}
    http["Proxy"] = {"Address": "http://proxy.contoso.test:3128", "BypassOnLocal": False,
                     "BypassList": [http["ServiceFqdn"]], "ProtectedData": dict(other), "Credentials": dict(other)}


def no_network_service_entry(report: dict) -> None:
    reading = report["evidence"]["json_files"]["appsettings"]
    reading["acl"] = [entry for entry in reading["acl"] if entry["sid"] != "S-1-5-20"]


CHANGES = {
    "port": (move_port, {"v2.port_path", "v2.port_fallback_path", "v2.default_port"}),
    "account_management": (account_management_automatic, {"v2.account_management_service"}),
    "form_login": (form_login, {"v2.login_mode_windows_auth"}),
    "proxy_credentials": (protected_proxy_credentials, {"v2.proxy_credentials_form"}),
    "acl": (no_network_service_entry, {"v2.appsettings_acl"}),
}


def variant(base: dict, *names: str) -> dict:
    report = copy.deepcopy(base)
    for name in names:
        CHANGES[name][0](report)
    return report


def test_a_report_with_chosen_contradictions_replays_and_the_doctor_names_exactly_those(fleet_world, tmp_path):
    source = fleet_world(count=1, fleet_options={"generations": ["modern"]})
    first = source.run(DOCTOR, "-e", f"wac_doctor_report_dir={source.work / 'doctor'}", name="source")
    assert first.rc == 0, first.output
    (base,) = reports(source).values()
    assert contradicted(base) == set()
    cases = {"unchanged": (), **{name: (name,) for name in CHANGES}, "all": tuple(CHANGES)}
    files = []
    for name, changes in cases.items():  # as a user would attach them: files
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(variant(base, *changes)))
        files.append(str(path))

    world = fleet_world(count=len(files), fleet_options={"from_doctor": files})
    assert [world.gateway(name)["generation"] for name in world.hosts] == ["modern"] * len(files)
    run = world.run(DOCTOR, "-e", f"wac_doctor_report_dir={world.work / 'doctor'}", name="replay")
    found = reports(world)
    expected = {case: set().union(*(CHANGES[c][1] for c in changes)) for case, changes in cases.items()}
    assert {case: contradicted(found[host]) for case, host in zip(cases, world.hosts, strict=True)} == expected
    # the replay is faithful: the unchanged report gives back the evidence it was made from
    unchanged = found[world.hosts[0]]["evidence"]
    original = {k: v for k, v in base["evidence"].items() if k != "host"}
    assert {k: v for k, v in unchanged.items() if k != "host"} == original
    # where the collection itself would fail, the host fails, naming the facts; the others pass
    hosts = dict(zip(cases, world.hosts, strict=True))
    assert run.hosts("failed") == sorted([hosts["port"], hosts["form_login"], hosts["all"]]), run.output
    assert found[hosts["port"]]["blocking"][0]["facts"] == ["v2.default_port"]
    assert "localhost:6600" in found[hosts["port"]]["blocking"][0]["msg"]
    assert found[hosts["form_login"]]["blocking"][0]["facts"] == ["v2.login_mode_windows_auth",
                                                                  "v2.login_mode_form_refuses_windows_auth"]
    # the UNCONFIRMED fact a FormLogin gateway settles: it refuses Windows authentication
    assert result(found[hosts["form_login"]], "v2.login_mode_form_refuses_windows_auth")["result"] == "confirmed"
    assert "v2.login_mode_form_refuses_windows_auth" in found[hosts["form_login"]]["unconfirmed"]["confirmed"]
    summary = (world.work / "doctor" / "summary.md").read_text()
    assert "| `v2.account_management_service` | confirmed | 5 / 2 / 0 |" in summary
    assert "start type Automatic" in summary

    # register_wac.yml on such PCs fails with a message naming the fact it relied on
    world.set_vars(gateway_restart_timeout=3, gateway_restart_delay=1)
    register = world.run(name="register")
    assert set(register.hosts("failed")) == {hosts[c] for c in ("port", "form_login", "proxy_credentials", "all")}, \
        register.output
    assert "on port 6600 (default port (fact v2.default_port)" in register.output
    assert "facts v2.login_mode_windows_auth, v2.login_mode_form_refuses_windows_auth" in register.output
    # the proxy credentials kept as found (update_password: on_create) are in a form the gateway cannot use
    assert "(fact v2.proxy_credentials_form; found: protected)" in register.output
    for case in ("unchanged", "account_management", "acl"):
        assert world.gateway(hosts[case])["registration"], case
