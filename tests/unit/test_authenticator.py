"""The generic dispatcher: environment fallbacks, the choice of method, required IDs; built from what each method
declares (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _authenticator as auth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError
from tests.unit.auth_support import CLIENT, CLOUD, TENANT


def opts(**kw):
    base = {"tenant_id": TENANT, "client_id": CLIENT, "auth_method": "auto"}
    base.update(kw)
    return base


def test_the_dispatcher_knows_only_what_the_methods_declare():
    assert auth.CREDENTIAL_OPTIONS == {"client_secret": "client_secret", "certificate": "certificate_path",
                                       "federated": "federated_token_file"}
    assert auth.ENV_FALLBACKS["certificate_password"] == "AZURE_CLIENT_CERTIFICATE_PASSWORD"
    secrets = {name for name, rule in auth.ARGUMENT_SPEC.items() if rule.get("no_log")}
    assert secrets == {"client_secret", "certificate_password"}


def test_auto_picks_the_one_credential_and_task_beats_environment():
    assert auth.resolve(opts(client_secret="s"), CLOUD, {}).method == "client_secret"
    assert auth.resolve(opts(federated_token_file="/f"), CLOUD, {"AZURE_CLIENT_SECRET": "s"}).method == "federated"
    resolved = auth.resolve(opts(tenant_id=None, client_id=None), CLOUD, {
        "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT, "AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw"})
    assert resolved.method == "certificate" and resolved.settings.option("certificate_password") == "pw"
    assert resolved.sources["tenant_id"] == "AZURE_TENANT_ID"
    # a value set in the task is never replaced by the environment
    resolved = auth.resolve(opts(client_secret="task"), CLOUD, {"AZURE_CLIENT_SECRET": "env",
                                                                "AZURE_CLIENT_ID": "0" * 8})
    assert resolved.settings.option("client_secret") == "task" and resolved.settings.client_id == CLIENT
    # a method gets its own options only
    assert set(resolved.settings.options) == {"client_secret"}


def test_two_kinds_and_no_credentials_are_errors_naming_them():
    with pytest.raises(AuthError, match="client_secret and certificate_path"):
        auth.resolve(opts(client_secret="s", certificate_path="/c"), CLOUD, {})
    with pytest.raises(AuthError, match=r"client_secret \(from AZURE_CLIENT_SECRET\) and federated_token_file"):
        auth.resolve(opts(), CLOUD, {"AZURE_CLIENT_SECRET": "s", "AZURE_FEDERATED_TOKEN_FILE": "/f"})
    with pytest.raises(AuthError, match="auth_method=certificate but the task also sets client_secret"):
        auth.resolve(opts(auth_method="certificate", client_secret="s", certificate_path="/c"), CLOUD, {})
    with pytest.raises(AuthError, match=r"no credentials: set one of client_secret, certificate_path, "
                                        r"federated_token_file .* auth_method=device_code or "
                                        r"auth_method=managed_identity"):
        auth.resolve(opts(), CLOUD, {})
    with pytest.raises(AuthError, match="needs tenant_id and client_id"):
        auth.resolve({"client_secret": "s"}, CLOUD, {})
    with pytest.raises(AuthError, match="tenant_id"):
        auth.resolve(opts(tenant_id="nope", client_secret="s"), CLOUD, {})
    with pytest.raises(AuthError, match=r"client_id \(from AZURE_CLIENT_ID\)"):
        auth.resolve({"client_secret": "s", "tenant_id": TENANT}, CLOUD, {"AZURE_CLIENT_ID": "bad"})


def test_explicit_methods():
    assert auth.resolve({"auth_method": "managed_identity"}, CLOUD, {}).method == "managed_identity"
    assert auth.resolve(opts(auth_method="device_code"), CLOUD, {"AZURE_CLIENT_SECRET": "x"}).method == \
        "device_code"
    with pytest.raises(AuthError, match="auth_method must be one of"):
        auth.resolve(opts(auth_method="kerberos"), CLOUD, {})
