# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``client_secret``: an app registration's client secret (client credentials flow)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import (
    AuthError,
    TokenSource,
    access_token_from,
    msal_call,
)


class ClientSecretAuth(TokenSource):
    name = "client_secret"

    def __init__(self, settings, http_session):
        super().__init__(settings, http_session)
        if not settings.client_secret:
            raise AuthError("auth_method=client_secret needs client_secret (or AZURE_CLIENT_SECRET)")

    def token(self) -> str:
        import msal

        if self._app is None:
            self._app = msal_call(lambda: msal.ConfidentialClientApplication(
                self.settings.client_id, client_credential=self.settings.client_secret,
                **self._msal_authority_kwargs()), "client secret sign-in")
        scopes = [self.settings.cloud.graph_scope]
        result = msal_call(lambda: self._app.acquire_token_for_client(scopes), "client secret sign-in")
        return access_token_from(result, "client secret sign-in")
