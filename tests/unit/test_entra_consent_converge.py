"""entra_admin_consent converges when a concurrent run created the grant or assignment first (409 on the POST):
one re-read and at most one PATCH per grant, never a loop."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_graph import assign_app_role, create_grant
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import scope_union, tenant_wide_grant
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphError, is_duplicate_error

BODY = {"clientId": "client", "consentType": "AllPrincipals", "resourceId": "graph", "scope": "User.Read openid"}
DUPLICATE = GraphError("Graph POST /v1.0/oauth2PermissionGrants failed: HTTP 409", status=409,
                       code="Request_MultipleObjectsWithSameKeyValue", graph_message="Permission entry already exists.",
                       method="POST", path="/v1.0/oauth2PermissionGrants")


class FakeClient:
    def __init__(self, post_error=None, grants=()):
        self.post_error, self.grants, self.calls = post_error, list(grants), []

    def post(self, path, body, **kwargs):
        self.calls.append(("POST", path))
        if self.post_error:
            raise self.post_error
        return {}

    def list(self, path, params=None, **kwargs):
        self.calls.append(("GET", path, params["$filter"]))
        return self.grants

    def patch(self, path, body, **kwargs):
        self.calls.append(("PATCH", path, body))


def test_duplicate_errors():
    assert is_duplicate_error(DUPLICATE)
    assert is_duplicate_error(GraphError("x", status=400, code="Request_BadRequest",
                                         graph_message="Permission being assigned already exists on the object."))
    assert not is_duplicate_error(GraphError("x", status=409, code="Error_MsaAppDoesNotExist"))
    assert not is_duplicate_error(GraphError("x", status=400, code="Request_BadRequest", graph_message="bad"))
    assert not is_duplicate_error(ValueError("x"))


def test_scope_union_and_tenant_wide_grant():
    assert scope_union("profile User.Read", "User.Read openid") == "profile User.Read openid"
    assert scope_union("openid User.Read", "User.Read openid") is None
    assert scope_union(None, "User.Read") == "User.Read"
    grants = [{"id": "p", "consentType": "Principal", "clientId": "client", "resourceId": "graph"},
              {"id": "other", "consentType": "AllPrincipals", "clientId": "client", "resourceId": "arm"},
              {"id": "g", "consentType": "AllPrincipals", "clientId": "client", "resourceId": "graph"}]
    assert tenant_wide_grant(grants, "client", "graph")["id"] == "g"
    assert tenant_wide_grant(grants, "client", "nothing") is None


def test_grant_created_without_conflict_is_one_post():
    client = FakeClient()
    create_grant(client, BODY)
    assert client.calls == [("POST", "oauth2PermissionGrants")]


@pytest.mark.parametrize("existing, patch", [
    ("User.Read openid", None),
    ("profile User.Read", {"scope": "profile User.Read openid"}),
])
def test_conflict_re_reads_once_and_patches_to_the_union_only_when_missing(existing, patch):
    client = FakeClient(DUPLICATE, [{**BODY, "id": "g", "scope": existing}])
    create_grant(client, BODY)
    expected = [("POST", "oauth2PermissionGrants"), ("GET", "oauth2PermissionGrants", "clientId eq 'client'")]
    assert client.calls == expected + ([("PATCH", "oauth2PermissionGrants/g", patch)] if patch else [])


def test_conflict_on_an_invisible_grant_fails_keeping_graph_fields():
    client = FakeClient(DUPLICATE, [])
    with pytest.raises(GraphError) as caught:
        create_grant(client, BODY)
    assert caught.value.status == 409 and caught.value.code == "Request_MultipleObjectsWithSameKeyValue"
    assert "replication lag" in str(caught.value) and str(DUPLICATE) in str(caught.value)
    assert [c[0] for c in client.calls] == ["POST", "GET"]


def test_other_errors_are_not_swallowed():
    denied = GraphError("403", status=403, code="Authorization_RequestDenied")
    for call in (create_grant, assign_app_role):
        client = FakeClient(denied)
        with pytest.raises(GraphError):
            call(client, {**BODY, "principalId": "client", "appRoleId": "role"})
        assert len(client.calls) == 1


def test_duplicate_assignment_is_done():
    body = {"principalId": "client", "resourceId": "graph", "appRoleId": "role"}
    for error in (DUPLICATE, GraphError("400", status=400, code="Request_BadRequest",
                                        graph_message="Permission being assigned already exists on the object.")):
        client = FakeClient(error)
        assign_app_role(client, body)
        assert client.calls == [("POST", "servicePrincipals/graph/appRoleAssignedTo")]
