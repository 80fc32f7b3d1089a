"""No secret leaks: the whole register_wac.yml at -vvvv with a client secret, with the PFX identity and its
passphrase, and with a device code sign-in (access and refresh tokens), a proxy password and the WinRM password,
over WinRM HTTPS with certificate validation and channel binding. None of them may appear in stdout, stderr, the
fleet report or any file the collection or Ansible writes, except the device code token cache (mode 0600).
Graph TLS verification is on by default: without ca_bundle the emulator's private CA is refused, clearly."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from tests.integration.fleet_world import PROXY_PASSWORD

TLS_ENV = {"REQUESTS_CA_BUNDLE": None, "CURL_CA_BUNDLE": None, "SSL_CERT_FILE": None, "SSL_CERT_DIR": None}


def record_tokens(world) -> list[str]:
    """Every access and refresh token the emulated tenant issues from now on."""
    issued: list[str] = []
    tokens, sessions = world.tenant.tokens, world.tenant.model.sessions
    access_token, new_refresh_token = tokens.access_token, sessions.new_refresh_token

    def recording_access_token(*args, **kwargs):
        issued.append(access_token(*args, **kwargs))
        return issued[-1]

    def recording_refresh_token(*args, **kwargs):
        issued.append(new_refresh_token(*args, **kwargs))
        return issued[-1]

    tokens.access_token = recording_access_token
    sessions.new_refresh_token = recording_refresh_token
    return issued


def written_files(world, since: float, allowed: set[Path]) -> list[Path]:
    """Files the runs wrote: reports, Ansible's local temp and home, caches, and ~/.ansible/tmp of this user."""
    roots = [world.work / "reports", world.work / "tmp", world.work / "ansible_home", world.work / "cache",
             Path.home() / ".ansible" / "tmp"]
    files = []
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file() and path.resolve() not in allowed and path.stat().st_mtime >= since - 1:
                files.append(path)
    return files


def leaks(secrets: dict[str, str], texts: dict[str, str]) -> list[str]:
    return [f"{what} in {where}" for what, secret in secrets.items() for where, text in texts.items()
            if secret and secret in text]


def test_no_secret_anywhere_at_vvvv_over_winrm_https(fleet_world):
    world = fleet_world(count=3, fleet_options={"scheme": "https"})
    assert all(h["scheme"] == "https" for h in world.fleet.endpoints["hosts"])
    assert "ansible_winrm_server_cert_validation=validate" in world.inventory.read_text()
    ep = world.tenant.endpoints
    cert, device = ep["identities"]["cert"], ep["identities"]["device_user"]
    issued = record_tokens(world)
    started = time.time()
    cache_file = world.work / "cache" / "wac.fleet" / "msal_token_cache.json"
    common = dict(ANSIBLE_HOME=str(world.work / "ansible_home"), XDG_CACHE_HOME=str(world.work / "cache"),
                  **TLS_ENV)
    runs = {}

    runs["secret"] = world.run("register_wac.yml", "-vvvv", env=common)
    world.set_vars(gateway_proxy_update_password="always",  # the proxy password is sent again on every run
                   entra_app_connection={**world.vars["entra_app_connection"], "client_id": cert["client_id"],
                                         "certificate_path": cert["pfx_path"],
                                         "certificate_password": cert["pfx_password"]})
    runs["pfx"] = world.run("register_wac.yml", "-vvvv", env={**common, "AZURE_CLIENT_SECRET": None})
    world.tenant.model.faults.configure(auto_approve_device=True, device_poll_interval=1)
    world.set_vars(entra_app_connection={**world.vars["entra_app_connection"], "client_id": device["client_id"],
                                         "auth_method": "device_code", "certificate_path": None,
                                         "certificate_password": None})
    world.vars["entra_app_connection"] = {k: v for k, v in world.vars["entra_app_connection"].items() if v is not None}
    world.write_vars()
    runs["device"] = world.run("register_wac.yml", "-vvvv", env={**common, "AZURE_CLIENT_SECRET": None})
    runs["device-again"] = world.run("register_wac.yml", "-vvvv", env={**common, "AZURE_CLIENT_SECRET": None})

    for name, run in runs.items():
        assert run.rc == 0, f"{name}:\n{run.output[-5000:]}"
    assert all(world.gateway(h)["registration"] for h in world.hosts)
    assert "ESTABLISH WINRM CONNECTION" in runs["secret"].stdout  # -vvvv really was verbose

    secrets = {"client secret": world.secrets["AZURE_CLIENT_SECRET"], "PFX passphrase": cert["pfx_password"],
               "proxy password": PROXY_PASSWORD}
    secrets.update({f"WinRM password of {h['name']}": h["password"] for h in world.fleet.endpoints["hosts"]})
    assert len(issued) >= 3, "the runs signed in"
    secrets.update({f"token #{i}": token for i, token in enumerate(issued)})
    assert any(t.startswith("0.emulated.") for t in issued), "no refresh token was issued"

    texts = {f"{name} stdout": run.stdout for name, run in runs.items()}
    texts.update({f"{name} stderr": run.stderr for name, run in runs.items()})
    files = written_files(world, started, allowed={cache_file.resolve()})
    assert any(p.name == "report.json" for p in files) and any(p.name == "report.junit.xml" for p in files)
    texts.update({str(p): p.read_text(errors="replace") for p in files})
    assert leaks(secrets, texts) == []
    # positive control: the scan finds secrets where the test itself put them (inventory, group_vars)
    controls = {"inventory": world.inventory.read_text(),
                "group_vars": (world.work / "group_vars" / "wac_gateways_modern.yml").read_text()}
    assert {leak.split(" in ")[0] for leak in leaks(secrets, controls)} >= {"proxy password"} | {
        f"WinRM password of {h}" for h in world.hosts}
    assert sum(len(t) for t in texts.values()) > 50_000, "the -vvvv output and the files were scanned"

    # the token cache is the one file holding tokens: mode 0600, and it does hold them (the scan above would see)
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600
    assert any(token in cache_file.read_text() for token in issued)
    assert os.stat(cache_file.parent).st_uid == os.getuid()


def test_graph_tls_verification_is_on_by_default(fleet_world):
    world = fleet_world(count=1)
    connection = {k: v for k, v in world.vars["entra_app_connection"].items() if k != "ca_bundle"}
    world.set_vars(entra_app_connection=connection)
    run = world.run(env=TLS_ENV)
    assert run.rc != 0
    (row,) = world.report(run)["gateways"]
    assert "TLS verification of the authority failed (set ca_bundle for a private CA)" in row["reason"], row
    assert world.tenant.requests(path_prefix=None) == [], "no request may complete over an unverified channel"
    assert world.gateway(world.hosts[0])["registration"] is None
