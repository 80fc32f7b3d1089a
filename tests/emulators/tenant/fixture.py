"""pytest fixtures of the emulated Entra tenant (registered through `pytest_plugins` in tests/conftest.py).

- `entra_tenant` (session): a running emulator; `.endpoints` (the endpoints-file dict), `.model` (models.Tenant),
  `.reset()`, `.requests(method=None, write_only=False, path_prefix="/v1.0")`.
- `tenant` (function): the same object, reset to the seeded state first.
"""

import pytest

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
