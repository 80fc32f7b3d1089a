# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``federated``: workload identity federation from a token file (GitHub Actions, AKS).

The platform rotates the token in the file, so the file is read again on every token request; the token's
audience is expected to be ``api://AzureADTokenExchange`` (the issuer's side, configured in the federated
credential of the app).
"""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError, ConfidentialClientMethod

AUDIENCE = "api://AzureADTokenExchange"


def read_token_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"federated_token_file {path!r} cannot be read: {getattr(exc, 'strerror', None) or exc}") \
            from None
    if not token:
        raise AuthError(f"federated_token_file {path!r} is empty")
    return token


class FederatedAuth(ConfidentialClientMethod):
    NAME = "federated"
    OPTIONS = {"federated_token_file": {"type": "path"}}
    ENV = {"federated_token_file": "AZURE_FEDERATED_TOKEN_FILE"}
    CREDENTIAL = "federated_token_file"
    WHAT = "federated sign-in"

    def validate(self) -> None:
        super().validate()
        read_token_file(self.settings.option("federated_token_file"))  # fail early, before any network call
        self.reads = 0

    def assertion(self) -> str:
        """The token file's content, read again for every assertion (the platform rotates it)."""
        self.reads += 1
        return read_token_file(self.settings.option("federated_token_file"))

    def client_credential(self):
        return {"client_assertion": self.assertion}
