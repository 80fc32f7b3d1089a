# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chooses the auth method of a task and builds it (the dispatcher over ``_auth_*.py``).

Environment fallbacks (``AZURE_*``, as Azure's own tools read them) are taken from the controller's environment
only for options the task does not set. ``auth_method: auto`` uses the one kind of credential given; the task's
own options win over the environment; two kinds given at the same level is an error that names both.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import AuthError, AuthSettings, TokenSource
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_certificate import CertificateAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_client_secret import ClientSecretAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_device_code import DeviceCodeAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_federated import FederatedAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_managed_identity import ManagedIdentityAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import Cloud
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, check_tenant

METHODS = {cls.name: cls for cls in (ClientSecretAuth, CertificateAuth, FederatedAuth, DeviceCodeAuth,
                                     ManagedIdentityAuth)}
AUTH_METHOD_CHOICES = ("auto", *METHODS)

# option -> environment variable read when the task does not set the option
ENV_FALLBACKS = {
    "tenant_id": "AZURE_TENANT_ID",
    "client_id": "AZURE_CLIENT_ID",
    "client_secret": "AZURE_CLIENT_SECRET",
    "certificate_path": "AZURE_CLIENT_CERTIFICATE_PATH",
    "certificate_password": "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "federated_token_file": "AZURE_FEDERATED_TOKEN_FILE",
}

# kinds of credential `auto` chooses between, by the option that carries each
CREDENTIAL_OPTIONS = {"client_secret": "client_secret", "certificate": "certificate_path",
                      "federated": "federated_token_file"}


@dataclasses.dataclass(frozen=True)
class Resolved:
    method: str
    settings: AuthSettings
    sources: dict  # option -> "task" or the environment variable it came from


def apply_env_fallbacks(options: dict, environ) -> tuple[dict, dict]:
    values = dict(options)
    sources = {name: "task" for name, value in options.items() if value not in (None, "")}
    for option, variable in ENV_FALLBACKS.items():
        if values.get(option) in (None, "") and environ.get(variable):
            values[option] = environ[variable]
            sources[option] = variable
    return values, sources


def _label(option: str, sources: dict) -> str:
    source = sources.get(option)
    return option if source == "task" else f"{option} (from {source})"


def choose_method(auth_method: str, sources: dict) -> str:
    if auth_method not in AUTH_METHOD_CHOICES:
        raise AuthError(f"auth_method must be one of {', '.join(AUTH_METHOD_CHOICES)}, got {auth_method!r}")
    in_task = [kind for kind, opt in CREDENTIAL_OPTIONS.items() if sources.get(opt) == "task"]
    in_env = [kind for kind, opt in CREDENTIAL_OPTIONS.items() if sources.get(opt) not in (None, "task")]
    if auth_method != "auto":
        others = [kind for kind in in_task if kind != auth_method]
        if others:
            names = ", ".join(CREDENTIAL_OPTIONS[k] for k in others)
            raise AuthError(f"auth_method={auth_method} but the task also sets {names}: give one kind of "
                            "credential only")
        return auth_method
    for given in (in_task, in_env):
        if len(given) > 1:
            names = " and ".join(_label(CREDENTIAL_OPTIONS[k], sources) for k in given)
            raise AuthError(f"two kinds of credential given: {names}; give one, or choose with auth_method")
        if given:
            return given[0]
    raise AuthError("no credentials: set client_secret, certificate_path or federated_token_file (or "
                    "AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE), or "
                    "auth_method=device_code or auth_method=managed_identity")


def resolve(options: dict, cloud: Cloud, environ) -> Resolved:
    """Everything local about auth: fallbacks, the method, required IDs and their form. No network."""
    values, sources = apply_env_fallbacks(options, environ)
    method = choose_method(values.get("auth_method") or "auto", sources)
    tenant_id = values.get("tenant_id")
    client_id = values.get("client_id")
    try:
        if method != "managed_identity":
            missing = [opt for opt, val in (("tenant_id", tenant_id), ("client_id", client_id)) if not val]
            if missing:
                envs = ", ".join(ENV_FALLBACKS[m] for m in missing)
                raise AuthError(f"auth_method={method} needs {' and '.join(missing)} (or {envs})")
        if tenant_id:
            tenant_id = check_tenant(tenant_id, _label("tenant_id", sources))
        if client_id:
            client_id = check_guid(client_id, _label("client_id", sources))
    except InputError as exc:
        raise AuthError(str(exc)) from None
    settings = AuthSettings(
        cloud=cloud,
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=values.get("client_secret") if method == "client_secret" else None,
        certificate_path=values.get("certificate_path") if method == "certificate" else None,
        certificate_password=values.get("certificate_password") if method == "certificate" else None,
        federated_token_file=values.get("federated_token_file") if method == "federated" else None,
        managed_identity_client_id=values.get("managed_identity_client_id"),
        token_cache=values.get("token_cache", True) is not False,
        token_cache_path=values.get("token_cache_path"),
    )
    return Resolved(method, settings, sources)


def build(resolved: Resolved, http_session, **extra) -> TokenSource:
    """The auth method object; its constructor reads and checks local files (certificate, token file)."""
    return METHODS[resolved.method](resolved.settings, http_session, **extra)
