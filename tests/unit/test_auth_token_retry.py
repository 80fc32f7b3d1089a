"""msal_call: transient answers of the token endpoint (MSAL's "HTTP Error: 5xx", or an error result such as
temporarily_unavailable) are retried within a bound that the final error names; other errors are not retried.
The stand-in here is MSAL's side only (the callable MSAL would run); the end-to-end case runs against the emulated
tenant in tests/integration/test_faults_graph.py."""

from __future__ import annotations

import pytest
from msal.exceptions import MsalServiceError

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError, access_token_from, msal_call
from tests.unit.fake_clock import Clock


def answers(*items):
    queue = list(items)

    def call():
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item
    return call


def test_a_5xx_then_a_token_is_retried_after_msals_hold_time():
    clock = Clock()
    call = answers(MsalServiceError("HTTP Error: 503", error=None, error_description=None), {"access_token": "t"})
    result = msal_call(call, "client secret sign-in", clock=clock, sleep=clock.sleep)
    assert access_token_from(result, "x") == "t" and clock.sleeps == [5.0]


def test_a_transient_error_result_is_retried():
    clock = Clock()
    call = answers({"error": "temporarily_unavailable"}, {"error": "server_error"}, {"access_token": "t"})
    assert msal_call(call, "x", clock=clock, sleep=clock.sleep) == {"access_token": "t"}
    assert len(clock.sleeps) == 2


def test_a_lasting_outage_fails_naming_the_bound():
    clock = Clock()
    call = answers(*[MsalServiceError("HTTP Error: 500", error=None, error_description=None)] * 10)
    with pytest.raises(AuthError, match=r"kept answering HTTP Error: 500 .*retried for at most 20 s"):
        msal_call(call, "certificate sign-in", clock=clock, sleep=clock.sleep)
    assert sum(clock.sleeps) <= 20


@pytest.mark.parametrize("result", [{"error": "invalid_client"}, {"error": "invalid_grant"}])
def test_a_permanent_error_is_not_retried(result):
    clock = Clock()
    assert msal_call(answers(result), "x", clock=clock, sleep=clock.sleep) == result and clock.sleeps == []


def test_an_unknown_tenant_names_tenant_id():
    def call():
        raise ValueError("Unable to get authority configuration for https://login.example/tenant-x.")
    with pytest.raises(AuthError, match="does not know this tenant_id"):
        msal_call(call, "client secret sign-in")


def test_an_msal_http_4xx_error_is_not_retried():
    clock = Clock()
    call = answers(MsalServiceError("HTTP Error: 404", error=None, error_description=None))
    with pytest.raises(AuthError, match="HTTP Error: 404"):
        msal_call(call, "x", clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []
