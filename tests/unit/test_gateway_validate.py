"""Checks of gateway_* options made on the controller before anything reaches a PC."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import (
    InputError,
    check_bypass_list,
    check_cloud,
    check_gateway_facts,
    check_positive,
    check_proxy_address,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("http://proxy.contoso.com:3128", "http://proxy.contoso.com:3128"),
    ("HTTPS://Proxy.Contoso.com", "https://proxy.contoso.com"),
    ("http://10.0.0.1:8080/", "http://10.0.0.1:8080"),
    ("http://[fd00::1]:3128", "http://[fd00::1]:3128"),
])
def test_good_proxy_addresses(value, expected):
    assert check_proxy_address(value) == expected


@pytest.mark.parametrize(("value", "why"), [
    ("proxy.contoso.com:3128", "http:// or https://"),
    ("not a url", "white space"),
    ("ftp://proxy:21", "http:// or https://"),
    ("http://proxy:3128/path", "without a path"),
    ("http://proxy:3128/?a=1", "without a path"),
    ("http://proxy:3128#x", "without a path"),
    ("http://bob:pw@proxy:3128", "user info"),
    ("http://proxy:99999", "invalid port"),
    ("http://:3128", "no valid host"),
    ("http://bad_host!:1", "no valid host"),
    ("", "required"),
    (None, "required"),
])
def test_bad_proxy_addresses_name_the_option(value, why):
    with pytest.raises(InputError, match=why) as err:
        check_proxy_address(value, "address")
    assert str(err.value).startswith("address")


def test_bypass_list():
    assert check_bypass_list(["contoso.com", "*.contoso.com", "10.*", "<local>", "contoso.com"]) == [
        "contoso.com", "*.contoso.com", "10.*", "<local>"]
    assert check_bypass_list(None) == []
    for bad, why in [("http://contoso.com", "without a scheme"), ("two words", "white space"),
                     ("https:contoso.com", "without a scheme"), ("a/b", "not a host"), ("", "non-empty")]:
        with pytest.raises(InputError, match=why) as err:
            check_bypass_list([bad])
        assert str(err.value).startswith("bypass_list")
    with pytest.raises(InputError, match="must be a list"):
        check_bypass_list("contoso.com")


def test_cloud():
    assert check_cloud("AzureChinaCloud") == "AzureChinaCloud"
    for bad in ("AzureGermanCloud", "azurecloud", "custom", None):
        with pytest.raises(InputError, match="AzureCloud, AzureChinaCloud, AzureUSGovernment"):
            check_cloud(bad)


@pytest.mark.parametrize("bad", [0, -1, "abc", float("nan"), float("inf"), None])
def test_positive(bad):
    with pytest.raises(InputError, match="timeout must be a positive number"):
        check_positive(bad, "timeout")
    assert check_positive("1.5", "timeout") == 1.5


def test_gateway_facts():
    assert check_gateway_facts(None) is None and check_gateway_facts({}) is None
    facts = {"generation": "modern", "port": 443}
    assert check_gateway_facts(facts) is facts
    for bad in ("x", {"generation": "v3", "port": 1}, {"generation": "modern"}):
        with pytest.raises(InputError, match="gateway_facts"):
            check_gateway_facts(bad)
