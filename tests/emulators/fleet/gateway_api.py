"""The HTTPS REST API of one emulated Windows Admin Center gateway, as a script on the PC calls it on localhost.

``serve(model, WebRequest) -> WebResponse`` checks, in order, what a real gateway checks (each rule names its source;
sources as in gateway_model.py), then routes the Azure paths of the gateway's generation:

1. something listens on that port (the gateway service runs, or the desktop user has SmeDesktop open);
2. authentication: desktop mode takes only its client certificate (WSD user-access-control.md, troubleshooting.md:
   "You are not authorized to view this page"; the status 403 is UNCONFIRMED); server mode and v2 take Windows
   authentication: explicit credentials of an account of the PC, or the logon's default credentials, which exist
   only where the logon holds credentials (AWD; for a loopback call UNCONFIRMED, the stricter answer is taken); a
   v2 gateway in FormLogin mode takes no Windows authentication (UNCONFIRMED, CFG Set-WACLoginMode);
3. writes carry the X-XSRF-TOKEN header with the value of the XSRF cookie the gateway set (SDK cookie.js, http.js;
   that a write without it is refused, and with which status, is UNCONFIRMED: 400 as ASP.NET Core's antiforgery);
4. the route: GET <root>/appInfo (SDK path; the SDK's AadAppConfig fields, under "properties": UNCONFIRMED), PUT
   <root>/cloudName/<cloud>/application (SDK path; body {properties: {tenant, clientId}} as NAA's aadappConfig; the
   cloud one of the names WAC stores, MIG CreateAppConfigEntry), PUT <root>/writeAppInfo (NAA), DELETE
   <root>/application (SDK path). Registering needs Azure: through the proxy the gateway started with (ASD: restart
   after a proxy change), which fails when its credentials are in a form the gateway cannot read.
"""

from __future__ import annotations

import dataclasses
import typing as t
from urllib.parse import unquote, urlsplit

from .gateway_model import CLASSIC_DESKTOP, MODERN, ConnectionRefused

if t.TYPE_CHECKING:
    from .gateway_model import GatewayModel
    from .session import Session

# MIG CreateAppConfigEntry: the cloud names WAC stores; the SDK compares them without spaces, case ignored.
WAC_CLOUDS = ("Azure Global", "Azure China", "Azure US Gov")
XSRF_HEADER = "x-xsrf-token"  # SDK http-constants.js
WRITES = ("PUT", "POST", "PATCH", "DELETE")


@dataclasses.dataclass
class WebRequest:
    method: str
    url: str
    body: object = None
    headers: dict = dataclasses.field(default_factory=dict)
    cookies: dict = dataclasses.field(default_factory=dict)  # what the script's web session sends
    auth: dict = dataclasses.field(default_factory=lambda: {"kind": "none"})  # see gateway_auth in ops.py
    session: Session | None = None  # the logon the script runs in


@dataclasses.dataclass
class WebResponse:
    status: int
    body: object = None
    cookies: dict = dataclasses.field(default_factory=dict)  # Set-Cookie


def _error(status: int, code: str, message: str) -> WebResponse:
    return WebResponse(status, {"error": {"code": code, "message": message}})


def xsrf_cookie(model: GatewayModel) -> str:
    """SDK cookie.js: WAC-XSRF on a v2 gateway, XSRF-TOKEN before."""
    return "WAC-XSRF" if model.generation == MODERN else "XSRF-TOKEN"


def _authenticate(model: GatewayModel, request: WebRequest) -> WebResponse | None:
    """None when the caller is authenticated, else the refusal."""
    auth = request.auth or {"kind": "none"}
    if model.generation == CLASSIC_DESKTOP:
        if auth.get("kind") == "certificate" and auth.get("thumbprint") == model.client_certificate:
            return None
        return _error(403, "Forbidden", "You are not authorized to view this page (no Windows Admin Center Client "
                                        "certificate)")
    if model.generation == MODERN and model.login_mode == "FormLogin":
        return _error(401, "Unauthorized", "Windows authentication is not enabled (login mode FormLogin)")
    if auth.get("kind") == "explicit":
        user = str(auth.get("username") or "").rsplit("\\", 1)[-1].split("@", 1)[0].lower()
        if user in model.accounts and model.accounts[user] == auth.get("password"):
            return None
        return _error(401, "Unauthorized", "Logon failure: unknown user name or bad password")
    if auth.get("kind") == "default":
        if request.session is not None and request.session.delegated:
            return None
        return _error(401, "Unauthorized", "No credentials are available in the security package (the logon has "
                                           "no credentials to delegate)")
    return _error(401, "Unauthorized", "Windows authentication required")


