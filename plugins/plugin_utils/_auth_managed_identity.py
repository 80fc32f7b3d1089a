# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``managed_identity``: the Azure managed identity of the controller (VM, App Service, Arc...).

MSAL finds the identity endpoint from the environment as Azure sets it (``IDENTITY_ENDPOINT`` and
``IDENTITY_HEADER`` on App Service / Container Apps, Azure Arc's agent, else the VM metadata endpoint).
A user-assigned identity is chosen with ``managed_identity_client_id``.
"""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import (
    AuthError,
    AuthMethod,
    access_token_from,
    msal_call,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid


class ManagedIdentityAuth(AuthMethod):
    NAME = "managed_identity"
    OPTIONS = {"managed_identity_client_id": {"type": "str"}}
    NEEDS_IDS = False

    def validate(self) -> None:
        client_id = self.settings.option("managed_identity_client_id")
        if client_id:
            try:
                check_guid(client_id, "managed_identity_client_id")
            except InputError as exc:
                raise AuthError(str(exc)) from None

    def token(self) -> str:
        import msal

        if self._app is None:
            client_id = self.settings.option("managed_identity_client_id")
            identity = (msal.UserAssignedManagedIdentity(client_id=client_id) if client_id
                        else msal.SystemAssignedManagedIdentity())
            self._app = msal.ManagedIdentityClient(identity, http_client=self.http_session)
        resource = self.settings.cloud.graph_resource
        result = msal_call(lambda: self._app.acquire_token_for_client(resource=resource), "managed identity sign-in")
        return access_token_from(result, "managed identity sign-in")
