"""What the aiohttp handlers share: the emulator's context (application key) and per-request state."""

from dataclasses import dataclass

from aiohttp import web


@dataclass
class Context:
    tenant: object  # models.Tenant
    tokens: object  # tokens.TokenService
    base_url: str
    msi_secret: str
    device_user_id: str

    @property
    def graph_url(self):
        return f"{self.base_url}/v1.0"

    @property
    def graph_host(self):
        return self.base_url.split("://", 1)[1]


CONTEXT = web.AppKey("wac_fleet_tenant_emulator", Context)
_REQUEST_KEY = getattr(web, "RequestKey", None)  # aiohttp >= 3.13
STATE = _REQUEST_KEY("wac_fleet_request_state", dict) if _REQUEST_KEY else "wac_fleet_request_state"


def ctx(request):
    return request.app[CONTEXT]


def state(request):
    """Per-request facts the log records: client_id, claims, request_id, fault."""
    if STATE not in request:
        request[STATE] = {}
    return request[STATE]