def serve(model: GatewayModel, request: WebRequest) -> WebResponse:
    parts = urlsplit(request.url)
    host_ok = parts.hostname in ("localhost", "127.0.0.1", model.fqdn)
    if parts.scheme != "https" or not host_ok or parts.port != model.port or not model.listening():
        raise ConnectionRefused("Unable to connect to the remote server")
    path = parts.path
    method = request.method.upper()
    if path in ("", "/"):
        return WebResponse(200)  # the gateway's start page: what the health check asks for
    with model.lock:
        refusal = _authenticate(model, request)
        if refusal is not None:
            return refusal
        cookie = xsrf_cookie(model)
        if method in WRITES:
            token = {k.lower(): v for k, v in (request.headers or {}).items()}.get(XSRF_HEADER)
            if token != model.xsrf_token:
                return _error(400, "BadRequest", "The antiforgery token could not be validated (X-XSRF-TOKEN)")
        root = model.rest_root
        if not path.startswith(root + "/"):
            return _error(404, "NotFound", f"No route for {method} {path}")
        answer = _route(model, method, path[len(root):], request.body)
        answer.cookies.setdefault(cookie, model.xsrf_token)
        return answer


def _properties(body) -> dict | None:
    props = body.get("properties") if isinstance(body, dict) else None
    return props if isinstance(props, dict) else None


def _route(model: GatewayModel, method: str, sub: str, body) -> WebResponse:
    if method == "GET" and sub == "/appInfo":
        return WebResponse(200, {"properties": dict(model.aad_app or {})})
    parts = sub.strip("/").split("/")
    if method == "PUT" and len(parts) == 3 and parts[0].lower() == "cloudname" and parts[2] == "application":
        return _register(model, unquote(parts[1]), _properties(body))
    if method == "PUT" and sub == "/writeAppInfo":
        props = _properties(body)
        if not props or not props.get("redirectUri"):
            return _error(400, "BadRequest", "redirectUri is required")
        if not model.aad_app:
            return _error(409, "Conflict", "The gateway has no application")
        model.store_app_info(props["redirectUri"], props.get("appObjectId"))
        return WebResponse(200)
    if method == "DELETE" and sub == "/application":
        model.set_registration(None)
        return WebResponse(204)
    return _error(404, "NotFound", f"No route for {method} {model.rest_root}{sub}")


def _register(model: GatewayModel, cloud: str, props: dict | None) -> WebResponse:
    # MIG throws "Unexpected cloud name" for anything else; the stricter side: the gateway refuses it too
    # (UNCONFIRMED: MIG also accepts the ARM names when it converts an old database).
    known = {name.replace(" ", "").lower(): name for name in WAC_CLOUDS}
    canonical = known.get(cloud.replace(" ", "").lower())
    if canonical is None:
        return _error(400, "BadRequest", f"Unexpected cloud name: {cloud}")
    if not props or not props.get("tenant") or not props.get("clientId"):
        return _error(400, "BadRequest", "properties.tenant and properties.clientId are required")
    if model.proxy_pending_restart():
        return _error(502, "BadGateway", "Could not reach Azure: the gateway still uses the proxy settings it "
                                         "started with; restart the gateway")
    if model.proxy_in_use_fails():
        return _error(502, "BadGateway", "Could not reach Azure: the proxy answered 407 (Proxy Authentication "
                                         "Required): the gateway cannot read its proxy credentials")
    model.store_registration(canonical, props["tenant"], props["clientId"])
    return WebResponse(200, {"properties": {"cloudName": canonical}})
