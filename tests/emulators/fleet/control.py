"""The fleet's control API (plain HTTP on 127.0.0.1, ``control_url`` in the endpoints file).

=======================================  ============================================================================
``GET  /hosts``                          every PC: its endpoint entry plus ``faults``
``GET  /hosts/<name>``                   one PC: endpoint, ``faults``, ``wsman_requests`` (operations served by name),
                                         ``scripts`` (number run) and ``model`` (``pc.model.to_dict()`` if it has one)
``POST /hosts/<name>/faults``            JSON object of fault keys (see ``faults.py``); answers the PC's faults
``POST /hosts/<name>/state``             JSON object handed to ``pc.model.apply(dict)`` (drift made on the PC)
``GET  /log?host=<name>``                the decoded scripts run on that PC (all PCs, by name, without ``host``)
``POST /reset``                          faults off, logs and shells emptied, models recreated
=======================================  ============================================================================
Errors are ``{"error": "..."}`` with 400 (bad input) or 404 (unknown PC).
"""

from __future__ import annotations

import json
import typing as t

from aiohttp import web

if t.TYPE_CHECKING:
    from .fleet import PC
    from .server import FleetServer


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def describe(pc: PC) -> dict[str, t.Any]:
    model_error = None
    try:
        model = pc.model
    except Exception as exc:  # no gateway model available (protocol-only use) or it cannot be built
        model, model_error = None, f"{type(exc).__name__}: {exc}"
    with pc.lock:
        to_dict = getattr(model, "to_dict", None)
        return {
            **pc.endpoint(),
            "faults": dict(pc.faults),
            "wsman_requests": dict(pc.requests),
            "scripts": len(pc.log),
            "model": to_dict() if callable(to_dict) else None,
            "model_error": model_error,
        }


def control_app(server: FleetServer) -> web.Application:
    fleet = server.fleet

    def pc_of(request: web.Request) -> PC:
        name = request.match_info["name"]
        if name not in fleet.pcs:
            raise web.HTTPNotFound(text=json.dumps({"error": f"no PC named {name}"}), content_type="application/json")
        return fleet.pcs[name]

    async def read_object(request: web.Request) -> dict[str, t.Any]:
        try:
            data = await request.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text=json.dumps({"error": "body must be a JSON object"}),
                                     content_type="application/json")
        return data

    async def hosts(request: web.Request) -> web.Response:
        return web.json_response([{**pc.endpoint(), "faults": dict(pc.faults)} for pc in fleet.pcs.values()])

    async def host(request: web.Request) -> web.Response:
        return web.json_response(describe(pc_of(request)))

    async def set_faults(request: web.Request) -> web.Response:
        pc = pc_of(request)
        try:
            return web.json_response(await server.set_faults(pc.name, await read_object(request)))
        except ValueError as exc:
            return _error(400, str(exc))

    async def set_state(request: web.Request) -> web.Response:
        pc = pc_of(request)
        changes = await read_object(request)
        try:
            model = pc.model
        except Exception as exc:
            return _error(400, f"{pc.name} has no gateway model: {type(exc).__name__}: {exc}")
        with pc.lock:
            apply = getattr(model, "apply", None)
            if not callable(apply):
                return _error(400, f"the model of {pc.name} has no apply()")
            try:
                apply(changes)
            except (KeyError, ValueError, TypeError) as exc:
                return _error(400, f"{type(exc).__name__}: {exc}")
        return web.json_response(describe(pc))

    async def get_log(request: web.Request) -> web.Response:
        name = request.query.get("host")
        if name is None:
            return web.json_response({pc.name: list(pc.log) for pc in fleet.pcs.values()})
        if name not in fleet.pcs:
            return _error(404, f"no PC named {name}")
        return web.json_response(list(fleet.pcs[name].log))

    async def reset(request: web.Request) -> web.Response:
        await server.reset()
        return web.json_response({"reset": len(fleet.pcs)})

    app = web.Application()
    app.router.add_get("/hosts", hosts)
    app.router.add_get("/hosts/{name}", host)
    app.router.add_post("/hosts/{name}/faults", set_faults)
    app.router.add_post("/hosts/{name}/state", set_state)
    app.router.add_get("/log", get_log)
    app.router.add_post("/reset", reset)
    return app
