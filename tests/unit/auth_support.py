"""What the auth method tests share: IDs, the cloud, settings of one method, a throw-away key and certificate."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthSettings
from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import resolve_cloud

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "3b8f1c5e-0d2a-4f55-9b1e-8d7c6a5b4e3f"
CLOUD = resolve_cloud("AzureCloud")


def settings(**options) -> AuthSettings:
    return AuthSettings(CLOUD, TENANT, CLIENT, options=options)


def key_and_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wac-fleet-unit")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert
