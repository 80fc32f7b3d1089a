"""Auth method certificate: PEM and PFX files read and checked before any network call."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_certificate import CertificateAuth, load_certificate
from tests.unit.auth_support import key_and_certificate, settings


@pytest.fixture(scope="module")
def key_and_cert():
    return key_and_certificate()


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


def test_the_method_checks_its_file_when_built(tmp_path, key_and_cert):
    key, cert = key_and_cert
    pem = tmp_path / "c.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    method = CertificateAuth(settings(certificate_path=str(pem), certificate_password=None), None)
    assert method.client_credential()["thumbprint"] == cert.fingerprint(hashes.SHA1()).hex()  # noqa: S303
    with pytest.raises(AuthError, match="needs certificate_path"):
        CertificateAuth(settings(certificate_path=None), None)
    with pytest.raises(AuthError, match="cannot be read"):
        CertificateAuth(settings(certificate_path=str(tmp_path / "none.pem")), None)
