"""Auth method client_secret: its declaration and local check."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_client_secret import ClientSecretAuth
from tests.unit.auth_support import settings


def test_needs_its_secret_and_gives_it_to_msal_as_the_credential():
    with pytest.raises(AuthError, match=r"auth_method=client_secret needs client_secret \(or AZURE_CLIENT_SECRET\)"):
        ClientSecretAuth(settings(client_secret=None), None)
    assert ClientSecretAuth(settings(client_secret="s3cret"), None).client_credential() == "s3cret"
    assert "s3cret" not in repr(settings(client_secret="s3cret"))
