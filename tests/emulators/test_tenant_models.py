"""The emulated tenant's state model in process (no HTTP): keys, conflicts, visibility, reset."""

import base64
import time
import uuid

import pytest

from tests.emulators.tenant import ownership
from tests.emulators.tenant.errors import GraphError
from tests.emulators.tenant.models import Tenant
from tests.emulators.tenant.wellknown import GRAPH_APP_ID


@pytest.fixture
def model():
    tenant = Tenant()
    tenant.add_identity("admin", ["Application.ReadWrite.All"], secrets=["s"])
    return tenant


def _code(call):
    with pytest.raises(GraphError) as info:
        call()
    return info.value.status, info.value.code


def test_grant_ids_and_duplicate_key(model):
    app = model.create_application({"displayName": "client"})
    sp = model.create_service_principal({"appId": app.props["appId"]})
    graph = model.service_principal_by_app_id(GRAPH_APP_ID)
    body = {"clientId": sp.id, "consentType": "AllPrincipals", "resourceId": graph.id, "scope": "User.Read"}
    grant = model.create_grant(body)
    raw = base64.urlsafe_b64decode(grant.id + "=" * (-len(grant.id) % 4))
    assert raw == uuid.UUID(sp.id).bytes_le + uuid.UUID(graph.id).bytes_le  # Graph's grant id scheme
    assert _code(lambda: model.create_grant(dict(body))) == (409, "Request_MultipleObjectsWithSameKeyValue")
    user = model.add_user("u@x", "U")
    per_user = model.create_grant({**body, "consentType": "Principal", "principalId": user["id"]})
    assert per_user.id != grant.id
    assert _code(lambda: model.create_grant({**body, "consentType": "Principal"})) == (400, "Request_BadRequest")


def test_unique_name_is_a_key_even_during_replication(model):
    model.faults.configure(replication_delay=30)
    rec, created = model.upsert_application("k", {"displayName": "A"}, create_if_missing=True)
    assert created
    again, created = model.upsert_application("k", {"displayName": "B"}, create_if_missing=True)
    assert not created and again is rec and rec.props["displayName"] == "B"
    assert _code(lambda: model.get_application("uniqueName", "k")) == (404, "Request_ResourceNotFound")
    assert _code(lambda: model.create_application({"displayName": "C", "uniqueName": "k"}))[0] == 409
    assert model.list_applications() == [model.get_application("appId", model.identities["admin"].app_id)]


def test_app_roles_and_consented_scopes_feed_tokens(model):
    ident = model.identities["admin"]
    sp = model.get_service_principal("id", ident.sp_object_id)
    graph = model.resource_service_principal("https://graph.microsoft.com/")
    assert model.app_roles(sp, graph) == ["Application.ReadWrite.All"]
    assert model.resource_service_principal(GRAPH_APP_ID) is graph
    assert model.resource_service_principal("https://unknown.example") is None


def test_service_principal_follows_its_application(model):
    app = model.create_application({"displayName": "before"})
    sp = model.create_service_principal({"appId": app.props["appId"]})
    role = {"allowedMemberTypes": ["Application"], "description": "d", "displayName": "R", "id": str(uuid.uuid4()),
            "isEnabled": True, "value": "R.All"}
    model.update_application(app, {"displayName": "after", "appRoles": [role]})
    assert sp.props["displayName"] == "after" and sp.props["appRoles"] == [{**role, "origin": "Application"}]
    model.delete_application(app)
    assert _code(lambda: model.get_service_principal("id", sp.id))[0] == 404


def test_reset_keeps_identities_and_ids(model):
    ident = model.identities["admin"]
    model.create_application({"displayName": "temp"})
    model.faults.configure(throttle_next=5)
    model.log.add(method="GET", path="/v1.0/applications", status=200)
    graph_before = model.service_principal_by_app_id(GRAPH_APP_ID).id
    model.reset()
    assert [a.props["displayName"] for a in model.list_applications()] == ["admin"]
    assert model.find_client(ident.app_id).secrets == ["s"]
    assert model.faults.throttle_next == 0 and model.log.entries() == []
    assert model.service_principal_by_app_id(GRAPH_APP_ID).id == graph_before


def test_visibility_ends_after_the_delay(model):
    model.faults.configure(replication_delay=0.2)
    app = model.create_application({"displayName": "later"})
    assert _code(lambda: model.get_application("id", app.id))[0] == 404
    time.sleep(0.25)
    assert model.get_application("id", app.id) is app


def test_readme_shows_the_enforced_permission_table():
    import pathlib

    from tests.emulators.tenant.permissions import markdown_table

    readme = pathlib.Path(__file__).parent / "tenant" / "README.md"
    assert markdown_table() in readme.read_text()


def test_owned_by_callers_change_only_their_own_applications(model):
    mine = model.create_application({"displayName": "mine"}, owner="oid-me")
    theirs = model.create_application({"displayName": "theirs"}, owner="oid-other")
    ownership.check_may_change_application(mine, "oid-me", owned_only=True)
    ownership.check_may_change_application(theirs, "oid-me", owned_only=False)  # Application.ReadWrite.All
    assert _code(lambda: ownership.check_may_change_application(theirs, "oid-me", True)) == (
        403, "Authorization_RequestDenied")
    ownership.check_may_create_service_principal(model, mine.props["appId"], "oid-me", True)
    assert _code(lambda: ownership.check_may_create_service_principal(model, theirs.props["appId"], "oid-me",
                                                                      True)) == (403, "Authorization_RequestDenied")
    their_sp = model.create_service_principal({"appId": theirs.props["appId"]}, owner="oid-other")
    assert _code(lambda: ownership.check_may_delete_service_principal(model, their_sp, "oid-me", True)) == (
        403, "Authorization_RequestDenied")
    ownership.check_may_delete_service_principal(model, their_sp, "oid-other", True)
