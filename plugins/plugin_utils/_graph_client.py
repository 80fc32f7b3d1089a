# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small Microsoft Graph client: retries, eventual consistency, paging, error mapping, request counts.

Why its own retry loop rather than urllib3's ``Retry``: the bound here is on total time (``retry_max_seconds``)
rather than on a count, a give-up must say which bound was hit, each attempt must be counted for the reports, and
the eventual-consistency retries depend on the Graph error body, which ``Retry`` does not see.
"""

from __future__ import annotations

import dataclasses
import email.utils
import time
from collections import Counter
from urllib.parse import urlsplit

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError

try:
    import requests
except ImportError:  # reported by the plugins before any use (see _entra_action.missing_libraries)
    requests = None

THROTTLE_STATUSES = frozenset({429, 503, 504})
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0
CONSISTENCY_FIRST = 0.5
CONSISTENCY_CAP = 8.0


class GraphError(WacFleetError):
    """A failed Graph call: HTTP status, Graph error ``code``, message and ``request-id``."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 graph_message: str | None = None, request_id: str | None = None, method: str | None = None,
                 path: str | None = None):
        super().__init__(message, graph_error={"status": status, "code": code, "message": graph_message,
                                               "request_id": request_id, "method": method, "path": path})
        self.status = status
        self.code = code
        self.graph_message = graph_message
        self.request_id = request_id
        self.method = method
        self.path = path


@dataclasses.dataclass
class GraphResponse:
    status: int
    body: dict | None
    headers: dict


@dataclasses.dataclass
class RequestStats:
    total: int = 0
    writes: int = 0
    retries: int = 0
    by_method: Counter = dataclasses.field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"total": self.total, "writes": self.writes, "retries": self.retries,
                "by_method": dict(sorted(self.by_method.items()))}


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def is_consistency_error(status: int, code: str | None, message: str | None) -> bool:
    """The errors Entra returns while a just-created object has not replicated everywhere yet."""
    text = (message or "").lower()
    if status == 404:
        return True
    if status == 400 and "does not reference a valid application object" in text:
        return True
    if status == 403 and "backing application" in text:
        return True
    return status == 409 and ((code or "") == "Error_MsaAppDoesNotExist" or "msaappdoesnotexist" in text)


DUPLICATE_CODE = "Request_MultipleObjectsWithSameKeyValue"


def is_duplicate_error(exc: GraphError) -> bool:
    """A create refused because the object already exists (e.g. written by a concurrent run moments ago).

    Graph answers 409 ``Request_MultipleObjectsWithSameKeyValue`` (oauth2PermissionGrants: "Permission entry
    already exists."); for a duplicate appRoleAssignment it has also been seen to answer 400 "Permission being
    assigned already exists on the object."
    """
    if not isinstance(exc, GraphError):
        return False
    if exc.status == 409 and exc.code == DUPLICATE_CODE:
        return True
    return exc.status == 400 and "already exists on the object" in (exc.graph_message or "").lower()


def _graph_error_fields(response: requests.Response) -> tuple[str | None, str | None, str | None]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    inner = error.get("innerError") or error.get("innererror") or {}
    request_id = (inner.get("request-id") if isinstance(inner, dict) else None) or response.headers.get("request-id")
    message = error.get("message")
    if message is None and response.text:
        message = response.text[:300]
    return error.get("code"), message, request_id


