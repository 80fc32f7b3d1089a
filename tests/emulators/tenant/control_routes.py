"""Control API of the emulator under /_emulator (for tests, benchmarks and the demo; never logged, never
faulted, no authentication: it listens on loopback only).

  GET  /_emulator/requests[?method=PATCH&write_only=1&path_prefix=/v1.0]  -> {"value": [log entries]}
  POST /_emulator/reset                                   -> seeded state, no faults, empty log
  GET  /_emulator/faults                                  -> current fault settings
  POST /_emulator/faults {"throttle_next": 3, ...}        -> set fault settings (keys of faults.Faults)
  GET  /_emulator/device/pending                          -> pending device code sign-ins
  POST /_emulator/device/approve {"user_code": "..."[, "decline": true]}
  POST /_emulator/federated-token {"subject"?, "audience"?, "lifetime"?, "issuer"?} -> {"token": "..."}
  GET  /_emulator/state                                   -> applications, servicePrincipals, grants, assignments
  GET  /_emulator/permissions                             -> the route -> permission table
"""

from aiohttp import web

from .context import ctx
from .permissions import ROUTES


def _flag(value):
    return str(value).lower() in ("1", "true", "yes")


async def requests_log(request):
    q = request.query
    entries = ctx(request).tenant.log.entries(method=q.get("method"), write_only=_flag(q.get("write_only")),
                                              path_prefix=q.get("path_prefix"))
    return web.json_response({"value": entries})


async def reset(request):
    ctx(request).tenant.reset()
    return web.Response(status=204)


async def get_faults(request):
    return web.json_response(ctx(request).tenant.faults.as_dict())


async def set_faults(request):
    tenant = ctx(request).tenant
    try:
        tenant.faults.configure(**await request.json())
    except (ValueError, TypeError) as err:
        return web.json_response({"error": str(err)}, status=400)
    return web.json_response(tenant.faults.as_dict())


async def device_pending(request):
    return web.json_response({"value": ctx(request).tenant.sessions.pending()})


async def device_approve(request):
    body = await request.json()
    tenant = ctx(request).tenant
    user_id = body.get("user_id") or ctx(request).device_user_id
    flow = tenant.sessions.decide(body.get("user_code"), user_id, approve=not body.get("decline"))
    if flow is None:
        return web.json_response({"error": "no pending sign-in with this user_code"}, status=404)
    return web.json_response({"user_code": flow["user_code"], "status": flow["status"]})


async def federated_token(request):
    body = await request.json() if request.can_read_body else {}
    tokens = ctx(request).tokens
    ident = ctx(request).tenant.identities.get("federated")
    subject = body.get("subject") or (ident.federated[0]["subject"] if ident else "emulated")
    token = tokens.federated_token(subject, audience=body.get("audience", "api://AzureADTokenExchange"),
                                   lifetime=int(body.get("lifetime", 3600)), issuer=body.get("issuer"))
    return web.json_response({"token": token})


async def state(request):
    tenant = ctx(request).tenant
    with tenant.lock:
        return web.json_response({
            "applications": [r.props for r in tenant.applications.values()],
            "servicePrincipals": [r.props for r in tenant.service_principals.values()],
            "oauth2PermissionGrants": [r.props for r in tenant.grants.values()],
            "appRoleAssignments": [r.props for r in tenant.assignments.values()],
        })


async def permissions(request):
    return web.json_response({"value": [{"method": m, "path": p, "permissions": list(perms)}
                                        for m, p, _h, perms in ROUTES]})


def add_routes(app):
    app.router.add_get("/_emulator/requests", requests_log)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_get("/_emulator/faults", get_faults)
    app.router.add_post("/_emulator/faults", set_faults)
    app.router.add_get("/_emulator/device/pending", device_pending)
    app.router.add_post("/_emulator/device/approve", device_approve)
    app.router.add_post("/_emulator/federated-token", federated_token)
    app.router.add_get("/_emulator/state", state)
    app.router.add_get("/_emulator/permissions", permissions)
