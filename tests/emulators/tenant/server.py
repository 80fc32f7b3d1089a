"""The emulator's aiohttp application: login routes, Graph v1.0 routes guarded by token verification and the
route -> permission table, fault injection, the request log, and Graph's error shape on every Graph error."""

import asyncio
import time
import uuid

from aiohttp import web

from . import control_routes, graph_routes, login_routes
from .context import CONTEXT, Context, ctx, state
from .errors import GraphError, TokenError, denied
from .permissions import ROUTES, granted, satisfied
from .shapes import now_iso


def graph_error_response(request, err):
    request_id = state(request).get("request_id") or str(uuid.uuid4())
    inner = {"date": now_iso(), "request-id": request_id, "client-request-id":
             request.headers.get("client-request-id", request_id)}
    headers = {"request-id": request_id, "client-request-id": inner["client-request-id"],
               "x-ms-ags-diagnostic": '{"ServerInfo":{"DataCenter":"Emulated","Slice":"E"}}', **err.headers}
    return web.json_response({"error": {"code": err.code, "message": err.message, "innerError": inner}},
                             status=err.status, headers=headers)


def _guarded(handler, allowed):
    async def route(request):
        claims = state(request)["claims"]
        perms = satisfied(granted(claims), allowed)
        if not perms:
            raise denied()
        return await handler(request, graph_routes.Caller(claims, perms))
    route.__name__ = handler.__name__
    return route


def _bearer_claims(request):
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.",
                         headers={"WWW-Authenticate": 'Bearer realm=""'})
    return ctx(request).tokens.verify_access_token(token.strip())


async def _hold_writes(faults, request):
    faults.note_client(state(request)["client_id"])
    deadline = time.monotonic() + faults.hold_timeout
    while faults.write_held(request.method) and time.monotonic() < deadline:
        state(request)["fault"] = "hold_writes"
        await asyncio.sleep(0.05)


async def _graph(request, handler):
    tenant = ctx(request).tenant
    state(request)["request_id"] = str(uuid.uuid4())
    try:
        claims = state(request)["claims"] = _bearer_claims(request)
        state(request)["client_id"] = claims.get("appid")
        await _hold_writes(tenant.faults, request)
        fault = tenant.faults.graph_fault(request.method)
        if fault:
            status, retry_after = fault
            state(request)["fault"] = status
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            if status == 429:
                raise GraphError(429, "TooManyRequests", "Too many requests.", headers=headers)
            raise GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry.",
                             headers=headers)
        for run in tenant.faults.request_hooks(request.method, request.path):
            state(request)["fault"] = "before_request"
            run(tenant)
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            segment = request.path.split("/")[2] if request.path.count("/") > 1 else request.path
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.") from None
        except web.HTTPMethodNotAllowed:
            raise GraphError(405, "Request_BadRequest", "The requested method is not supported on this "
                             "resource.") from None
    except GraphError as err:
        return graph_error_response(request, err)
    response.headers["request-id"] = state(request)["request_id"]
    response.headers["client-request-id"] = request.headers.get("client-request-id", state(request)["request_id"])
    return response


@web.middleware
async def log_and_dispatch(request, handler):
    if request.path.startswith("/_emulator/"):
        return await handler(request)
    started = time.time()
    try:
        if request.path.startswith("/v1.0/") or request.path == "/v1.0":
            response = await _graph(request, handler)
        else:
            try:
                response = await handler(request)
            except TokenError as err:
                response = login_routes.token_error_response(request, err)
    except web.HTTPException as exc:
        response = exc
    facts = state(request)
    ctx(request).tenant.log.add(
        method=request.method, path=request.path, query=dict(request.query), status=response.status,
        client_id=facts.get("client_id"), fault=facts.get("fault"), request_id=facts.get("request_id"),
        duration=round(time.time() - started, 4), time=started)
    if isinstance(response, web.HTTPException):
        raise response
    return response


def build_app(tenant, tokens, base_url, msi_secret, device_user_id):
    app = web.Application(middlewares=[log_and_dispatch])
    app[CONTEXT] = Context(tenant, tokens, base_url, msi_secret, device_user_id)
    for method, path, name, allowed in ROUTES:
        app.router.add_route(method, path, _guarded(getattr(graph_routes, name), allowed))
    login_routes.add_routes(app)
    control_routes.add_routes(app)
    return app
