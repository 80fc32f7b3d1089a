"""What gateway_proxy decides to write, from the current proxy and the options (no PC needed)."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import ProxyError, apply_proxy
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


def test_classic_gateways_refuse_credentials_before_anything_is_written():
    with pytest.raises(ProxyError, match=r"^username: this classic \(v1\) gateway keeps proxy credentials in "
                                         "protectedData2"):
        plan(args(password="pw"), None, "classic_server")
    assert plan(args(username=None), None, "classic_desktop")[1]["credentials_set"] is False
    # credentials the settings page set are not the collection's: kept, and never a change by themselves
    settings_page = dict(CURRENT, username=None, credentials_form="protected")
    assert plan(args(username=None), settings_page, "classic_server") is None
    write, after = plan(args(username=None, address="http://q:2"), settings_page, "classic_server")
    assert write == {"credentials": None, "keep_credentials": True, "only_if_password_differs": False}
    assert after["credentials_set"] is True


def test_unreadable_user_of_stored_credentials_counts_as_the_same_user_on_create():
    unreadable = dict(CURRENT, username=None, credentials_form="protected")
    assert plan(args(password="pw"), unreadable, "modern") is None  # on_create keeps what is there
    write, _after = plan(args(password="pw", update_password="always"), unreadable, "modern")
    assert write["only_if_password_differs"]  # the PC compares (and rewrites what it cannot compare)


def test_a_v2_proxy_without_bypass_on_local_warns_about_the_internal_services():
    facts = {"generation": "modern", "proxy": dict(CURRENT, bypass_on_local=False, credentials_set=False,
                                                   username=None), "service_fqdn": None}
    result = apply_proxy(None, facts, args(bypass_on_local=False, username=None), check_mode=True, diff=False)
    assert not result["changed"] and "ports 6601-6610" in result["warnings"][0]
    facts["generation"] = "classic_server"
    assert "warnings" not in apply_proxy(None, facts, args(bypass_on_local=False, username=None), check_mode=True,
                                         diff=False)
