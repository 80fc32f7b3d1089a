"""Keys and certificates of the emulated tenant, written to its state directory.

- a trustme CA and the HTTPS server certificate for 127.0.0.1 / localhost (clients trust `ca.pem`);
- a self-signed client certificate for the certificate identity, as Entra app certificates usually are
  (`cert.pem` = private key + certificate, `cert.pfx` protected by a passphrase);
- RSA signing keys (tokens of the tenant, and of the stand-in external OIDC issuer for federation).
"""

import base64
import datetime
import hashlib
import os
import secrets
import ssl
import uuid

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _write(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def server_tls(state_dir):
    """(server ssl.SSLContext, path of the CA bundle clients must trust)."""
    ca = trustme.CA(organization_name="wac.fleet emulated Entra tenant")
    leaf = ca.issue_cert("127.0.0.1", "localhost", "::1")
    ca_path = os.path.join(state_dir, "ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    os.chmod(ca_path, 0o644)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(ctx)
    return ctx, ca_path


def client_certificate(state_dir, common_name):
    """A self-signed certificate for an app registration. Returns (x509 cert, pem path, pfx path, passphrase)."""
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pem_path = _write(os.path.join(state_dir, "cert.pem"), key_pem + cert.public_bytes(serialization.Encoding.PEM))
    passphrase = secrets.token_urlsafe(12)
    pfx = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase.encode()))
    pfx_path = _write(os.path.join(state_dir, "cert.pfx"), pfx)
    return cert, pem_path, pfx_path, passphrase


def thumbprints(cert):
    """(x5t, x5t#S256) of a certificate, base64url without padding, as in a JWT header."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return tuple(base64.urlsafe_b64encode(h(der).digest()).decode().rstrip("=")
                 for h in (hashlib.sha1, hashlib.sha256))


def key_credential(cert, display_name):
    """The keyCredentials entry Graph shows for an uploaded certificate (the key itself is never returned)."""
    sha1 = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - customKeyIdentifier is the SHA-1 thumbprint
    return {"customKeyIdentifier": sha1, "displayName": display_name, "endDateTime":
            cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"), "key": None,
            "keyId": str(uuid.uuid4()), "startDateTime":
            cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"), "type": "AsymmetricX509Cert",
            "usage": "Verify"}


def write_file(path, text, mode=0o600):
    return _write(path, text.encode(), mode)
