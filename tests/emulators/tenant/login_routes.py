"""The Microsoft identity platform side of the emulator (aiohttp handlers): OIDC discovery, JWKS, the v2.0
token and device code endpoints, managed identity endpoints, and the stand-in external OIDC issuer.

Managed identity, two protocols (msal.ManagedIdentityClient picks one from environment variables):
- App Service: IDENTITY_ENDPOINT=<base>/_msi/token and IDENTITY_HEADER=<managed_identity_header>;
- IMDS (VM): AZURE_POD_IDENTITY_AUTHORITY_HOST=<base> (msal appends /metadata/identity/oauth2/token).
"""

import time
import uuid

from aiohttp import web

from .context import ctx, state
from .errors import TokenError
from .shapes import now_iso
from .tokens import ASSERTION_TYPE, TOKEN_LIFETIME
from .wellknown import GRAPH_APP_ID

OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _tenant_ok(request):
    tenant = ctx(request).tenant
    name = request.match_info["tenant"]
    if name not in (tenant.tenant_id, tenant.domain, "common", "organizations"):
        raise TokenError(400, "invalid_request", 90002,
                         f"Tenant '{name}' not found. Check to make sure you have the correct tenant ID and are "
                         "signing into the correct cloud.")
    return name


def token_error_response(request, err):
    trace, corr = str(uuid.uuid4()), request.headers.get("client-request-id") or str(uuid.uuid4())
    stamp = now_iso()
    body = {"error": err.error, "error_codes": [err.aadsts], "timestamp": stamp, "trace_id": trace,
            "correlation_id": corr,
            "error_description": f"AADSTS{err.aadsts}: {err.description} Trace ID: {trace} Correlation ID: {corr} "
                                 f"Timestamp: {stamp}",
            "error_uri": f"{ctx(request).base_url}/error?code={err.aadsts}"}
    return web.json_response(body, status=err.status, headers=err.headers)


async def openid_configuration(request):
    try:
        name = _tenant_ok(request)
    except TokenError as err:
        err.error = "invalid_tenant"
        return token_error_response(request, err)
    base, tenant = ctx(request).base_url, ctx(request).tenant
    issuer_tenant = "{tenantid}" if name in ("common", "organizations") else tenant.tenant_id
    return web.json_response({
        "token_endpoint": f"{base}/{name}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/{name}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/{issuer_tenant}/v2.0", "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "authorization_endpoint": f"{base}/{name}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/{name}/oauth2/v2.0/devicecode",
        "http_logout_supported": True, "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/{name}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver",
                             "oid"],
        "tenant_region_scope": "EU", "cloud_instance_name": "emulated.invalid", "cloud_graph_host_name":
            ctx(request).graph_host, "msgraph_host": ctx(request).graph_host,
    })


async def jwks(request):
    return web.json_response(ctx(request).tokens.jwks())


async def authorize(request):
    return web.Response(status=400, text="Interactive sign-in is not emulated; use the device code flow.")


async def device_login_page(request):
    return web.Response(content_type="text/html", text=(
        "<html><body><h1>Emulated device sign-in</h1><p>Approve a code with "
        "<code>POST /_emulator/device/approve {\"user_code\": \"...\"}</code>.</p></body></html>"))


def _split_scopes(raw, need_default):
    """(resource, permission names) of a scope string; OIDC scopes ignored. TokenError when invalid."""
    scopes = [s for s in (raw or "").split() if s not in OIDC_SCOPES]
    resources, names = set(), []
    for scope in scopes:
        resource, _sep, name = scope.rpartition("/")
        if not resource:  # a bare permission such as "User.Read" means Microsoft Graph
            resource, name = GRAPH_APP_ID, scope
        resources.add(resource)
        names.append(name)
    if len(resources) != 1 or (need_default and names != [".default"]):
        desc = (f"The provided value for scope {raw} is not valid. Client credential flows must have a scope value "
                "with /.default suffixed to the resource identifier (application ID URI)." if need_default else
                f"The provided value for the input parameter 'scope' is not valid. The scope {raw} is not valid.")
        raise TokenError(400, "invalid_scope", 1002012 if need_default else 70011, desc)
    return resources.pop(), names


def _resource_sp(request, resource):
    tenant = ctx(request).tenant
    sp = tenant.resource_service_principal(resource)
    if sp is None:
        raise TokenError(400, "invalid_resource", 500011,
                         f"The resource principal named {resource} was not found in the tenant named "
                         f"{tenant.tenant_id}. This can happen if the application has not been installed by the "
                         "administrator of the tenant or consented to by any user in the tenant.")
    return sp