class GraphClient:
    def __init__(self, base_url: str, token_source, session: requests.Session, *, retry_max_seconds: float = 60,
                 consistency_timeout: float = 120, sleep=time.sleep, clock=time.monotonic, log=None):
        self.base_url = base_url.rstrip("/")
        self._origin = urlsplit(self.base_url)[:2]
        self._token_source = token_source
        self._session = session
        self.retry_max_seconds = retry_max_seconds
        self.consistency_timeout = consistency_timeout
        self._sleep = sleep
        self._clock = clock
        self._log = log or (lambda _msg: None)
        self.stats = RequestStats()

    # --- the one request primitive -------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None,
                headers: dict | None = None, consistency_retry: bool = False,
                missing_ok: bool = False) -> GraphResponse | None:
        """Send one Graph call with retries; raise GraphError on failure; None for 404 when ``missing_ok``.

        ``consistency_retry``: also retry the errors of replication lag (after a create) for at most
        ``consistency_timeout`` seconds. Without it a 404 is final.
        """
        method = method.upper()
        url = path if path.startswith("https://") else f"{self.base_url}/{path.lstrip('/')}"
        shown = self._shown_path(url)
        throttled_since = consistency_since = None
        throttle_attempt = consistency_attempt = 0
        while True:
            response = self._send(method, url, params, body, headers, shown)
            status = response.status_code
            if status < 400:
                return GraphResponse(status, self._json(response), dict(response.headers))
            code, message, request_id = _graph_error_fields(response)
            now = self._clock()
            if status in THROTTLE_STATUSES:
                throttled_since = now if throttled_since is None else throttled_since
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is None:
                    wait = min(BACKOFF_FIRST * 2 ** throttle_attempt, BACKOFF_CAP)
                spent = now - throttled_since
                if spent + wait > self.retry_max_seconds:
                    raise self._error(
                        f"gave up after {spent:.1f} s of HTTP {status} throttling (retry_max_seconds="
                        f"{self.retry_max_seconds:g}; the next wait would be {wait:g} s)",
                        status, code, message, request_id, method, shown)
                throttle_attempt += 1
                self._wait(wait, f"HTTP {status} {code or ''}".strip(), method, shown)
                continue
            if consistency_retry and is_consistency_error(status, code, message):
                consistency_since = now if consistency_since is None else consistency_since
                wait = min(CONSISTENCY_FIRST * 2 ** consistency_attempt, CONSISTENCY_CAP)
                spent = now - consistency_since
                if spent + wait > self.consistency_timeout:
                    if status == 404 and missing_ok:
                        return None
                    raise self._error(
                        f"gave up after {spent:.1f} s of eventual-consistency retries (consistency_timeout="
                        f"{self.consistency_timeout:g})", status, code, message, request_id, method, shown)
                consistency_attempt += 1
                self._wait(wait, f"replication lag: HTTP {status} {code or ''}".strip(), method, shown)
                continue
            if status == 404 and missing_ok:
                return None
            raise self._error(None, status, code, message, request_id, method, shown)

    # --- conveniences -------------------------------------------------------------------------------------
    def get(self, path: str, *, params: dict | None = None, missing_ok: bool = False,
            consistency_retry: bool = False, headers: dict | None = None) -> dict | None:
        response = self.request("GET", path, params=params, missing_ok=missing_ok,
                                consistency_retry=consistency_retry, headers=headers)
        return None if response is None else (response.body or {})

    def list(self, path: str, *, params: dict | None = None, headers: dict | None = None,
             consistency_retry: bool = False) -> list:
        """Every item of a collection, following ``@odata.nextLink`` to the end (headers resent on each page).
        ``consistency_retry`` applies to the first page (a collection under an object created moments ago)."""
        items: list = []
        page = self.get(path, params=params, headers=headers, consistency_retry=consistency_retry)
        while True:
            items.extend(page.get("value") or [])
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return items
            if urlsplit(next_link)[:2] != self._origin:
                raise GraphError(f"Graph returned a nextLink to another host ({urlsplit(next_link).netloc}); "
                                 "refusing to send the token there")
            page = self.get(next_link, headers=headers)

    def post(self, path: str, body: dict, **kwargs) -> dict:
        return self.request("POST", path, body=body, **kwargs).body or {}

    def patch(self, path: str, body: dict, **kwargs) -> GraphResponse:
        return self.request("PATCH", path, body=body, **kwargs)

    def delete(self, path: str, **kwargs) -> GraphResponse | None:
        return self.request("DELETE", path, **kwargs)

    # --- internals ----------------------------------------------------------------------------------------
    def _send(self, method, url, params, body, headers, shown) -> requests.Response:
        all_headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token_source.token()}"}
        all_headers.update(headers or {})
        self.stats.total += 1
        self.stats.by_method[method] += 1
        if method in WRITE_METHODS:
            self.stats.writes += 1
        try:
            response = self._session.request(method, url, params=params, json=body, headers=all_headers)
        except requests.exceptions.SSLError:
            raise GraphError(f"Graph {method} {shown}: TLS verification of the Graph host failed (set ca_bundle "
                             "for a private CA)", method=method, path=shown) from None
        except requests.exceptions.RequestException as exc:
            raise GraphError(f"Graph {method} {shown}: cannot reach Graph: {type(exc).__name__}",
                             method=method, path=shown) from None
        self._log(f"Graph {method} {shown} -> {response.status_code}")
        return response

    def _wait(self, seconds: float, why: str, method: str, shown: str) -> None:
        self.stats.retries += 1
        self._log(f"Graph {method} {shown}: {why}; retrying in {seconds:g} s")
        self._sleep(seconds)

    def _shown_path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def _json(response: requests.Response) -> dict | None:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    @staticmethod
    def _error(reason, status, code, message, request_id, method, shown) -> GraphError:
        text = f"Graph {method} {shown} failed: HTTP {status}"
        if code:
            text += f" {code}"
        if message:
            text += f": {message}"
        if reason:
            text += f"; {reason}"
        if request_id:
            text += f" (request-id: {request_id})"
        return GraphError(text, status=status, code=code, graph_message=message, request_id=request_id,
                          method=method, path=shown)
