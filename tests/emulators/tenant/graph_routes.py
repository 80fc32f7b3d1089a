"""Microsoft Graph v1.0 handlers of the emulator (protocol only; state lives in models.Tenant).

Each handler takes (request, caller) after the server's middleware has verified the bearer token and checked
the route's permissions (permissions.ROUTES); it maps URLs and bodies onto model calls and model objects onto
Graph's JSON shapes.
"""

import json
import re
from dataclasses import dataclass

from aiohttp import web

from . import odata, ownership
from .context import ctx
from .errors import GraphError, bad_request
from .permissions import OWNED_BY

# tags: "Supports $filter (eq, not, ge, le, startsWith)" (Graph application.md); filtered with `any` as a collection
APPLICATION_FILTERS = ("displayName", "appId", "uniqueName", "id", "signInAudience", "publisherDomain", "tags")
SP_FILTERS = ("displayName", "appId", "id", "servicePrincipalType", "appOwnerOrganizationId")
GRANT_FILTERS = ("clientId", "resourceId", "consentType", "principalId", "id")
ASSIGNMENT_FILTERS = ("principalId", "resourceId", "appRoleId", "principalType")


@dataclass
class Caller:
    claims: dict
    permissions: set  # the route's permissions the token carries

    @property
    def oid(self):
        return self.claims.get("oid")

    @property
    def owned_only(self):
        """True when the caller may write only the applications it owns."""
        return self.permissions == {OWNED_BY}


def _tenant(request):
    return ctx(request).tenant


def _context(request, suffix):
    return f"{ctx(request).graph_url}/$metadata#{suffix}"


def _entity(request, suffix, props, status=200):
    return web.json_response({"@odata.context": _context(request, f"{suffix}/$entity"), **props}, status=status)


def _collection(request, suffix, records, filterable, resource, type_name):
    query = dict(request.query)
    test = odata.parse_filter(query.get("$filter"), filterable, resource)
    items = [r.props for r in records]
    fields = odata.parse_select(query.get("$select"), items[0] if items else {"id": None}, type_name)
    chosen = [p for p in items if test(p)]
    count = _advanced_query(request, query, chosen, filterable, resource)
    page, next_link = odata.page(chosen, query, _tenant(request).faults.page_size,
                                 f"{ctx(request).graph_url}{request.path[len('/v1.0'):]}")
    context = suffix + (f"({','.join(fields)})" if fields else "")
    body = {"@odata.context": _context(request, context)}
    if count is not None:
        body["@odata.count"] = count
    if next_link:
        body["@odata.nextLink"] = next_link
    body["value"] = [odata.project(p, fields) for p in page]
    return web.json_response(body)


def _advanced_query(request, query, chosen, filterable, resource):
    """$count and $orderby, which Graph serves on directory objects only with ConsistencyLevel: eventual.
    Sorts `chosen` in place; returns the count when asked for. $search is not emulated."""
    if "$search" in query:
        raise GraphError(400, "Request_UnsupportedQuery", "$search is not supported by the emulated tenant.")
    asked = [k for k in ("$count", "$orderby") if k in query]
    if not asked:
        return None
    if request.headers.get("ConsistencyLevel", "").lower() != "eventual":
        raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported Query. {asked[0]} on '{resource}' needs "
                         "the ConsistencyLevel header set to 'eventual'.")
    if "$orderby" in query:
        prop, _sep, direction = query["$orderby"].strip().partition(" ")
        if prop not in filterable or direction.strip().lower() not in ("", "asc", "desc"):
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported sort property '{prop}'.")
        chosen.sort(key=lambda p: str(p.get(prop) or "").casefold(), reverse=direction.strip().lower() == "desc")
    return len(chosen) if query.get("$count", "").lower() == "true" else None


def _single(request, record, suffix, type_name):
    fields = odata.parse_select(request.query.get("$select"), record.props, type_name)
    context = suffix + (f"({','.join(fields)})" if fields else "")
    return _entity(request, context, odata.project(record.props, fields))


async def _body(request):
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and "
                          "payload is of valid JSON format.") from None
    if not isinstance(body, dict):
        raise bad_request("Unable to read JSON request payload: a JSON object was expected.")
    return body


def _alternate_key(request, allowed):
    if "id" in request.match_info:
        return "id", request.match_info["id"]
    match = re.fullmatch(r"(\w+)='((?:[^']|'')*)'", request.match_info["key"])
    if not match or match[1] not in allowed:
        raise bad_request(f"Invalid alternate key: '{request.match_info['key']}'.")
    return match[1], match[2].replace("''", "'")


def _application(request):
    by, value = _alternate_key(request, ("appId", "uniqueName"))
    return _tenant(request).get_application(by, value)


