"""Auth method choice (the dispatcher) and each method's local checks: no network involved."""

from __future__ import annotations

import datetime
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ansible_collections.wac.fleet.plugins.plugin_utils import _authenticator as auth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError, AuthSettings
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_certificate import load_certificate
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_device_code import FileTokenCache
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_federated import FederatedAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import resolve_cloud

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
CLOUD = resolve_cloud("AzureCloud")


def opts(**kw):
    base = {"tenant_id": TENANT, "client_id": CLIENT, "auth_method": "auto"}
    base.update(kw)
    return base


def test_auto_picks_the_one_credential_and_task_beats_environment():
    assert auth.resolve(opts(client_secret="s"), CLOUD, {}).method == "client_secret"
    assert auth.resolve(opts(federated_token_file="/f"), CLOUD, {"AZURE_CLIENT_SECRET": "s"}).method == "federated"
    resolved = auth.resolve(opts(tenant_id=None, client_id=None), CLOUD, {
        "AZURE_TENANT_ID": TENANT, "AZURE_CLIENT_ID": CLIENT, "AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw"})
    assert resolved.method == "certificate" and resolved.settings.certificate_password == "pw"
    assert resolved.sources["tenant_id"] == "AZURE_TENANT_ID"
    # a value set in the task is never replaced by the environment
    resolved = auth.resolve(opts(client_secret="task"), CLOUD, {"AZURE_CLIENT_SECRET": "env",
                                                                "AZURE_CLIENT_ID": "0" * 8})
    assert resolved.settings.client_secret == "task" and resolved.settings.client_id == CLIENT


def test_two_kinds_and_no_credentials_are_errors_naming_them():
    with pytest.raises(AuthError, match="client_secret and certificate_path"):
        auth.resolve(opts(client_secret="s", certificate_path="/c"), CLOUD, {})
    with pytest.raises(AuthError, match=r"client_secret \(from AZURE_CLIENT_SECRET\) and federated_token_file"):
        auth.resolve(opts(), CLOUD, {"AZURE_CLIENT_SECRET": "s", "AZURE_FEDERATED_TOKEN_FILE": "/f"})
    with pytest.raises(AuthError, match="auth_method=certificate but the task also sets client_secret"):
        auth.resolve(opts(auth_method="certificate", client_secret="s", certificate_path="/c"), CLOUD, {})
    with pytest.raises(AuthError, match="no credentials"):
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
    with pytest.raises(AuthError, match="needs client_secret"):
        auth.build(auth.resolve(opts(auth_method="client_secret"), CLOUD, {}), None)
    with pytest.raises(AuthError, match="managed_identity_client_id"):
        auth.build(auth.resolve({"auth_method": "managed_identity", "managed_identity_client_id": "x"}, CLOUD, {}),
                   None)


@pytest.fixture(scope="module")
def key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wac-fleet-unit")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert


def test_certificate_pem_pfx_and_errors(tmp_path, key_and_cert):
    key, cert = key_and_cert
    pem = tmp_path / "c.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(b"pw"))
                    + cert.public_bytes(serialization.Encoding.PEM))
    pfx = tmp_path / "c.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"x", key, cert, None,
                                                          serialization.BestAvailableEncryption(b"pfxpw")))
    thumb = cert.fingerprint(hashes.SHA1()).hex()  # noqa: S303
    assert load_certificate(str(pem), "pw")["thumbprint"] == thumb
    assert load_certificate(str(pfx), "pfxpw")["thumbprint"] == thumb
    with pytest.raises(AuthError, match="wrong or missing passphrase"):
        load_certificate(str(pfx), "nope")
    with pytest.raises(AuthError, match="no PEM private key"):
        load_certificate(str(pem), None)
    with pytest.raises(AuthError, match="cannot be read"):
        load_certificate(str(tmp_path / "missing.pem"), None)
    only_cert = tmp_path / "cert-only.pem"
    only_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(AuthError, match="no PEM private key"):
        load_certificate(str(only_cert), None)


def test_federated_token_file_is_read_on_every_assertion(tmp_path):
    token = tmp_path / "token"
    token.write_text("first\n")
    method = FederatedAuth(AuthSettings(CLOUD, TENANT, CLIENT, federated_token_file=str(token)), None)
    assert method._assertion() == "first"
    token.write_text("second")
    assert method._assertion() == "second" and method.reads == 2
    token.write_text("")
    with pytest.raises(AuthError, match="is empty"):
        method._assertion()
    with pytest.raises(AuthError, match="cannot be read"):
        FederatedAuth(AuthSettings(CLOUD, TENANT, CLIENT, federated_token_file=str(tmp_path / "none")), None)


def test_token_cache_file_is_0600_and_replaced_atomically(tmp_path):
    path = tmp_path / "dir" / "cache.json"
    cache = FileTokenCache(str(path))
    cache.save()
    assert not path.exists(), "nothing to save yet"
    cache.cache.has_state_changed = True
    cache.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    os.chmod(path, 0o644)
    cache.cache.has_state_changed = True
    cache.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert FileTokenCache(str(path)).cache is not None
    assert [p.name for p in path.parent.iterdir()] == ["cache.json"]
