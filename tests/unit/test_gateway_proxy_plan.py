"""What gateway_proxy decides to write, from the current proxy and the options (no PC needed)."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import ProxyError
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import plan_proxy as plan

CURRENT = {"address": "http://p:1", "bypass_on_local": True, "bypass_list": ["b.c", "a.b"],
           "credentials_set": True, "username": "bob"}


def args(**kw):
    base = {"state": "present", "address": "http://p:1", "bypass_on_local": True, "bypass_list": ["a.b", "b.c"],
            "username": "bob", "password": None, "update_password": "on_create"}
    base.update(kw)
    return base


def test_nothing_differs():
    assert plan(args(), CURRENT) is None
    assert plan(args(password="pw"), CURRENT) is None  # on_create: stored credentials are kept
    assert plan(args(state="absent"), None) is None


def test_settings_differ_keep_credentials():
    write, after = plan(args(address="http://q:2"), CURRENT)
    assert write == {"credentials": None, "keep_credentials": True, "only_if_password_differs": False}
    assert after["address"] == "http://q:2" and "password" not in after


def test_always_compares_the_password_on_the_pc():
    write, _after = plan(args(password="pw", update_password="always"), CURRENT)
    assert write["only_if_password_differs"] and write["credentials"] == {"username": "bob", "password": "pw"}
    write, _after = plan(args(password="pw", update_password="always", bypass_on_local=False), CURRENT)
    assert not write["only_if_password_differs"] and write["credentials"]


def test_new_user_needs_a_password():
    write, _after = plan(args(username="alice", password="pw"), CURRENT)
    assert write["credentials"] == {"username": "alice", "password": "pw"}
    with pytest.raises(ProxyError, match="password is required"):
        plan(args(username="alice"), CURRENT)


def test_dropping_credentials_and_absent():
    write, after = plan(args(username=None), CURRENT)
    assert write["credentials"] is None and not write["keep_credentials"] and after["credentials_set"] is False
    write, after = plan(args(state="absent"), CURRENT)
    assert after is None
