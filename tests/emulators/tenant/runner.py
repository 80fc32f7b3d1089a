"""Run the emulated tenant: HTTPS on loopback in a background thread with its own asyncio loop. Used by the
pytest fixture and by the command line (`python -m tests.emulators.tenant`)."""

import asyncio
import os
import secrets
import socket
import threading

from aiohttp import web

from . import pki
from .models import Tenant
from .seed import seed_identities
from .server import build_app
from .tokens import TokenService
from .wellknown import GRAPH_APP_ID


class TenantServer:
    def __init__(self, state_dir, host="127.0.0.1", port=0, page_size=100, auto_approve_device=False):
        self.state_dir = os.path.abspath(state_dir)
        self.host, self.port = host, port
        self.page_size, self.auto_approve_device = page_size, auto_approve_device
        self.model = None
        self.tokens = None
        self.endpoints = None
        self._loop = None
        self._runner = None
        self._thread = None

    # ---- lifecycle ----------------------------------------------------------------------------------------
    def start(self):
        os.makedirs(self.state_dir, exist_ok=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        base = f"https://{self.host}:{self.port}"

        self.model = Tenant()
        self.model.resource_aliases[base] = GRAPH_APP_ID
        self.model.set_fault_defaults(page_size=self.page_size, auto_approve_device=self.auto_approve_device)
        self.tokens = TokenService(self.model, base)
        identities, device_user_id = seed_identities(self.model, self.tokens, self.state_dir)
        ssl_ctx, ca_path = pki.server_tls(self.state_dir)
        msi_secret = secrets.token_urlsafe(16)
        app = build_app(self.model, self.tokens, base, msi_secret, device_user_id)
        self.endpoints = {
            "authority_host": base, "graph_host": base, "authority": f"{base}/{self.model.tenant_id}",
            "graph_url": f"{base}/v1.0", "graph_scope": f"{base}/.default", "ca_bundle": ca_path,
            "tenant_id": self.model.tenant_id, "tenant_domain": self.model.domain,
            "control_url": f"{base}/_emulator", "identities": identities,
            "managed_identity_endpoint": f"{base}/_msi/token", "managed_identity_header": msi_secret,
            "imds_host": base, "federated_issuer": self.tokens.federated_issuer,
        }

        started = threading.Event()
        failure = []

        def serve():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._runner = web.AppRunner(app, access_log=None)
                self._loop.run_until_complete(self._runner.setup())
                site = web.SockSite(self._runner, sock, ssl_context=ssl_ctx)
                self._loop.run_until_complete(site.start())
            except Exception as exc:  # reported to the starting thread
                failure.append(exc)
                started.set()
                return
            started.set()
            refresher = self._loop.create_task(self._refresh_federated_token())
            self._loop.run_forever()
            refresher.cancel()
            self._loop.run_until_complete(asyncio.gather(refresher, return_exceptions=True))
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="entra-tenant-emulator", daemon=True)
        self._thread.start()
        started.wait(30)
        if failure:
            raise failure[0]
        return self

    async def _refresh_federated_token(self, every=3600):
        """Rewrite the federated token file hourly (it lives 24 h), as a CI system rotates its OIDC token."""
        fed = self.endpoints["identities"]["federated"]
        while True:
            await asyncio.sleep(every)
            pki.write_file(fed["token_file"], self.tokens.federated_token(fed["subject"], lifetime=24 * 3600))

    def stop(self):
        if self._loop and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- helpers for tests ---------------------------------------------------------------------------------
    def reset(self):
        """Back to the seeded state: test identities only, no faults, empty request log."""
        self.model.reset()

    def requests(self, method=None, write_only=False, path_prefix="/v1.0"):
        """Logged requests (Graph only by default; path_prefix=None for all, including token requests)."""
        return self.model.log.entries(method=method, write_only=write_only, path_prefix=path_prefix)
