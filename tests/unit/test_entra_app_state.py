"""Desired vs current state of the app, permissions and consent (pure logic)."""

from __future__ import annotations

import pytest

from ansible_collections.wac.fleet.plugins.plugin_utils import _entra_permissions as perms
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_app_state import (
    MANAGED_TAG,
    DesiredApp,
    plan_app,
    plan_redirect_uris,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._entra_consent_state import (
    ResourceNeed,
    needs_from_permissions,
    needs_from_view,
    needs_view,
    plan_consent,
    scope_set,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError
from tests.emulators.tenant import odata
from tests.emulators.tenant.errors import GraphError

A, B, C = "https://a.example", "https://b.example", "http://localhost:6516"
GRAPH_SP = {"id": "sp-graph", "appId": perms.GRAPH_APP_ID, "displayName": "Microsoft Graph",
            "oauth2PermissionScopes": [{"id": "11111111-0000-0000-0000-000000000001", "value": "User.Read"},
                                       {"id": "11111111-0000-0000-0000-000000000002", "value": "Directory.Read.All"}],
            "appRoles": [{"id": "22222222-0000-0000-0000-000000000001", "value": "Application.Read.All",
                          "allowedMemberTypes": ["Application"]},
                         {"id": "22222222-0000-0000-0000-000000000002", "value": "User.Only",
                          "allowedMemberTypes": ["User"]}]}


def test_additive_keeps_foreign_and_appends():
    spa, web, added, removed = plan_redirect_uris([A], [], DesiredApp(redirect_uris=(B, C)))
    assert spa == [A, B, C] and web == [] and removed == []
    assert added == [{"platform": "spa", "uri": B}, {"platform": "spa", "uri": C}]


def test_exclusive_removes_foreign_of_its_platform_only():
    spa, web, added, removed = plan_redirect_uris([A, B], [A], DesiredApp(redirect_uris=(B,),
                                                                          redirect_uris_mode="exclusive"))
    assert spa == [B] and web == [A] and added == [] and removed == [{"platform": "spa", "uri": A}]


def test_move_web_to_spa_and_web_platform():
    spa, web, added, removed = plan_redirect_uris([A], [A, B], DesiredApp(move_web_to_spa=True))
    assert spa == [A, B] and web == [] and added == [{"platform": "spa", "uri": B}]
    assert removed == [{"platform": "web", "uri": A}, {"platform": "web", "uri": B}]
    spa, web, *_rest = plan_redirect_uris([], [A], DesiredApp(redirect_uris=(C,), platform="web"))
    assert (spa, web) == ([], [A, C])


def test_order_is_never_a_change():
    current = {"id": "o", "appId": "a", "displayName": "x", "signInAudience": "AzureADMyOrg",
               "spa": {"redirectUris": [C, A, B]}, "web": {"redirectUris": []},
               "requiredResourceAccess": [{"resourceAppId": perms.GRAPH_APP_ID, "resourceAccess": [
                   {"id": "11111111-0000-0000-0000-000000000002", "type": "Scope"},
                   {"id": "11111111-0000-0000-0000-000000000001", "type": "Scope"}]}]}
    wanted = perms.resolve(perms.normalize_spec([{"resource": "Microsoft Graph",
                                                  "delegated": ["User.Read", "Directory.Read.All"]}]),
                           {"Microsoft Graph": GRAPH_SP})
    plan = plan_app(current, DesiredApp(display_name="x", redirect_uris=(A, B, C), permissions=tuple(wanted),
                                        permissions_mode="exclusive", redirect_uris_mode="exclusive"))
    assert not plan.changed and plan.body == {} and plan.before == plan.after


def test_update_sends_only_changed_properties_and_keeps_web_settings():
    current = {"id": "o", "appId": "a", "displayName": "x", "spa": {"redirectUris": []},
               "web": {"redirectUris": [A], "homePageUrl": "https://home.example",
                       "implicitGrantSettings": {"enableIdTokenIssuance": False},
                       "redirectUriSettings": [{"uri": A, "index": None}]},
               "requiredResourceAccess": []}
    plan = plan_app(current, DesiredApp(move_web_to_spa=True, display_name="y"))
    assert set(plan.body) == {"displayName", "spa", "web"}
    assert plan.body["web"] == {"redirectUris": [], "homePageUrl": "https://home.example",
                                "implicitGrantSettings": {"enableIdTokenIssuance": False}}
    assert plan.before["redirect_uris"] == {"spa": [], "web": [A]}
    assert plan.after["redirect_uris"] == {"spa": [A], "web": []}


def test_create_body_is_tagged_and_defaulted():
    plan = plan_app(None, DesiredApp(redirect_uris=(A,)), unique_name="wac-shared")
    assert plan.create and plan.changed and plan.before == {}
    assert plan.body["tags"] == [MANAGED_TAG] and plan.body["displayName"] == "wac-shared"
    assert plan.body["signInAudience"] == "AzureADMyOrg" and plan.body["spa"] == {"redirectUris": [A]}


def test_permissions_resolve_by_name_and_reject_unknown_names():
    spec = perms.normalize_spec([{"resource": "Microsoft Graph", "delegated": ["user.read"],
                                  "application": ["Application.Read.All"]},
                                 {"resource": "microsoft graph", "delegated": ["User.Read"]}])
    assert len(spec) == 1
    resolved = perms.resolve(spec, {"Microsoft Graph": GRAPH_SP})
    assert {(p.id[-1], p.type) for p in resolved} == {("1", "Scope"), ("1", "Role")}
    with pytest.raises(InputError, match=r"offers no application permission 'User.Only'"):
        perms.resolve(perms.normalize_spec([{"resource": "Microsoft Graph", "application": ["User.Only"]}]),
                      {"Microsoft Graph": GRAPH_SP})
    with pytest.raises(InputError, match=r"offers no delegated permission 'Nope.All'"):
        perms.resolve(perms.normalize_spec([{"resource": "Microsoft Graph", "delegated": ["Nope.All"]}]),
                      {"Microsoft Graph": GRAPH_SP})
    for bad in ([{"delegated": ["x"]}], [{"resource": "x", "delegated": "User.Read"}], "x",
                [{"resource": "x", "other": 1}]):
        with pytest.raises(InputError, match="required_resource_access"):
            perms.normalize_spec(bad)
    view = perms.names_view(resolved, {perms.GRAPH_APP_ID: GRAPH_SP})
    assert view == [{"resource": "Microsoft Graph", "resource_app_id": perms.GRAPH_APP_ID,
                     "delegated": ["User.Read"], "application": ["Application.Read.All"]}]


def test_consent_merges_scopes_never_duplicates():
    need = ResourceNeed(GRAPH_SP, ("User.Read", "Directory.Read.All"),
                        (("22222222-0000-0000-0000-000000000001", "Application.Read.All"),))
    grants = [{"id": "g1", "clientId": "client", "consentType": "AllPrincipals", "resourceId": "sp-graph",
               "scope": "User.Read openid User.Read"},
              {"id": "g2", "clientId": "client", "consentType": "Principal", "resourceId": "sp-graph",
               "scope": "Directory.Read.All"}]
    plan = plan_consent("client", [need], grants, [])
    assert plan.grant_creates == []
    assert plan.grant_updates == [{"id": "g1", "scope": "User.Read openid Directory.Read.All",
                                   "added": ["Directory.Read.All"], "resource": "Microsoft Graph"}]
    assert plan.role_assignments[0]["body"] == {"principalId": "client", "resourceId": "sp-graph",
                                                "appRoleId": "22222222-0000-0000-0000-000000000001"}
    done = plan_consent("client", [need], [{**grants[0], "scope": "Directory.Read.All User.Read"}],
                        [{"principalId": "client", "resourceId": "sp-graph",
                          "appRoleId": "22222222-0000-0000-0000-000000000001"}])
    assert not done.changed and done.state[0]["missing_scopes"] == [] and done.state[0]["missing_roles"] == []
    fresh = plan_consent("client", [need], [], [])
    assert fresh.grant_creates == [{"clientId": "client", "consentType": "AllPrincipals", "resourceId": "sp-graph",
                                    "scope": "User.Read Directory.Read.All"}]
    assert scope_set(" a b  a ") == ["a", "b"]


class ServicePrincipals:
    """Answers client.list("servicePrincipals", ...) with the emulator's own $filter parser."""

    def __init__(self, sps):
        self.sps = sps
        self.filters = []

    def list(self, path, params=None, **_kwargs):
        assert path == "servicePrincipals"
        self.filters.append(params["$filter"])
        test = odata.parse_filter(params["$filter"], ("appId", "displayName"), "ServicePrincipal")
        return [sp for sp in self.sps if test(sp)]


def _sp(number: int) -> dict:
    return {"id": f"00000000-0000-0000-0000-{number:012d}", "appId": f"10000000-0000-0000-0000-{number:012d}",
            "displayName": f"API {number}"}


def test_resource_sps_by_app_id_are_read_in_one_request_per_fifteen():
    graph = ServicePrincipals([GRAPH_SP, *map(_sp, range(20))])
    found = perms.fetch_resource_sps(graph, ["Microsoft Graph", perms.GRAPH_APP_ID.upper()])
    assert found == {"Microsoft Graph": GRAPH_SP, perms.GRAPH_APP_ID.upper(): GRAPH_SP}
    assert graph.filters == [f"appId in ('{perms.GRAPH_APP_ID}')"]
    graph.filters.clear()
    many = [_sp(n)["appId"] for n in range(16)]
    assert [sp["displayName"] for sp in perms.fetch_resource_sps(graph, many).values()] == [
        f"API {n}" for n in range(16)]
    assert len(graph.filters) == 2 and graph.filters[1] == f"appId in ('{many[15]}')"
    graph.filters.clear()
    assert perms.fetch_resource_sps(graph, ["API 3", many[0]]) == {"API 3": _sp(3), many[0]: _sp(0)}
    assert graph.filters == [f"appId in ('{many[0]}')", "displayName eq 'API 3'"]
    unknown = "20000000-0000-0000-0000-000000000000"
    with pytest.raises(InputError, match=f"resource '{unknown}' .* has no service principal"):
        perms.fetch_resource_sps(graph, [many[0], unknown])
    with pytest.raises(InputError, match="resource 'Nope' matches 0 service principals"):
        perms.fetch_resource_sps(graph, ["Nope"])
    assert perms.fetch_resource_sps(graph, [many[0], unknown, "Nope"], strict=False) == {many[0]: _sp(0)}


def test_emulator_in_filter_takes_at_most_fifteen_values():
    test = odata.parse_filter("appId in ('a', 'B''c')", ("appId",), "ServicePrincipal")
    assert test({"appId": "A"}) and test({"appId": "b'c"}) and not test({"appId": "c"})
    with pytest.raises(GraphError, match="Max allowed: 15"):
        odata.parse_filter("appId in (" + ", ".join(f"'{n}'" for n in range(16)) + ")", ("appId",), "X")
    with pytest.raises(GraphError, match="'id'"):
        odata.parse_filter("id in ('a')", ("appId",), "X")


def test_consent_needs_round_trip_and_reject_bad_fields():
    sp = {**GRAPH_SP, "id": "6f1e6c9a-4d3b-4f0e-9a43-1c2d3e4f5a6b"}
    permissions = perms.resolve(perms.normalize_spec([{"resource": "Microsoft Graph", "delegated": ["User.Read"],
                                                       "application": ["Application.Read.All"]}]),
                                {"Microsoft Graph": sp})
    needs = needs_from_permissions(permissions, {perms.GRAPH_APP_ID: sp})
    view = needs_view(needs)
    assert view == [{"app_id": perms.GRAPH_APP_ID, "id": sp["id"], "display_name": "Microsoft Graph",
                     "delegated": ["User.Read"],
                     "application": [{"id": "22222222-0000-0000-0000-000000000001", "value": "Application.Read.All"}]}]
    again = needs_from_view(view)
    assert [(n.sp["id"], n.sp["appId"], n.scopes, n.roles) for n in again] == [
        (n.sp["id"], n.sp["appId"], n.scopes, n.roles) for n in needs]
    assert plan_consent("client", again, [], []).grant_creates[0]["resourceId"] == sp["id"]
    assert needs_from_view([{"app_id": perms.GRAPH_APP_ID, "id": sp["id"]}])[0].sp["displayName"] == \
        perms.GRAPH_APP_ID
    good = view[0]
    for bad, field in (("x", "resource_service_principals must be a list"),
                       (["x"], "resource_service_principals[0] must be a dict"),
                       ([{**good, "extra": 1}], "[0] has unknown keys: extra"),
                       ([{**good, "id": "sp-graph"}], "[0].id must be a GUID"),
                       ([good, {**good, "id": sp["id"].upper()}], "[1].app_id: resource"),
                       ([{**good, "display_name": 3}], "[0].display_name"),
                       ([{**good, "delegated": ["User.Read Mail.Read"]}], "[0].delegated"),
                       ([{**good, "application": {"id": "x"}}], "[0].application must be a list"),
                       ([{**good, "application": ["Application.Read.All"]}], "[0].application[0] must be a dict"),
                       ([{**good, "application": [{"id": "x", "value": "v"}]}], "[0].application[0].id")):
        with pytest.raises(InputError) as info:
            needs_from_view(bad)
        assert field in str(info.value), (bad, str(info.value))
