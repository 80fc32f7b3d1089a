"""Fault injection state and the request log of the emulated tenant (pure state, no HTTP).

Faults apply to Microsoft Graph requests (paths under /v1.0) unless said otherwise; the token endpoint has
its own fault. Every setting can be changed in-process (`tenant.faults.configure(...)`) or through
`POST /_emulator/faults` with the same keys as JSON.
"""

import copy
import threading
import time
from dataclasses import dataclass, field, fields

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class Faults:
    # 429 Too Many Requests with Retry-After on every Nth Graph request (0 = off) ...
    throttle_every: int = 0
    # ... and/or on the next K Graph requests.
    throttle_next: int = 0
    retry_after: int = 1
    # 503 Service Unavailable (with Retry-After when unavailable_retry_after is not None) on the next K requests.
    unavailable_next: int = 0
    unavailable_retry_after: int | None = None
    # Only these methods (e.g. ["PATCH", "POST"]) are faulted; empty = all methods.
    methods: list = field(default_factory=list)
    # Seconds during which a newly created application / service principal / grant / assignment is invisible
    # to reads by key and to writes that depend on it (Entra's eventual consistency).
    replication_delay: float = 0.0
    # Token endpoint: the next K token requests fail with token_error: "server_error" (500),
    # "temporarily_unavailable" (503), "invalid_client" (401) or "throttled" (429 with Retry-After).
    token_errors_next: int = 0
    token_error: str = "server_error"
    # Device code sign-ins are approved as soon as they are started.
    auto_approve_device: bool = False
    # Polling interval (s) the device code endpoint tells clients (Entra says 5; 1 keeps tests quick).
    device_poll_interval: int = 1
    # Page size of Graph collections when the client gives no $top (Graph's default for applications is 100).
    page_size: int = 100
    # In process only (callables): [{"method": "POST", "path": "/v1.0/oauth2PermissionGrants", "nth": 1,
    # "run": callable(tenant)}]: just before the handler serves the nth matching Graph request (counted after the
    # faults above let it through), call run(tenant) once, e.g. to write what a concurrent client would have
    # written between a client's read and its write. The model knows nothing of these.
    before_request: list = field(default_factory=list)
    # Graph writes wait until this many distinct clients (token appid) have sent Graph requests, or hold_timeout
    # seconds (0 = off). Test scaffolding, not a Microsoft behaviour: it makes two runs started together read
    # before either writes, so a race test always races however the machine schedules their start.
    hold_writes_for_clients: int = 0
    hold_timeout: float = 60.0
    _counter: int = 0
    _clients: set = field(default_factory=set)

    def configure(self, **settings):
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = set(settings) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        if "before_request" in settings:
            settings["before_request"] = [_request_hook(h) for h in settings["before_request"] or []]
        for key, value in settings.items():
            setattr(self, key, value)

    def as_dict(self):
        shown = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
                 if not f.name.startswith("_") and f.name != "before_request"}
        shown["before_request"] = [{**{k: v for k, v in h.items() if k != "run"},
                                    "run": getattr(h["run"], "__name__", repr(h["run"]))}
                                   for h in self.before_request]
        return shown

    def note_client(self, client_id):
        self._clients.add(client_id)

    def write_held(self, method):
        """True while a write of this method must wait for hold_writes_for_clients distinct clients."""
        return method in WRITE_METHODS and len(self._clients) < self.hold_writes_for_clients

    def request_hooks(self, method, path):
        """The before_request callables due for this Graph request (each fires once, at its nth match)."""
        due = []
        for hook in self.before_request:
            if hook["method"] == method and hook["path"] == path and not hook["fired"]:
                hook["seen"] += 1
                if hook["seen"] == hook["nth"]:
                    hook["fired"] = True
                    due.append(hook["run"])
        return due

    def graph_fault(self, method):
        """Return (status, retry_after or None) of the fault this Graph request meets, or None."""
        if self.methods and method not in self.methods:
            return None
        self._counter += 1
        if self.unavailable_next > 0:
            self.unavailable_next -= 1
            return 503, self.unavailable_retry_after
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return 429, self.retry_after
        if self.throttle_every and self._counter % self.throttle_every == 0:
            return 429, self.retry_after
        return None

    def token_fault(self):
        if self.token_errors_next > 0:
            self.token_errors_next -= 1
            return self.token_error
        return None


def _request_hook(hook):
    if not isinstance(hook, dict) or not callable(hook.get("run")) or not isinstance(hook.get("path"), str) \
            or set(hook) - {"method", "path", "nth", "run"}:
        raise ValueError("before_request entries are {method, path, nth, run: callable(tenant)} (in process only)")
    nth = hook.get("nth", 1)
    if not isinstance(nth, int) or nth < 1:
        raise ValueError("before_request nth must be a positive integer")
    return {"method": str(hook.get("method", "POST")).upper(), "path": hook["path"], "nth": nth,
            "run": hook["run"], "seen": 0, "fired": False}


class RequestLog:
    """Every request the emulator served (control API excluded): method, path, query, status, caller."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, **entry):
        with self._lock:
            entry.setdefault("time", time.time())
            entry["seq"] = len(self._entries) + 1
            self._entries.append(entry)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def entries(self, method=None, write_only=False, path_prefix=None):
        with self._lock:
            out = list(self._entries)
        if method:
            out = [e for e in out if e["method"] == method.upper()]
        if write_only:
            out = [e for e in out if e["method"] in WRITE_METHODS]
        if path_prefix:
            out = [e for e in out if e["path"].startswith(path_prefix)]
        return out
