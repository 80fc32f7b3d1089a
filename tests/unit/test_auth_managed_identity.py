"""Auth method managed_identity: needs no tenant or client ID; a user-assigned identity's ID must be a GUID."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _authenticator as auth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError
from tests.unit.auth_support import CLIENT, CLOUD


def test_user_assigned_identity_id_is_checked_when_built():
    resolved = auth.resolve({"auth_method": "managed_identity"}, CLOUD, {})
    assert resolved.settings.tenant_id is None and auth.build(resolved, None).NAME == "managed_identity"
    with pytest.raises(AuthError, match="managed_identity_client_id"):
        auth.build(auth.resolve({"auth_method": "managed_identity", "managed_identity_client_id": "x"}, CLOUD, {}),
                   None)
    ok = auth.resolve({"auth_method": "managed_identity", "managed_identity_client_id": CLIENT}, CLOUD, {})
    assert auth.build(ok, None).settings.option("managed_identity_client_id") == CLIENT
