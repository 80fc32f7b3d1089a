# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chooses the auth method of a task and builds it: a generic dispatcher over the methods of ``_auth_*.py``, each
of which declares its own options, environment fallbacks and checks (``_auth_base.AuthMethod``).

Environment fallbacks (``AZURE_*``, as Azure's own tools read them) are taken from the controller's environment
only for options the task does not set. ``auth_method: auto`` uses the one kind of credential given; the task's
own options win over the environment; two kinds given at the same level is an error that names both. A new method
is one ``_auth_<name>.py`` file, one entry in :data:`METHODS` and its options in the doc fragment ``entra_auth``.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._auth_base import (
    COMMON_ENV,
    AuthError,
    AuthMethod,
    AuthSettings,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_certificate import CertificateAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_client_secret import ClientSecretAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_device_code import DeviceCodeAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_federated import FederatedAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._auth_managed_identity import ManagedIdentityAuth
from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import Cloud
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid, check_tenant

METHODS: dict[str, type[AuthMethod]] = {cls.NAME: cls for cls in (
    ClientSecretAuth, CertificateAuth, FederatedAuth, DeviceCodeAuth, ManagedIdentityAuth)}
AUTH_METHOD_CHOICES = ("auto", *METHODS)

# option -> environment variable read when the task does not set the option
ENV_FALLBACKS = {**COMMON_ENV, **{opt: env for cls in METHODS.values() for opt, env in cls.ENV.items()}}
# kinds of credential `auto` chooses between, by the option that carries each
CREDENTIAL_OPTIONS = {cls.NAME: cls.CREDENTIAL for cls in METHODS.values() if cls.CREDENTIAL}

# The options of the auth part of every entra_* task (the doc fragment wac.fleet.entra_auth documents them).
COMMON_SPEC = {
    "tenant_id": {"type": "str"},
    "client_id": {"type": "str"},
    "auth_method": {"type": "str", "default": "auto", "choices": list(AUTH_METHOD_CHOICES)},
    "token_cache": {"type": "bool", "default": True},
    "token_cache_path": {"type": "path"},
}
ARGUMENT_SPEC = {**COMMON_SPEC, **{opt: dict(rule) for cls in METHODS.values() for opt, rule in cls.OPTIONS.items()}}
OPTIONS = tuple(ARGUMENT_SPEC)


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
    options = ", ".join(CREDENTIAL_OPTIONS.values())
    envs = ", ".join(ENV_FALLBACKS[opt] for opt in CREDENTIAL_OPTIONS.values())
    others = " or ".join(f"auth_method={name}" for name, cls in METHODS.items() if not cls.CREDENTIAL)
    raise AuthError(f"no credentials: set one of {options} (or {envs}), or {others}")


def resolve(options: dict, cloud: Cloud, environ) -> Resolved:
    """Everything local about auth: fallbacks, the method, required IDs and their form. No network."""
    values, sources = apply_env_fallbacks(options, environ)
    method = METHODS[choose_method(values.get("auth_method") or "auto", sources)]
    tenant_id = values.get("tenant_id")
    client_id = values.get("client_id")
    try:
        if method.NEEDS_IDS:
            missing = [opt for opt, val in (("tenant_id", tenant_id), ("client_id", client_id)) if not val]
            if missing:
                envs = ", ".join(ENV_FALLBACKS[m] for m in missing)
                raise AuthError(f"auth_method={method.NAME} needs {' and '.join(missing)} (or {envs})")
        if tenant_id:
            tenant_id = check_tenant(tenant_id, _label("tenant_id", sources))
        if client_id:
            client_id = check_guid(client_id, _label("client_id", sources))
    except InputError as exc:
        raise AuthError(str(exc)) from None
    settings = AuthSettings(
        cloud=cloud, tenant_id=tenant_id, client_id=client_id,
        options={opt: values.get(opt) for opt in method.OPTIONS},
        token_cache=values.get("token_cache", True) is not False,
        token_cache_path=values.get("token_cache_path"),
    )
    return Resolved(method.NAME, settings, sources)


def build(resolved: Resolved, http_session, **extra) -> AuthMethod:
    """The auth method object; its ``validate()`` reads and checks local files (certificate, token file)."""
    return METHODS[resolved.method](resolved.settings, http_session, **extra)
