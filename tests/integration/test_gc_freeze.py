"""wac.fleet.gc_freeze: the workers Ansible forks start from a frozen heap (their garbage collections walk only what
they make themselves), for every task and for hosts whose workers fork after other hosts' results; without the
callback they walk the controller's whole heap. Real ansible-playbook runs, a test action reporting from the worker."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.ansible_run import ansible_env, run_playbook

HERE = Path(__file__).resolve().parent
HOSTS = [f"h{i}" for i in range(6)]


def run(tmp_path: Path, callbacks: str) -> dict:
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[all]\n" + "".join(f"{h} ansible_connection=local\n" for h in HOSTS))
    tasks = [{"name": f"state {n}", "gc_state": {}} for n in (1, 2)]
    playbook = tmp_path / "gc.yml"
    playbook.write_text(json.dumps([{"name": "gc", "hosts": "all", "gather_facts": False, "tasks": tasks}]))
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="results_json", ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
                      ANSIBLE_ACTION_PLUGINS=str(HERE / "action_plugins"), ANSIBLE_CALLBACKS_ENABLED=callbacks or None,
                      ANSIBLE_FORKS="2")
    outcome = run_playbook(playbook, inventory=inventory, env=env, cwd=tmp_path)
    assert outcome.rc == 0, outcome.output
    return {(task, host): outcome.result(task, host) for task in ("state 1", "state 2") for host in HOSTS}


def test_workers_start_from_a_frozen_heap_with_the_callback_and_walk_it_without(tmp_path):
    frozen = run(tmp_path, "wac.fleet.gc_freeze")
    plain = run(tmp_path, "")
    assert all(r["frozen"] == 0 for r in plain.values())
    # With 2 forks and 6 hosts, most workers fork after other hosts' results came back: each still starts frozen,
    # and what its collections would walk is a small part of what it inherited.
    for key, result in frozen.items():
        assert result["frozen"] > 10_000, key
        assert result["walked"] < result["frozen"] / 5, (key, result)
    for key, result in plain.items():
        assert result["walked"] > 10_000, key