def _client(request, form):
    tenant = ctx(request).tenant
    client_id = form.get("client_id")
    app = tenant.find_client(client_id) if client_id else None
    if app is None:
        raise TokenError(400, "unauthorized_client", 700016,
                         f"Application with identifier '{client_id}' was not found in the directory "
                         f"'{tenant.tenant_id}'. This can happen if the application has not been installed by the "
                         "administrator of the tenant or consented to by any user in the tenant.")
    state(request)["client_id"] = client_id
    sp = tenant.service_principal_of_app(client_id)
    if sp is None:
        raise TokenError(400, "invalid_client", 7000229,
                         f"The client application {client_id} is missing service principal in the tenant "
                         f"{tenant.tenant_id}.")
    return app, sp


def _authenticate_confidential(request, form, app):
    secret, assertion = form.get("client_secret"), form.get("client_assertion")
    if secret is None and assertion is None:
        raise TokenError(401, "invalid_client", 7000218,
                         "The request body must contain the following parameter: 'client_assertion' or "
                         "'client_secret'.")
    if secret is not None:
        if secret not in app.secrets:
            raise TokenError(401, "invalid_client", 7000215,
                             f"Invalid client secret provided. Ensure the secret being sent in the request is the "
                             f"client secret value, not the client secret ID, for a secret added to app "
                             f"'{app.props['appId']}'.")
        return
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenError(400, "invalid_request", 900144,
                         "The request body must contain the following parameter: 'client_assertion_type'.")
    name, base, tid = request.match_info["tenant"], ctx(request).base_url, ctx(request).tenant.tenant_id
    urls = sorted({f"{base}/{t}/oauth2/v2.0/token" for t in (name, tid)})
    ctx(request).tokens.check_client_assertion(app, assertion, urls)


def _token_response(body):
    return web.json_response({"token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                              "ext_expires_in": TOKEN_LIFETIME, **body},
                             headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})


def _user_tokens(request, form, app, sp, user_id, raw_scope):
    tenant, tokens = ctx(request).tenant, ctx(request).tokens
    resource, names = _split_scopes(raw_scope or f"{GRAPH_APP_ID}/.default", need_default=False)
    resource_sp = _resource_sp(request, resource)
    consented = tenant.consented_scopes(sp, resource_sp, user_id)
    missing = [n for n in names if n != ".default" and n not in consented]
    if missing:
        raise TokenError(400, "invalid_grant", 65001,
                         f"The user or administrator has not consented to use the application with ID "
                         f"'{app.props['appId']}' named '{app.props['displayName']}'. Send an interactive "
                         "authorization request for this user and resource.")
    user = tenant.users[user_id]
    prefix = resource.rstrip("/")
    body = {"scope": " ".join(f"{prefix}/{s}" for s in sorted(consented)),
            "access_token": tokens.access_token(app.props["appId"], sp.id, prefix, scopes=consented, user=user)}
    requested = set((raw_scope or "").split())
    if "openid" in requested:
        body["id_token"] = tokens.id_token(app.props["appId"], user)
    if form.get("client_info") == "1":
        body["client_info"] = tokens.client_info(user)
    if "offline_access" in requested:
        body["refresh_token"] = tenant.sessions.new_refresh_token(app.props["appId"], user_id)
    return _token_response(body)


async def token(request):
    tenant = ctx(request).tenant
    form = await request.post()
    state(request)["client_id"] = form.get("client_id")
    try:
        _tenant_ok(request)
        fault = tenant.faults.token_fault()
        if fault:
            raise _token_fault(fault, tenant.faults.retry_after)
        grant = form.get("grant_type")
        if grant == "client_credentials":
            app, sp = _client(request, form)
            _authenticate_confidential(request, form, app)
            resource, _names = _split_scopes(form.get("scope"), need_default=True)
            resource_sp = _resource_sp(request, resource)
            roles = tenant.app_roles(sp, resource_sp)
            return _token_response({"access_token": ctx(request).tokens.access_token(
                app.props["appId"], sp.id, resource.rstrip("/"), roles=roles)})
        if grant == DEVICE_GRANT:
            app, sp = _client(request, form)
            flow, status = tenant.sessions.redeem_device_code(form.get("device_code", ""))
            if status == "unknown" or flow["client_id"] != app.props["appId"]:
                raise TokenError(400, "invalid_grant", 70000, "The provided value for the input parameter "
                                 "'device_code' is not valid.")
            if status == "expired":
                raise TokenError(400, "expired_token", 70020, "The provided value for the input parameter "
                                 "'device_code' is expired.")
            if status == "declined":
                raise TokenError(400, "authorization_declined", 70000, "The user declined the sign-in.")
            if status == "pending":
                raise TokenError(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. "
                                 "Authorization is pending. Continue polling.")
            return _user_tokens(request, form, app, sp, flow["user_id"], " ".join(flow["scopes"]))
        if grant == "refresh_token":
            app, sp = _client(request, form)
            session = tenant.sessions.redeem_refresh_token(form.get("refresh_token", ""))
            if session is None or session["client_id"] != app.props["appId"]:
                raise TokenError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or "
                                 "invalid: the refresh token is not valid.")
            return _user_tokens(request, form, app, sp, session["user_id"], form.get("scope"))
        raise TokenError(400, "unsupported_grant_type", 70003,
                         f"The app requested an unsupported grant type '{grant}'.")
    except TokenError as err:
        return token_error_response(request, err)


