# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every auth method shares: its settings, its error type, and the MSAL plumbing."""

from __future__ import annotations

import dataclasses
import time

from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import Cloud
from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError


class AuthError(WacFleetError):
    """Authentication failed or cannot start; the message never holds a secret or a token."""


# The IDs every method but managed identity needs, and where Azure's own tools read them from the environment.
COMMON_ENV = {"tenant_id": "AZURE_TENANT_ID", "client_id": "AZURE_CLIENT_ID"}


@dataclasses.dataclass(frozen=True)
class AuthSettings:
    """The resolved auth options of a task (after environment fallbacks): the IDs every method shares, and the
    method's own options (``AuthMethod.OPTIONS``) in ``options``."""

    cloud: Cloud
    tenant_id: str | None = None
    client_id: str | None = None
    options: dict = dataclasses.field(default_factory=dict, repr=False)  # may hold a secret
    token_cache: bool = True
    token_cache_path: str | None = None

    def option(self, name: str):
        return self.options.get(name)


class AuthMethod:
    """One auth method, declared by the class itself (as community.hashi_vault's ``_auth_method_*.py``):

    - ``NAME``: the value of ``auth_method``;
    - ``OPTIONS``: its own task options and their argument spec (besides tenant_id and client_id);
    - ``ENV``: option -> environment variable read when the task does not set the option;
    - ``CREDENTIAL``: the option whose presence makes ``auth_method: auto`` choose this method (None: never);
    - ``NEEDS_IDS``: whether tenant_id and client_id are required.

    ``__init__`` runs ``validate()``, which checks everything local (files, keys, IDs) and makes no network call;
    ``token()`` returns a Graph access token (MSAL's in-memory cache first)."""

    NAME = ""
    OPTIONS: dict = {}
    ENV: dict = {}
    CREDENTIAL: str | None = None
    NEEDS_IDS = True

    def __init__(self, settings: AuthSettings, http_session):
        self.settings = settings
        self.http_session = http_session
        self._app = None
        self.validate()

    def validate(self) -> None:
        """Raise AuthError naming the option when the method cannot start."""
        if self.CREDENTIAL and not self.settings.option(self.CREDENTIAL):
            env = f" (or {self.ENV[self.CREDENTIAL]})" if self.CREDENTIAL in self.ENV else ""
            raise AuthError(f"auth_method={self.NAME} needs {self.CREDENTIAL}{env}")

    def token(self) -> str:
        raise NotImplementedError

    def _msal_authority_kwargs(self) -> dict:
        cloud = self.settings.cloud
        kwargs = {"authority": cloud.authority(self.settings.tenant_id), "http_client": self.http_session}
        if cloud.is_custom:
            # A private authority is not in Microsoft's instance-discovery list: trust the configured host.
            kwargs["instance_discovery"] = False
        return kwargs


class ConfidentialClientMethod(AuthMethod):
    """A method that signs the app itself in (client credentials flow): only ``client_credential()`` differs, the
    MSAL ``client_credential`` argument (a secret, a certificate dict, or a client assertion callable)."""

    WHAT = "sign-in"

    def client_credential(self):
        raise NotImplementedError

    def token(self) -> str:
        import msal

        if self._app is None:
            credential = self.client_credential()
            self._app = msal_call(lambda: msal.ConfidentialClientApplication(
                self.settings.client_id, client_credential=credential, **self._msal_authority_kwargs()), self.WHAT)
        scopes = [self.settings.cloud.graph_scope]
        result = msal_call(lambda: self._app.acquire_token_for_client(scopes), self.WHAT)
        return access_token_from(result, self.WHAT)


def access_token_from(result, what: str) -> str:
    """The token out of an MSAL result dict, or an AuthError with MSAL's error and description."""
    if isinstance(result, dict) and result.get("access_token"):
        return result["access_token"]
    if not isinstance(result, dict):
        raise AuthError(f"{what}: no token returned")
    error = result.get("error") or "unknown_error"
    description = (result.get("error_description") or "").strip().splitlines()
    detail = f": {description[0]}" if description else ""
    raise AuthError(f"{what} failed: {error}{detail}")


# Transient answers of the token endpoint (HTTP 5xx, 429): retried for at most this long. MSAL holds such an answer
# for 5 s (or its Retry-After) and replays it, so each retry waits at least that long.
TOKEN_RETRY_SECONDS = 20.0
TOKEN_RETRY_WAIT = 5.0
TRANSIENT_TOKEN_ERRORS = ("temporarily_unavailable", "server_error", "service_unavailable")


def msal_call(func, what: str, *, retry_seconds: float = TOKEN_RETRY_SECONDS, clock=time.monotonic,
              sleep=time.sleep):
    """Run an MSAL call, turning transport and configuration errors into an AuthError; transient errors of the
    token endpoint are retried for at most ``retry_seconds``, then fail naming that bound."""
    started = clock()
    while True:
        result = _msal_call_once(func, what)
        transient = _transient_error(result)
        if transient is None:
            return result
        spent = clock() - started
        if spent + TOKEN_RETRY_WAIT > retry_seconds:
            raise AuthError(f"{what}: the sign-in service kept answering {transient} for {spent:.0f} s; gave up "
                            f"(token requests are retried for at most {retry_seconds:g} s)")
        sleep(TOKEN_RETRY_WAIT)


class _Transient:
    def __init__(self, text: str):
        self.text = text


def _transient_error(result) -> str | None:
    if isinstance(result, _Transient):
        return result.text
    if isinstance(result, dict) and result.get("error") in TRANSIENT_TOKEN_ERRORS:
        return str(result["error"])
    return None


def _msal_call_once(func, what: str):
    import requests
    from msal.exceptions import MsalServiceError

    try:
        return func()
    except AuthError:
        raise
    except MsalServiceError as exc:  # MSAL raises "HTTP Error: <status>" for a 5xx of the token or discovery endpoint
        status = str(exc).rpartition("HTTP Error: ")[2][:3]
        if status.isdigit() and (int(status) >= 500 or int(status) == 429):
            return _Transient(_first_line(exc))
        raise AuthError(f"{what}: {_first_line(exc)}") from None
    except requests.exceptions.SSLError as exc:
        raise AuthError(f"{what}: TLS verification of the authority failed (set ca_bundle for a private CA): "
                        f"{type(exc).__name__}") from None
    except requests.exceptions.RequestException as exc:
        raise AuthError(f"{what}: cannot reach the authority: {type(exc).__name__}: {_first_line(exc)}") from None
    except ValueError as exc:
        if str(exc).startswith("Unable to get authority configuration"):  # MSAL: the authority has no such tenant
            raise AuthError(f"{what}: the authority does not know this tenant_id (check tenant_id and the cloud or "
                            f"authority_host): {_first_line(exc)}") from None
        raise AuthError(f"{what}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
