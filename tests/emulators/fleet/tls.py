"""The fleet's test CA and listener certificate (trustme), and the NTLM channel binding derived from it.

One certificate carries every PC's address as an IP SAN (and ``localhost``), so one TLS context serves the whole
fleet; clients validate it against ``ca.pem``.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from spnego.channel_bindings import GssChannelBindings


class FleetTLS:
    def __init__(self, addresses: list[str], directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA(organization_name="wac.fleet emulator")
        self.ca_path = directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self._leaf = self.ca.issue_cert(*addresses, "localhost", common_name="wac fleet")
        certificate = x509.load_pem_x509_certificate(self._leaf.cert_chain_pems[0].bytes())
        self.certificate_hash = _endpoint_hash(certificate)
        self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._leaf.configure_cert(self.ssl_context)

    def channel_bindings(self) -> GssChannelBindings:
        """``tls-server-end-point`` bindings (RFC 5929) as a Windows listener computes them."""
        return GssChannelBindings(application_data=b"tls-server-end-point:" + self.certificate_hash)


def _endpoint_hash(certificate: x509.Certificate) -> bytes:
    # RFC 5929 4.1: the certificate's signature hash, except MD5 and SHA-1, which become SHA-256.
    algorithm = certificate.signature_hash_algorithm
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(certificate.public_bytes(Encoding.DER))
    return digest.finalize()
