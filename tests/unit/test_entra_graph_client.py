"""The Graph client's retry, eventual-consistency, paging and error mapping, over a real requests.Session whose
transport answers from a script (a canned server), with a fake clock so backoff waits take no time."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import (
    GraphClient,
    GraphError,
    is_consistency_error,
    retry_after_seconds,
)
from tests.unit.fake_clock import Clock

BASE = "https://graph.test/v1.0"


class Script(requests.adapters.BaseAdapter):
    """Answers each request with the next (status, body, headers) of a list and records what was sent."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        status, body, headers = self.answers.pop(0)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode() if body is not None else b""
        response.headers.update(headers or {})
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class Token:
    def token(self):
        return "token-value"


def client(answers, **kwargs):
    session = requests.Session()
    script = Script(answers)
    session.mount("https://", script)
    clock = Clock()
    graph = GraphClient(BASE, Token(), session, sleep=clock.sleep, clock=clock, **kwargs)
    return graph, script, clock


def error(code, message="m", request_id="rid-1"):
    return {"error": {"code": code, "message": message, "innerError": {"request-id": request_id}}}


def test_throttling_honours_retry_after_then_backs_off_exponentially():
    answers = [(429, error("TooManyRequests"), {"Retry-After": "7"}), (503, error("ServiceUnavailable"), {}),
               (504, None, {}), (200, {"id": "x"}, {})]
    graph, script, clock = client(answers, retry_max_seconds=60)
    assert graph.get("applications/x") == {"id": "x"}
    assert clock.sleeps == [7.0, 2.0, 4.0]  # Retry-After, then 2**n from the third attempt on
    assert graph.stats.as_dict() == {"total": 4, "writes": 0, "retries": 3, "by_method": {"GET": 4}}
    assert script.sent[0].headers["Authorization"] == "Bearer token-value"


def test_throttling_bound_is_named():
    graph, _script, clock = client([(429, error("TooManyRequests"), {"Retry-After": "20"})] * 10, retry_max_seconds=50)
    with pytest.raises(GraphError) as err:
        graph.request("PATCH", "applications/x", body={"a": 1})
    assert "gave up after 40.0 s of HTTP 429 throttling (retry_max_seconds=50" in str(err.value)
    assert err.value.status == 429 and err.value.request_id == "rid-1" and err.value.code == "TooManyRequests"
    assert clock.sleeps == [20.0, 20.0] and graph.stats.writes == 3


def test_consistency_errors_retried_only_when_asked_and_bounded():
    lag = (400, error("Request_BadRequest", "The appId 'x' of the service principal does not reference a valid "
                                            "application object."), {})
    graph, _script, clock = client([lag, (404, error("Request_ResourceNotFound"), {}), (201, {"id": "sp"}, {})])
    assert graph.post("servicePrincipals", {"appId": "x"}, consistency_retry=True) == {"id": "sp"}
    assert clock.sleeps == [0.5, 1.0]
    graph, _script, _clock = client([lag])
    with pytest.raises(GraphError, match="does not reference a valid application object"):
        graph.post("servicePrincipals", {"appId": "x"})
    graph, _script, clock = client([(404, error("Request_ResourceNotFound"), {})] * 50, consistency_timeout=10)
    with pytest.raises(GraphError, match=r"eventual-consistency retries \(consistency_timeout=10\)"):
        graph.get("servicePrincipals/x", consistency_retry=True)
    assert sum(clock.sleeps) <= 10


def test_missing_ok_and_error_mapping():
    graph, _script, _clock = client([(404, error("Request_ResourceNotFound"), {}),
                                     (403, error("Authorization_RequestDenied", "Insufficient privileges"), {})])
    assert graph.get("applications(appId='x')", missing_ok=True) is None
    with pytest.raises(GraphError) as err:
        graph.delete("applications/x")
    text = str(err.value)
    assert text.startswith("Graph DELETE /v1.0/applications/x failed: HTTP 403 Authorization_RequestDenied")
    assert "(request-id: rid-1)" in text and "token-value" not in text
    assert err.value.result["graph_error"]["code"] == "Authorization_RequestDenied"


def test_paging_follows_next_link_and_resends_headers():
    pages = [(200, {"value": [1, 2], "@odata.nextLink": f"{BASE}/applications?$skiptoken=a"}, {}),
             (200, {"value": [3], "@odata.nextLink": f"{BASE}/applications?$skiptoken=b"}, {}),
             (200, {"value": []}, {})]
    graph, script, _clock = client(pages)
    assert graph.list("applications", params={"$filter": "displayName eq 'x'"},
                      headers={"ConsistencyLevel": "eventual"}) == [1, 2, 3]
    assert [r.headers.get("ConsistencyLevel") for r in script.sent] == ["eventual"] * 3
    assert script.sent[1].url.endswith("$skiptoken=a")


def test_next_link_to_another_host_is_refused():
    graph, script, _clock = client([(200, {"value": [1], "@odata.nextLink": "https://evil.test/v1.0/x"}, {})])
    with pytest.raises(GraphError, match="another host"):
        graph.list("applications")
    assert len(script.sent) == 1


def test_retry_after_forms_and_consistency_classification():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert is_consistency_error(403, "Authorization_RequestDenied", "The backing application must be in the "
                                "local tenant")
    assert not is_consistency_error(403, "Authorization_RequestDenied", "Insufficient privileges")
    assert is_consistency_error(409, "Error_MsaAppDoesNotExist", "")
    assert not is_consistency_error(409, "Request_MultipleObjectsWithSameKeyValue", "")
