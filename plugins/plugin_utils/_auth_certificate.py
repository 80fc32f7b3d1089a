# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``certificate``: a client certificate (PEM with key and certificate, or PFX with a passphrase).

The file is read and its key checked when the task starts, before any network call, so an unreadable file or a
wrong passphrase is a clear error. MSAL then signs a client assertion with the key (x5t#S256 / x5t thumbprint).
"""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError, ConfidentialClientMethod

_PFX_SUFFIXES = (".pfx", ".p12")


def load_certificate(path: str, password: str | None) -> dict:
    """Read a PEM or PFX file into MSAL's ``client_credential`` dict (private key PEM, thumbprints, cert PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise AuthError(f"certificate_path {path!r} cannot be read: {exc.strerror or exc}") from None
    secret = password.encode() if password else None
    if path.lower().endswith(_PFX_SUFFIXES) or b"-----BEGIN" not in data:
        try:
            key, cert, _extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise AuthError(f"certificate_path {path!r} is not a PFX/PKCS#12 file this certificate_password opens "
                            "(wrong or missing passphrase, or not a certificate file)") from None
    else:
        try:
            key = serialization.load_pem_private_key(data, secret)
        except (ValueError, TypeError):
            raise AuthError(f"certificate_path {path!r} holds no PEM private key that this certificate_password "
                            "opens (the file must hold the key and the certificate)") from None
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError:
            cert = None
    if key is None or cert is None:
        raise AuthError(f"certificate_path {path!r} must hold both the private key and the certificate")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return {
        "private_key": key_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 - x5t is SHA-1 by definition
        "thumbprint_sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


class CertificateAuth(ConfidentialClientMethod):
    NAME = "certificate"
    OPTIONS = {"certificate_path": {"type": "path"}, "certificate_password": {"type": "str", "no_log": True}}
    ENV = {"certificate_path": "AZURE_CLIENT_CERTIFICATE_PATH",
           "certificate_password": "AZURE_CLIENT_CERTIFICATE_PASSWORD"}
    CREDENTIAL = "certificate_path"
    WHAT = "certificate sign-in"

    def validate(self) -> None:
        super().validate()
        self._credential = load_certificate(self.settings.option("certificate_path"),
                                            self.settings.option("certificate_password"))

    def client_credential(self):
        return dict(self._credential)
