"""Helpers of the gateway integration tests: run ansible-playbook against a fleet, read results and the PCs' logs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.integration import ansible_run
from tests.integration.ansible_run import PlaybookRun, ansible_env

CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"
TENANT = "11111111-2222-3333-4444-555555555555"
APP = "66666666-7777-8888-9999-000000000000"
APP_OBJECT = "99999999-8888-7777-6666-555555555555"  # the app's service principal object ID (NAA's appObjectId)
PROXY_PASSWORD = "Pr0xy-Secret-Value"

# The gateway part of the register_wac playbook, as the roles do it: read once, set the proxy (restarting the
# gateway when it changed), register to the shared app, reusing the facts so a re-run costs one command per PC.
# Proxy credentials go to the v2 gateways only (the collection does not write v1 ones).
SITE = textwrap.dedent("""\
    - name: Gateways
      hosts: wac_gateways
      gather_facts: false
      vars:
        proxy_user: CONTOSO\\wac-proxy
      tasks:
        - name: Read the gateway
          wac.fleet.gateway_info:

        - name: Set the proxy
          wac.fleet.gateway_proxy:
            address: http://proxy.contoso.com:3128
            bypass_on_local: true
            bypass_list: [contoso.com, "*.contoso.com"]
            username: "{{ proxy_user if ansible_facts.wac_gateway.generation == 'modern' else omit }}"
            password: "{{ proxy_password if ansible_facts.wac_gateway.generation == 'modern' else omit }}"
            update_password: "{{ update_password | default('on_create') }}"
            restart: "{{ ansible_facts.wac_gateway.restart_supported }}"
            timeout: "{{ restart_timeout | default(30) }}"
            delay: 0.2
            gateway_facts: "{{ ansible_facts.wac_gateway }}"

        - name: Register the gateway
          wac.fleet.gateway_registration:
            cloud: AzureCloud
            tenant_id: %(tenant)s
            app_id: %(app)s
            app_object_id: %(app_object)s
            gateway_facts: "{{ ansible_facts.wac_gateway }}"
    """) % {"tenant": TENANT, "app": APP, "app_object": APP_OBJECT}

UNREGISTER = textwrap.dedent("""\
    - name: Unregister
      hosts: wac_gateways
      gather_facts: false
      tasks:
        - name: Unregister the gateway
          wac.fleet.gateway_registration:
            state: absent
    """)


def run_playbook(fleet, playbook: str, directory: Path, *args: str, extra_inventory: str | None = None,
                 timeout: float = 240) -> PlaybookRun:
    """Write ``playbook`` to ``directory`` and run it on the fleet with the results_json stdout callback (so that
    ``run.result(task, host)`` reads each task's result)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "playbook.yml"
    path.write_text(playbook)
    inventories = ["-i", str(fleet.inventory_path)]
    if extra_inventory:
        extra = directory / "extra_inventory.ini"
        extra.write_text(extra_inventory)
        inventories += ["-i", str(extra)]
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="results_json", ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
                      ANSIBLE_LOCAL_TEMP=str(directory / "tmp"))
    secrets = json.dumps({"proxy_password": PROXY_PASSWORD})
    return ansible_run.run_playbook(path, *inventories, "-f", "10", "-e", secrets, *args, env=env, timeout=timeout)


def ops_since(fleet, name: str, start: int) -> list[str]:
    return [entry["op"] for entry in fleet.log(name)[start:]]


def log_sizes(fleet) -> dict[str, int]:
    return {name: len(fleet.log(name)) for name in fleet.pcs}


def models(fleet) -> dict[str, dict]:
    return {name: pc.model.to_dict() for name, pc in fleet.pcs.items()}


def comparable(state: dict) -> dict:
    """A model's state without what merely reflects time passing."""
    return {k: v for k, v in state.items() if k not in ("listening",)}
