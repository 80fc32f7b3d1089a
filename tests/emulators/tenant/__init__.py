"""Emulated Microsoft Entra tenant and Microsoft Graph v1.0 subset (test infrastructure, like moto for AWS).

State lives in `models.Tenant` (no HTTP); `server.py` and the `*_routes.py` modules serve it over HTTPS;
`runner.TenantServer` runs it in a thread; `__main__` is the command line; `fixture` holds the pytest fixtures.
"""
