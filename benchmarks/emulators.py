"""The emulated tenant and fleet as subprocesses (their documented CLIs), and what the benchmark reads back.

:class:`Tenant` reads the Entra/Graph emulator's request log (``<control_url>/requests``) and talks to Graph as the
``admin`` identity to set up and read the app the naive playbook fights over. :class:`FleetControl` reads the
WinRM fleet emulator's per-PC counters (``GET <control_url>/hosts/<name>``: ``scripts``, ``wsman_requests`` and the
model's ``service_starts``) and logs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GRAPH_PREFIX = "/v1.0"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class EmulatorFailed(RuntimeError):
    pass


@dataclass
class Emulator:
    process: subprocess.Popen
    endpoints: dict[str, t.Any]

    @property
    def pid(self) -> int:
        return self.process.pid


def start(stack: ExitStack, module: str, endpoints: Path, log: Path, *args: str, timeout: float = 300,
          env: dict[str, str] | None = None) -> Emulator:
    """Start ``python -m <module> --endpoints-file <endpoints> ...`` (``env`` added to this process's environment);
    stopped (SIGTERM) when ``stack`` closes."""
    endpoints.unlink(missing_ok=True)
    out = stack.enter_context(log.open("w"))
    process = subprocess.Popen([sys.executable, "-m", module, "--endpoints-file", str(endpoints), *args],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def stop() -> None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    deadline = time.monotonic() + timeout
    while not endpoints.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise EmulatorFailed(f"{module} did not start; see {log}")
        time.sleep(0.1)
    return Emulator(process, json.loads(endpoints.read_text()))


class Tenant:
    """Control API and Graph access of the emulated tenant."""

    def __init__(self, endpoints: dict[str, t.Any]) -> None:
        self.endpoints = endpoints
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = endpoints["ca_bundle"]

    @property
    def admin(self) -> dict[str, str]:
        return self.endpoints["identities"]["admin"]

    @property
    def token_url(self) -> str:
        return f"{self.endpoints['authority']}/oauth2/v2.0/token"

    def reset(self) -> None:
        self.session.post(f"{self.endpoints['control_url']}/reset", timeout=30).raise_for_status()

    def log(self) -> list[dict[str, t.Any]]:
        answer = self.session.get(f"{self.endpoints['control_url']}/requests", timeout=60)
        answer.raise_for_status()
        return answer.json()["value"]

    def last_seq(self) -> int:
        entries = self.log()
        return entries[-1]["seq"] if entries else 0

    def log_since(self, seq: int) -> list[dict[str, t.Any]]:
        return [entry for entry in self.log() if entry["seq"] > seq]

    def applications(self) -> list[dict[str, t.Any]]:
        """Every application of the tenant, as Graph shows it (control API ``/state``)."""
        answer = self.session.get(f"{self.endpoints['control_url']}/state", timeout=60)
        answer.raise_for_status()
        return answer.json()["applications"]

    def _graph(self, method: str, path: str, **kwargs) -> requests.Response:
        token = self.session.post(self.token_url, timeout=30, data={
            "grant_type": "client_credentials", "client_id": self.admin["client_id"],
            "client_secret": self.admin["client_secret"], "scope": self.endpoints["graph_scope"],
        })
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        answer = self.session.request(method, f"{self.endpoints['graph_url']}{path}", timeout=30, headers=headers,
                                      **kwargs)
        answer.raise_for_status()
        return answer

    def create_app(self, display_name: str) -> dict[str, t.Any]:
        body = {"displayName": display_name, "spa": {"redirectUris": []}}
        return self._graph("POST", "/applications", json=body).json()

    def get_app(self, object_id: str) -> dict[str, t.Any]:
        return self._graph("GET", f"/applications/{object_id}").json()


class FleetControl:
    """Control API of the emulated fleet (plain HTTP on loopback)."""

    def __init__(self, endpoints: dict[str, t.Any]) -> None:
        self.endpoints = endpoints
        self.url = endpoints["control_url"]
        self.session = requests.Session()
        self.session.trust_env = False
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=8)
        self.session.mount("http://", adapter)

    @property
    def names(self) -> list[str]:
        return [host["name"] for host in self.endpoints["hosts"]]

    def reset(self) -> None:
        self.session.post(f"{self.url}/reset", timeout=120).raise_for_status()

    def set_delay(self, seconds: float) -> None:
        """Hold back every WinRM reply of every PC ``seconds`` (the fleet's ``delay`` fault): network round trip
        and Windows' own time to answer, which the emulator otherwise does not have."""
        def one(name: str) -> None:
            self.session.post(f"{self.url}/hosts/{name}/faults", json={"delay": seconds}, timeout=60).raise_for_status()

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, self.names))

    def host(self, name: str) -> dict[str, t.Any]:
        answer = self.session.get(f"{self.url}/hosts/{name}", timeout=60)
        answer.raise_for_status()
        return answer.json()

    def counters(self) -> dict[str, dict[str, t.Any]]:
        """Per PC: scripts run, WS-Management operations by name, gateway service starts so far."""
        def one(name: str) -> tuple[str, dict[str, t.Any]]:
            state = self.host(name)
            model = state.get("model") or {}
            return name, {"scripts": state["scripts"], "wsman": state["wsman_requests"],
                          "service_starts": model.get("service_starts", 0)}

        with ThreadPoolExecutor(8) as pool:
            return dict(pool.map(one, self.names))

    def log(self, name: str) -> list[dict[str, t.Any]]:
        answer = self.session.get(f"{self.url}/log", params={"host": name}, timeout=60)
        answer.raise_for_status()
        return answer.json()
