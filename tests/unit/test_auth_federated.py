"""Auth method federated: the token file is checked when the method is built and read on every assertion."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_federated import FederatedAuth
from tests.unit.auth_support import settings


def test_federated_token_file_is_read_on_every_assertion(tmp_path):
    token = tmp_path / "token"
    token.write_text("first\n")
    method = FederatedAuth(settings(federated_token_file=str(token)), None)
    assertion = method.client_credential()["client_assertion"]
    assert assertion() == "first"
    token.write_text("second")
    assert assertion() == "second" and method.reads == 2
    token.write_text("")
    with pytest.raises(AuthError, match="is empty"):
        assertion()
    with pytest.raises(AuthError, match="cannot be read"):
        FederatedAuth(settings(federated_token_file=str(tmp_path / "none")), None)
    with pytest.raises(AuthError, match="needs federated_token_file"):
        FederatedAuth(settings(), None)
