"""The whole register_wac.yml against both emulators: a work folder with ansible.cfg, group_vars and the fleet's
inventory, as a user would lay it out (scripts/demo.py does the same by hand).

    def test_x(make_world):                        # also named fleet_world
        world = make_world(count=6)                # the emulated tenant (reset) + 6 emulated gateways (forks=10)
        run = world.run()                          # register_wac.yml; tests.integration.ansible_run.PlaybookRun
        world.report(run)                          # report.json of that run (or world.report("run-1"))
        world.apps()                               # the shared app(s) in the tenant model
        world.gateway("wac-0001")                  # that PC's model state (GatewayModel.to_dict())
        world.gateway_redirect_uris("wac-0001")    # the redirect URIs that PC needs
        world.graph_writes(), world.scripts(name)  # the emulators' logs: Graph writes, ops run on a PC
        world.set_vars(entra_app_id="...")         # rewrite group_vars/wac_gateways.yml

``world.start(...)`` starts a run without waiting, for races and interrupts; its ``wait()`` collects it (both from
tests.integration.ansible_run, the one runner). Every run writes its fleet report to ``<work>/reports/<name>`` and
uses its own local temp folder. The fixtures are registered for tests/integration by its conftest.py.
"""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path

import pytest

from tests.emulators.tenant.clients import entra_connection
from tests.integration.ansible_run import PlaybookRun, ansible_env, run_playbook, start

UNIQUE_NAME = "wac-fleet-gateways"
PROXY = "http://proxy.contoso.test:3128"
PROXY_USER = "CONTOSO\\wac-proxy"
PROXY_PASSWORD = "Fl33t-Proxy-Pa55word"


# Proxy credentials go to the v2 gateways only: the collection does not write v1 ones (docs/gateway.md).
MODERN_VARS = {"gateway_proxy_username": PROXY_USER, "gateway_proxy_password": PROXY_PASSWORD}


def group_vars(tenant_endpoints: dict, identity: str = "admin", **extra) -> dict:
    """The wac_gateways group_vars of a fleet using the emulated tenant as `identity` (secret in the env)."""
    connection = entra_connection(tenant_endpoints, identity)
    settings = {"gateway_proxy_state": "present", "gateway_proxy_address": PROXY,
                "gateway_proxy_bypass_list": ["*.contoso.test"], "gateway_restart_delay": 1,
                "gateway_restart_timeout": 20, "entra_app_connection": connection}
    settings.update(extra)
    return settings