# ---- applications ------------------------------------------------------------------------------------------
async def list_applications(request, caller):
    return _collection(request, "applications", _tenant(request).list_applications(), APPLICATION_FILTERS,
                       "Application", "application")


async def get_application(request, caller):
    return _single(request, _application(request), "applications", "application")


async def create_application(request, caller):
    record = _tenant(request).create_application(await _body(request), owner=caller.oid)
    return _entity(request, "applications", record.props, status=201)


async def update_application(request, caller):
    body = await _body(request)
    tenant = _tenant(request)
    if "key" in request.match_info and request.match_info["key"].startswith("uniqueName="):
        _by, unique = _alternate_key(request, ("uniqueName",))
        prefer = [p.strip().lower() for p in request.headers.get("Prefer", "").split(",")]
        with tenant.lock:
            try:
                existing = tenant.get_application("uniqueName", unique, consistent=True)
            except GraphError:
                existing = None
            if existing is not None:
                ownership.check_may_change_application(existing, caller.oid, caller.owned_only)
            record, created = tenant.upsert_application(unique, body, "create-if-missing" in prefer, caller.oid)
        if created:
            return _entity(request, "applications", record.props, status=201)
        return web.Response(status=204)
    record = _application(request)
    ownership.check_may_change_application(record, caller.oid, caller.owned_only)
    tenant.update_application(record, body)
    return web.Response(status=204)


async def delete_application(request, caller):
    record = _application(request)
    ownership.check_may_change_application(record, caller.oid, caller.owned_only)
    _tenant(request).delete_application(record)
    return web.Response(status=204)


# ---- service principals ------------------------------------------------------------------------------------
def _service_principal(request):
    by, value = _alternate_key(request, ("appId",))
    return _tenant(request).get_service_principal(by, value)


async def list_service_principals(request, caller):
    return _collection(request, "servicePrincipals", _tenant(request).list_service_principals(), SP_FILTERS,
                       "ServicePrincipal", "servicePrincipal")


async def get_service_principal(request, caller):
    return _single(request, _service_principal(request), "servicePrincipals", "servicePrincipal")


async def create_service_principal(request, caller):
    body = await _body(request)
    tenant = _tenant(request)
    ownership.check_may_create_service_principal(tenant, body.get("appId"), caller.oid, caller.owned_only)
    record = tenant.create_service_principal(body, owner=caller.oid)
    return _entity(request, "servicePrincipals", record.props, status=201)


async def delete_service_principal(request, caller):
    record = _service_principal(request)
    tenant = _tenant(request)
    ownership.check_may_delete_service_principal(tenant, record, caller.oid, caller.owned_only)
    tenant.delete_service_principal(record)
    return web.Response(status=204)


# ---- app role assignments ----------------------------------------------------------------------------------
async def list_assigned_to(request, caller):
    sp = _service_principal(request)
    return _collection(request, f"servicePrincipals('{sp.id}')/appRoleAssignedTo",
                       _tenant(request).assignments_to(sp), ASSIGNMENT_FILTERS, "AppRoleAssignment",
                       "appRoleAssignment")


async def list_assignments(request, caller):
    sp = _service_principal(request)
    return _collection(request, f"servicePrincipals('{sp.id}')/appRoleAssignments",
                       _tenant(request).assignments_of(sp), ASSIGNMENT_FILTERS, "AppRoleAssignment",
                       "appRoleAssignment")


async def assign_app_role(request, caller):
    sp = _service_principal(request)
    record = _tenant(request).assign_app_role(sp, await _body(request))
    return _entity(request, f"servicePrincipals('{sp.id}')/appRoleAssignedTo", record.props, status=201)


async def unassign_app_role(request, caller):
    sp = _service_principal(request)
    _tenant(request).delete_assignment(sp, request.match_info["assignment"])
    return web.Response(status=204)


# ---- oauth2PermissionGrants --------------------------------------------------------------------------------
async def list_grants(request, caller):
    return _collection(request, "oauth2PermissionGrants", _tenant(request).list_grants(), GRANT_FILTERS,
                       "OAuth2PermissionGrant", "oAuth2PermissionGrant")


async def get_grant(request, caller):
    return _single(request, _tenant(request).get_grant(request.match_info["id"]), "oauth2PermissionGrants",
                   "oAuth2PermissionGrant")


async def create_grant(request, caller):
    record = _tenant(request).create_grant(await _body(request))
    return _entity(request, "oauth2PermissionGrants", record.props, status=201)


async def update_grant(request, caller):
    tenant = _tenant(request)
    record = tenant.get_grant(request.match_info["id"])
    tenant.update_grant(record, await _body(request))
    return web.Response(status=204)


async def delete_grant(request, caller):
    tenant = _tenant(request)
    tenant.delete_grant(tenant.get_grant(request.match_info["id"]))
    return web.Response(status=204)
