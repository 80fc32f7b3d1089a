"""The tests' one ansible-playbook runner: what the developer's shell sets never reaches a test's playbook."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.integration.ansible_run import PlaybookRun, ansible_env, parse_recap


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


# A child that prints "ready" and then lets only its n-th SIGINT end it (and SIGTERM unless told to ignore it too), the
# way ansible-playbook can miss a Ctrl-C when a worker dies before it sends its result (ansible/ansible#29124).
STUBBORN = """
import signal, sys, time
count = 0
def on_int(number, frame):
    global count
    count += 1
    if count >= int(sys.argv[1]):
        sys.exit(3)
signal.signal(signal.SIGINT, on_int)
if sys.argv[2] == "ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
while True:
    time.sleep(0.05)
"""


def _stubborn(needed: int, term: str = "obey-term") -> PlaybookRun:
    process = subprocess.Popen([sys.executable, "-c", STUBBORN, str(needed), term], text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    assert process.stdout.readline() == "ready\n"
    return PlaybookRun(process)


@pytest.mark.parametrize("needed, sent, rc", [
    (1, [signal.SIGINT], 3),
    (2, [signal.SIGINT, signal.SIGINT], 3),
    (99, [signal.SIGINT, signal.SIGINT, signal.SIGTERM], -signal.SIGTERM),
], ids=["first-Ctrl-C", "second-Ctrl-C", "SIGTERM"])
def test_an_interrupt_sends_the_same_signal_again_then_sigterm(needed, sent, rc):
    run = _stubborn(needed).interrupt(signal.SIGINT, group=True, grace=1)
    assert (run.signals, run.rc) == (sent, rc)


def test_an_interrupt_that_nothing_stops_kills_and_fails():
    run = _stubborn(99, "ignore-term")
    with pytest.raises(AssertionError, match=r"did not end within 0\.5 s"):
        run.interrupt(signal.SIGINT, grace=0.5)
    assert (run.signals, run.process.returncode) == ([signal.SIGINT, signal.SIGINT, signal.SIGTERM], -signal.SIGKILL)
