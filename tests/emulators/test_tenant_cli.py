"""`python -m tests.emulators.tenant` as a process: writes the endpoints file once ready, serves real clients,
exits 0 on SIGTERM."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

from tests.emulators.tenant import clients

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCUMENTED_KEYS = {"authority_host", "graph_host", "authority", "graph_url", "ca_bundle", "tenant_id", "control_url",
                   "identities", "managed_identity_endpoint"}


def test_cli_serves_until_sigterm(tmp_path):
    endpoints_file = tmp_path / "entra.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulators.tenant", "--endpoints-file", str(endpoints_file),
                             "--page-size", "2"], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while not endpoints_file.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        endpoints = json.loads(endpoints_file.read_text())
        assert DOCUMENTED_KEYS <= set(endpoints)
        assert {"admin", "cert", "federated", "reader", "device_user"} <= set(endpoints["identities"])
        assert pathlib.Path(endpoints["ca_bundle"]).parent == tmp_path / "entra.json.d"
        assert pathlib.Path(endpoints["identities"]["federated"]["token_file"]).is_file()
        assert os.stat(endpoints_file).st_mode & 0o077 == 0
        session = clients.graph_session(endpoints, "admin")
        first = session.get(f"{endpoints['graph_url']}/applications").json()
        assert len(first["value"]) == 2 and "@odata.nextLink" in first
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
