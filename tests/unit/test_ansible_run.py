"""The tests' one ansible-playbook runner: what the developer's shell sets never reaches a test's playbook."""

from __future__ import annotations

from tests.integration.ansible_run import ansible_env, parse_recap


def test_the_shells_azure_and_ansible_variables_are_dropped(monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "from-the-shell")
    monkeypatch.setenv("ANSIBLE_STDOUT_CALLBACK", "json")
    monkeypatch.setenv("IDENTITY_ENDPOINT", "http://169.254.169.254")
    monkeypatch.setenv("WAC_KEEP_ME", "1")
    env = ansible_env(AZURE_CLIENT_ID="given", ANSIBLE_LOCAL_TEMP=None)
    assert "AZURE_CLIENT_SECRET" not in env and "ANSIBLE_STDOUT_CALLBACK" not in env
    assert "IDENTITY_ENDPOINT" not in env and "ANSIBLE_LOCAL_TEMP" not in env
    assert env["AZURE_CLIENT_ID"] == "given" and env["WAC_KEEP_ME"] == "1"
    assert env["ANSIBLE_COLLECTIONS_PATH"].endswith("collections")


def test_the_recap_is_read_per_host():
    out = ("PLAY RECAP *****\n"
           "wac-0001                   : ok=3    changed=1    unreachable=0    failed=0    skipped=2    rescued=0    "
           "ignored=0\n"
           "wac-0002                   : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    "
           "ignored=0\n")
    assert parse_recap(out) == {
        "wac-0001": {"ok": 3, "changed": 1, "unreachable": 0, "failed": 0, "skipped": 2, "rescued": 0, "ignored": 0},
        "wac-0002": {"ok": 0, "changed": 0, "unreachable": 1, "failed": 0, "skipped": 0, "rescued": 0, "ignored": 0},
    }
