# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth method ``client_secret``: an app registration's client secret (client credentials flow)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import ConfidentialClientMethod


class ClientSecretAuth(ConfidentialClientMethod):
    NAME = "client_secret"
    OPTIONS = {"client_secret": {"type": "str", "no_log": True}}
    ENV = {"client_secret": "AZURE_CLIENT_SECRET"}
    CREDENTIAL = "client_secret"
    WHAT = "client secret sign-in"

    def client_credential(self):
        return self.settings.option("client_secret")