def _token_fault(kind, retry_after):
    if kind == "throttled":
        return TokenError(429, "temporarily_unavailable", 50196, "The server terminated an operation because it "
                          "encountered a client request loop.", headers={"Retry-After": str(retry_after)})
    if kind == "temporarily_unavailable":
        return TokenError(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
    if kind == "invalid_client":
        return TokenError(401, "invalid_client", 7000215, "Invalid client secret provided.")
    return TokenError(500, "server_error", 90033, "A transient error has occurred. Please try again.")


async def devicecode(request):
    tenant = ctx(request).tenant
    form = await request.post()
    state(request)["client_id"] = form.get("client_id")
    try:
        _tenant_ok(request)
        app, _sp = _client(request, form)
        if not app.props.get("isFallbackPublicClient"):
            raise TokenError(400, "invalid_client", 7000218,
                             "The request body must contain the following parameter: 'client_assertion' or "
                             "'client_secret'.")
        _split_scopes(form.get("scope") or f"{GRAPH_APP_ID}/.default", need_default=False)
        auto = tenant.faults.auto_approve_device and ctx(request).device_user_id
        flow = tenant.sessions.start_device_flow(app.props["appId"], (form.get("scope") or "").split(), auto)
    except TokenError as err:
        return token_error_response(request, err)
    uri = f"{ctx(request).base_url}/devicelogin"
    return web.json_response({
        "user_code": flow["user_code"], "device_code": flow["device_code"], "verification_uri": uri,
        "expires_in": int(flow["expires_at"] - time.time()), "interval": tenant.faults.device_poll_interval,
        "message": f"To sign in, use a web browser to open the page {uri} and enter the code {flow['user_code']} "
                   "to authenticate."})


def _managed_identity(request, client_id):
    tenant = ctx(request).tenant
    managed = [i for i in tenant.identities.values() if i.managed]
    ident = next((i for i in managed if i.app_id == client_id), None) if client_id else (managed or [None])[0]
    return ident


async def msi_app_service(request):
    """App Service / Functions managed identity endpoint (api-version 2019-08-01)."""
    if request.headers.get("X-IDENTITY-HEADER") != ctx(request).msi_secret:
        return web.json_response({"statusCode": 401, "message": "Unauthorized request."}, status=401)
    return _msi_token(request, app_service=True)


async def msi_imds(request):
    """Azure VM Instance Metadata Service managed identity endpoint (api-version 2018-02-01)."""
    if request.headers.get("Metadata") != "true":
        return web.json_response({"error": "invalid_request",
                                  "error_description": "Required metadata header not specified"}, status=400)
    return _msi_token(request, app_service=False)


def _msi_token(request, app_service):
    tenant, q = ctx(request).tenant, request.query
    ident = _managed_identity(request, q.get("client_id"))
    resource = (q.get("resource") or "").rstrip("/")
    sp = tenant.resource_service_principal(resource) if resource else None
    if ident is None or sp is None:
        message = "No managed identity found for the request." if ident is None else \
            f"AADSTS500011: The resource principal named {resource} was not found in the tenant."
        if app_service:
            return web.json_response({"statusCode": 400, "message": message}, status=400)
        return web.json_response({"error": "invalid_request", "error_description": message}, status=400)
    state(request)["client_id"] = ident.app_id
    client_sp = tenant.get_service_principal("id", ident.sp_object_id)
    token = ctx(request).tokens.access_token(ident.app_id, ident.sp_object_id, resource,
                                             roles=tenant.app_roles(client_sp, sp))
    now = int(time.time())
    body = {"access_token": token, "expires_on": str(now + TOKEN_LIFETIME), "resource": q.get("resource"),
            "token_type": "Bearer", "client_id": ident.app_id}
    if not app_service:
        body.update(expires_in=str(TOKEN_LIFETIME), ext_expires_in=str(TOKEN_LIFETIME), not_before=str(now))
    return web.json_response(body)


async def issuer_configuration(request):
    tokens = ctx(request).tokens
    return web.json_response({"issuer": tokens.federated_issuer, "jwks_uri": f"{tokens.federated_issuer}/keys",
                              "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                              "id_token_signing_alg_values_supported": ["RS256"]})


async def issuer_keys(request):
    return web.json_response(ctx(request).tokens.federated_issuer_jwks())


def add_routes(app):
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", jwks)
    app.router.add_get("/{tenant}/oauth2/v2.0/authorize", authorize)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_post("/{tenant}/oauth2/v2.0/devicecode", devicecode)
    app.router.add_get("/devicelogin", device_login_page)
    app.router.add_get("/_msi/token", msi_app_service)
    app.router.add_get("/metadata/identity/oauth2/token", msi_imds)
    app.router.add_get("/_issuer/.well-known/openid-configuration", issuer_configuration)
    app.router.add_get("/_issuer/keys", issuer_keys)
