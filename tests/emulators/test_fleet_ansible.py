"""Real ``ansible-playbook`` runs (subprocess, ``ansible_connection=winrm``) against the fleet emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.emulators.fleet import echo_ops
from tests.integration import ansible_run
from tests.integration.ansible_run import ansible_env

pytestmark = pytest.mark.timeout(180)

PLAYBOOK = """\
- hosts: wac_gateways
  gather_facts: false
  tasks:
    - name: One marked script per PC
      ansible.builtin.raw: "# wac.fleet operation: noop"
      register: noop

    - name: It ran and said nothing
      ansible.builtin.assert:
        that:
          - noop.rc == 0
          - noop.stdout == ""
          - noop.stderr == ""
"""


def run_playbook(tmp_path: Path, inventory: Path, *extra: str) -> tuple[int, str, dict[str, dict[str, int]]]:
    playbook = tmp_path / "noop.yml"
    playbook.write_text(PLAYBOOK)
    env = ansible_env(ANSIBLE_FORKS="10", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    run = ansible_run.run_playbook(playbook, "-i", str(inventory), *extra, env=env, timeout=150)
    recap = {host: {k: counts[k] for k in ("ok", "unreachable", "failed")} for host, counts in run.recap.items()}
    return run.rc, run.output, recap


@pytest.mark.parametrize(
    ("scheme", "transport", "count"), [("http", "ntlm", 5), ("https", "ntlm", 2), ("http", "basic", 2)]
)
def test_playbook_over_winrm(wac_fleet, tmp_path, scheme, transport, count):
    fleet = wac_fleet(count, scheme=scheme, transport=transport, script_runner=echo_ops.run_script)

    rc, output, recap = run_playbook(tmp_path, fleet.inventory_path)

    assert rc == 0, output
    assert recap == {name: {"ok": 2, "unreachable": 0, "failed": 0} for name in fleet.pcs}, output
    for name, pc in fleet.pcs.items():
        assert [entry["op"] for entry in fleet.log(name)] == ["noop"]
        assert pc.requests["Create"] == 1 and pc.requests["Delete"] == 1  # one shell per connection


def test_each_transport_fault_fails_that_pc_alone(wac_fleet, tmp_path):
    fleet = wac_fleet(5, transport="ntlm", script_runner=echo_ops.run_script)
    fleet.set_faults("wac-0002", refuse=True)
    fleet.set_faults("wac-0003", delay=8)
    fleet.set_faults("wac-0004", auth_fail=True)

    rc, output, recap = run_playbook(
        tmp_path, fleet.inventory_path,
        "-e", "ansible_winrm_operation_timeout_sec=2", "-e", "ansible_winrm_read_timeout_sec=3",
    )

    assert rc != 0
    assert recap["wac-0001"] == recap["wac-0005"] == {"ok": 2, "unreachable": 0, "failed": 0}, output
    for name in ("wac-0002", "wac-0003", "wac-0004"):
        assert recap[name]["unreachable"] == 1, output
        assert fleet.log(name) == []
    assert re.search(r"fatal: \[wac-0002\]: UNREACHABLE!.*Connection refused", output), output
    assert re.search(r"fatal: \[wac-0003\]: UNREACHABLE!.*Read timed out", output), output
    assert re.search(r"fatal: \[wac-0004\]: UNREACHABLE!.*credentials were rejected by the server", output), output
