"""Every auth method through real ansible-playbook runs against the emulated tenant: client secret (task and
environment), certificate as PEM and PFX, workload identity federation (token file re-read), managed identity,
device code (the prompt shown live, completed through the emulator's approval API; token cache file 0600)."""

from __future__ import annotations

import json
import os
import re
import stat

import requests

from tests.integration._entra_support import connection, registered, run_playbook, start_playbook
from tests.integration.ansible_run import ansible_env


def _control(tenant, path, body=None):
    ep = tenant.endpoints
    response = requests.post(f"{ep['control_url']}/{path}", json=body or {}, verify=ep["ca_bundle"], timeout=10)
    response.raise_for_status()
    return response.json()


def test_secret_certificate_federated_managed_identity(tenant, tmp_path):
    ep = tenant.endpoints
    ids = ep["identities"]
    defaults = connection(ep, client_id=None, client_secret=None)
    defaults.pop("client_id", None)
    token_file = tmp_path / "federated.jwt"
    token_file.write_text(_control(tenant, "federated-token")["token"])
    wrong_subject = _control(tenant, "federated-token", {"subject": "repo:someone/else:ref:refs/heads/main"})["token"]
    info = {"unique_name": "wac-auth-probe"}
    tasks = [
        {"name": "env secret", "wac.fleet.entra_app_info": info},
        {"name": "pem", "wac.fleet.entra_app_info": {**info, "client_id": ids["cert"]["client_id"],
                                                     "certificate_path": ids["cert"]["certificate_path"]}},
        {"name": "pfx", "wac.fleet.entra_app_info": {**info, "client_id": ids["cert"]["client_id"],
                                                     "certificate_path": ids["cert"]["pfx_path"],
                                                     "certificate_password": ids["cert"]["pfx_password"]}},
        {"name": "federated", "wac.fleet.entra_app_info": {**info, "client_id": ids["federated"]["client_id"],
                                                           "federated_token_file": str(token_file)}},
        {"name": "rotate to a foreign token", "ansible.builtin.copy": {"content": wrong_subject,
                                                                       "dest": str(token_file)}, "no_log": True},
        {"name": "federated foreign", "wac.fleet.entra_app_info": {**info, "client_id": ids["federated"]["client_id"],
                                                                   "federated_token_file": str(token_file)}},
        {"name": "managed identity", "wac.fleet.entra_app_info": {**info, "auth_method": "managed_identity"}},
        {"name": "wrong secret", "wac.fleet.entra_app_info": {**info, "client_secret": "not-the-secret-4711"}},
    ]
    env = ansible_env(AZURE_CLIENT_ID=ids["admin"]["client_id"], AZURE_CLIENT_SECRET=ids["admin"]["client_secret"],
                      IDENTITY_ENDPOINT=ep["managed_identity_endpoint"], IDENTITY_HEADER=ep["managed_identity_header"])
    run, res = run_playbook(tmp_path, tasks, defaults, env=env, args=["-vvvv"])
    out = run.output
    for name in ("env secret", "pem", "pfx", "federated", "managed identity"):
        assert not res[name].get("failed"), (name, res[name])
        assert res[name]["exists"] is False and res[name]["graph_requests"]["total"] == 1, name
    assert res["federated foreign"]["failed"]
    assert "federated sign-in failed" in res["federated foreign"]["msg"]
    assert res["wrong secret"]["failed"] and "invalid_client" in res["wrong secret"]["msg"]
    # the token file was read again for the second federated task (the emulator saw the foreign subject)
    assert "someone/else" in res["federated foreign"]["msg"] or "AADSTS" in res["federated foreign"]["msg"]
    # secrets, passphrases and tokens never show, not even at -vvvv
    for secret in (ids["admin"]["client_secret"], ids["cert"]["pfx_password"], "not-the-secret-4711",
                   ep["managed_identity_header"]):
        assert secret not in out
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", out), "a JWT appeared in the output"
    assert "Graph GET /v1.0/applications(uniqueName='wac-auth-probe')" in out, "-vvvv logs each Graph call"
    callers = {e.get("client_id") for e in tenant.requests()}
    assert {ids["admin"]["client_id"], ids["cert"]["client_id"], ids["federated"]["client_id"],
            ids["managed"]["client_id"]} <= callers, callers


def test_device_code_live_prompt_and_token_cache(tenant, tmp_path):
    ep = tenant.endpoints
    cache = tmp_path / "cache" / "tokens.json"
    no_cache = tmp_path / "never" / "tokens.json"
    base = connection(ep, "device_user", auth_method="device_code", token_cache_path=str(cache))
    info = {"unique_name": "wac-device-probe"}
    tasks = [
        {"name": "first", "wac.fleet.entra_app_info": info},
        {"name": "cached", "wac.fleet.entra_app_info": info},
        {"name": "uncached", "wac.fleet.entra_app_info": {**info, "token_cache": False,
                                                          "token_cache_path": str(no_cache)}},
    ]
    run, results = start_playbook(tmp_path, tasks, base)
    approved = []

    def approve(line):
        match = re.search(r"enter the code ([A-Z0-9]{6,12})", line)
        if match:  # shown while the playbook waits: approve it as the admin would in a browser
            approved.append(_control(tenant, "device/approve", {"user_code": match.group(1)}))

    res = registered(run.wait(180, on_line=approve), results)
    assert all(not r.get("failed") for r in res.values()), run.output
    assert len(approved) == 2, "first and uncached prompt; cached signs in silently"
    assert all(a["status"] == "approved" for a in approved)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert json.loads(cache.read_text()).get("RefreshToken"), "the cache holds the signed-in account"
    assert not no_cache.exists()
    device_requests = [e for e in tenant.requests(path_prefix=None) if e["path"].endswith("/devicecode")]
    assert len(device_requests) == 2