class World:
    def __init__(self, tenant, fleet, work: Path, identity: str = "admin", forks: int = 10, **variables):
        self.tenant = tenant
        self.fleet = fleet
        self.work = work
        self.hosts = sorted(fleet.pcs)
        self.runs = 0
        self.vars = group_vars(tenant.endpoints, identity, **variables)
        secret = tenant.endpoints["identities"][identity].get("client_secret")
        self.secrets = {"AZURE_CLIENT_SECRET": secret} if secret else {}
        (work / "group_vars").mkdir(parents=True, exist_ok=True)
        self.inventory = work / "inventory.ini"
        self.inventory.write_text(Path(fleet.inventory_path).read_text())
        (work / "ansible.cfg").write_text(
            f"[defaults]\ninventory = inventory.ini\ncallbacks_enabled = wac.fleet.fleet_report\nforks = {forks}\n"
            "host_key_checking = False\nretry_files_enabled = False\n")
        self.write_vars()

    def write_vars(self, **changes) -> None:
        """(Re)write group_vars/wac_gateways.yml (and the v2 gateways' proxy credentials in
        group_vars/wac_gateways_modern.yml); a value None drops the key."""
        self.vars.update(changes)
        self.vars = {k: v for k, v in self.vars.items() if v is not None}
        (self.work / "group_vars" / "wac_gateways.yml").write_text("---\n" + json.dumps(self.vars, indent=1) + "\n")
        modern = {k: v for k, v in MODERN_VARS.items() if k not in self.vars}  # set on the group: overrides them
        (self.work / "group_vars" / "wac_gateways_modern.yml").write_text("---\n" + json.dumps(modern, indent=1) + "\n")

    def env(self, name: str, **extra) -> dict:
        return ansible_env(ANSIBLE_CONFIG=str(self.work / "ansible.cfg"),
                           ANSIBLE_LOCAL_TEMP=str(self.work / "tmp" / name),
                           WAC_FLEET_REPORT_DIR=str(self.work / "reports" / name), **{**self.secrets, **extra})

    def _name(self, name: str | None) -> str:
        self.runs += 1
        return name or f"run-{self.runs}"

    def run(self, playbook: str = "register_wac.yml", *args: str, name: str | None = None, timeout: float = 180,
            env: dict | None = None) -> PlaybookRun:
        name = self._name(name)
        run = run_playbook(playbook, *args, env=self.env(name, **(env or {})), cwd=self.work, timeout=timeout,
                           name=name)
        (self.work / f"{name}.log").write_text(run.output)
        return run

    def start(self, playbook: str = "register_wac.yml", *args: str, name: str | None = None,
              env: dict | None = None) -> PlaybookRun:
        """The run started in the background; ``run.wait(timeout)`` ends it."""
        name = self._name(name)
        return start(playbook, *args, env=self.env(name, **(env or {})), cwd=self.work, name=name)

    def report(self, run: PlaybookRun | str) -> dict:
        """report.json of a run (the PlaybookRun or its name)."""
        name = run if isinstance(run, str) else run.name
        return json.loads((self.work / "reports" / name / "report.json").read_text())

    def set_vars(self, **changes) -> None:
        self.write_vars(**changes)

    def apps(self) -> list[dict]:
        """Every app of the tenant but the test identities' own, as the tenant holds them now."""
        return [copy.deepcopy(rec.props) for rec in self.tenant.model.applications.values()
                if "wac-fleet-emulator-identity" not in (rec.props.get("tags") or [])]

    def gateway(self, name: str) -> dict:
        return self.fleet.pcs[name].model.to_dict()

    def gateway_redirect_uris(self, name: str) -> list[str]:
        """The redirect URIs the PC needs in the shared app, derived from its model (not from the collection)."""
        state = self.gateway(name)
        if state["generation"] == "classic_desktop":
            return [f"https://localhost:{state['port']}", f"http://localhost:{state['port']}"]
        host = state["fqdn"].lower()
        return [f"https://{host}" if state["port"] == 443 else f"https://{host}:{state['port']}"]

    def graph_writes(self) -> list[dict]:
        return self.tenant.requests(write_only=True)

    def scripts(self, name: str) -> list[str]:
        """The operations run on the PC, in order."""
        return [entry["op"] for entry in self.fleet.log(name)]

    def app(self) -> dict | None:
        """The shared app as the tenant holds it now (replication delay ignored), or None."""
        apps = [rec.props for rec in self.tenant.model.applications.values()
                if rec.props.get("uniqueName") == UNIQUE_NAME]
        assert len(apps) <= 1, f"{len(apps)} apps with uniqueName {UNIQUE_NAME}"
        return copy.deepcopy(apps[0]) if apps else None

    def fleet_apps(self) -> dict[str, dict]:
        """The apps of the fleet (UNIQUE_NAME, UNIQUE_NAME-2, ...) by unique name, as the tenant holds them now."""
        pattern = re.compile(re.escape(UNIQUE_NAME) + r"(-[0-9]+)?")
        return {rec.props["uniqueName"]: copy.deepcopy(rec.props) for rec in self.tenant.model.applications.values()
                if pattern.fullmatch(rec.props.get("uniqueName") or "")}

    @staticmethod
    def uri_count(app: dict) -> int:
        """An app's redirect URIs on every platform together (what Entra's limit counts)."""
        return sum(len((app.get(p) or {}).get("redirectUris") or []) for p in ("spa", "web", "publicClient"))

    def misplaced(self, hosts=None) -> list[str]:
        """The gateways not registered to an app of the tenant that holds every redirect URI they need (from the PC
        models and the tenant, not from the collection)."""
        by_app_id = {rec.props["appId"]: set((rec.props.get("spa") or {}).get("redirectUris") or [])
                     for rec in self.tenant.model.applications.values()}
        wrong = []
        for name in hosts or self.hosts:
            registration = self.gateway(name)["registration"] or {}
            if not set(self.gateway_redirect_uris(name)) <= by_app_id.get(registration.get("app_id"), set()):
                wrong.append(name)
        return wrong

    def apps_named(self) -> list[dict]:
        return [rec.props for rec in self.tenant.model.applications.values()
                if rec.props.get("displayName") == self.vars.get("entra_app_display_name", "WindowsAdminCenter-fleet")]

    def registrations(self) -> dict[str, dict | None]:
        return {name: pc.model.to_dict()["registration"] for name, pc in self.fleet.pcs.items()}

    def states(self) -> dict[str, dict]:
        return {name: pc.model.to_dict() for name, pc in self.fleet.pcs.items()}

    def redirect_uris(self, hosts=None) -> set[str]:
        return {uri for name in (hosts or self.hosts) for uri in self.gateway_redirect_uris(name)}

    def gateway_writes(self) -> dict[str, list[str]]:
        """Per PC, the scripts run that can change it (anything but reading it)."""
        writes = {}
        for name in self.hosts:
            ops = [entry for entry in self.fleet.log(name) if entry["op"] not in ("gateway_info", "gateway_health")]
            ops = [e for e in ops if not (e["op"] == "gateway_rest" and _rest_is_read(e["stdin"]))]
            if ops:
                writes[name] = [e["op"] for e in ops]
        return writes

    def wait_for(self, predicate, timeout: float = 60, every: float = 0.02) -> float:
        """Poll `predicate()` until true; the seconds it took."""
        started = time.monotonic()
        while not predicate():
            if time.monotonic() - started > timeout:
                raise AssertionError(f"condition not reached within {timeout} s")
            time.sleep(every)
        return time.monotonic() - started


def _rest_is_read(stdin: str) -> bool:
    try:
        requests = json.loads(stdin).get("requests", [])
    except (ValueError, AttributeError):
        return False
    return all(r.get("method", "GET").upper() == "GET" for r in requests)


@pytest.fixture
def make_world(tenant, wac_fleet, tmp_path):
    """Factory: make_world(count=6, identity="admin", fleet_options={...}, **group_vars) -> World."""
    counter = iter(range(100))

    def make(count: int = 6, identity: str = "admin", fleet_options: dict | None = None, forks: int = 10,
             **variables) -> World:
        options = {"model_options": {"start_delay": 0.2, "stop_delay": 0.05}, **(fleet_options or {})}
        fleet = wac_fleet(count, **options)
        return World(tenant, fleet, tmp_path / f"world{next(counter)}", identity, forks, **variables)

    return make


@pytest.fixture
def fleet_world(make_world):
    """The same factory as make_world."""
    return make_world
