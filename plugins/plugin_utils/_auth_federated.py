# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``federated``: workload identity federation from a token file (GitHub Actions, AKS).

The platform rotates the token in the file, so the file is read again on every token request; the token's
audience is expected to be ``api://AzureADTokenExchange`` (the issuer's side, configured in the federated
credential of the app).
"""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import (
    AuthError,
    TokenSource,
    access_token_from,
    msal_call,
)

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


class FederatedAuth(TokenSource):
    name = "federated"

    def __init__(self, settings, http_session):
        super().__init__(settings, http_session)
        if not settings.federated_token_file:
            raise AuthError("auth_method=federated needs federated_token_file (or AZURE_FEDERATED_TOKEN_FILE)")
        read_token_file(settings.federated_token_file)  # fail early, before any network call
        self.reads = 0

    def _assertion(self) -> str:
        self.reads += 1
        return read_token_file(self.settings.federated_token_file)

    def token(self) -> str:
        import msal

        if self._app is None:
            self._app = msal_call(lambda: msal.ConfidentialClientApplication(
                self.settings.client_id, client_credential={"client_assertion": self._assertion},
                **self._msal_authority_kwargs()), "federated sign-in")
        scopes = [self.settings.cloud.graph_scope]
        result = msal_call(lambda: self._app.acquire_token_for_client(scopes), "federated sign-in")
        return access_token_from(result, "federated sign-in")
