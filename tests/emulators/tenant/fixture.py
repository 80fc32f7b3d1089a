"""pytest fixtures of the emulated Entra tenant (registered through `pytest_plugins` in tests/conftest.py).

- `entra_tenant` (session): a running emulator; `.endpoints` (the endpoints-file dict), `.model` (models.Tenant),
  `.reset()`, `.requests(method=None, write_only=False, path_prefix="/v1.0")`.
- `tenant` (function): the same object, reset to the seeded state first.
- `graph` (function): Graph of that tenant over real HTTPS as its admin identity (`clients.Graph`).
"""

import pytest

from .clients import Graph
from .runner import TenantServer


@pytest.fixture(scope="session")
def entra_tenant(tmp_path_factory):
    server = TenantServer(tmp_path_factory.mktemp("entra-tenant")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tenant(entra_tenant):
    entra_tenant.reset()
    return entra_tenant


@pytest.fixture
def graph(tenant):
    """Graph of the reset tenant as its admin identity (clients.Graph)."""
    return Graph(tenant.endpoints, "admin")
