# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The part every ``entra_*`` action plugin shares: the auth options, cloud, auth, Graph client, permissions.

The plugins run on the controller only: they never open the host's connection (so ``hosts: localhost`` and
``run_once`` on Windows hosts both work) and every check of the input happens before the first network call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os

from ansible.errors import AnsibleActionFail
from ansible.utils.display import Display

from ansible_collections.wac.fleet.plugins.plugin_utils import _authenticator
from ansible_collections.wac.fleet.plugins.plugin_utils._action import WacFleetActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._clouds import CLOUD_NAMES, Cloud, resolve_cloud
from ansible_collections.wac.fleet.plugins.plugin_utils._graph_client import GraphClient, GraphError
from ansible_collections.wac.fleet.plugins.plugin_utils._http import CountingSession, check_ca_bundle
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError

display = Display()

# Mirrors plugins/doc_fragments/entra_auth.py (a unit test keeps the two equal). The auth options come from the
# auth methods themselves (_authenticator.ARGUMENT_SPEC).
AUTH_ARGUMENT_SPEC = {
    "cloud": {"type": "str", "default": "AzureCloud", "choices": list(CLOUD_NAMES)},
    "authority_host": {"type": "str"},
    "graph_host": {"type": "str"},
    "ca_bundle": {"type": "path"},
    **_authenticator.ARGUMENT_SPEC,
    "request_timeout": {"type": "float", "default": 30},
    "retry_max_seconds": {"type": "float", "default": 60},
    "consistency_timeout": {"type": "float", "default": 120},
}

# Graph permission a 403 most likely means is missing, by the kind of call
PERMISSION_READ_APPS = "Application.Read.All"
PERMISSION_WRITE_APPS = "Application.ReadWrite.All"
PERMISSION_GRANTS = "DelegatedPermissionGrant.ReadWrite.All"
PERMISSION_APP_ROLES = "AppRoleAssignment.ReadWrite.All"


def missing_libraries() -> list[str]:
    """Controller-side libraries the entra plugins need that are not installed."""
    return [name for name in ("requests", "msal", "cryptography") if importlib.util.find_spec(name) is None]


@dataclasses.dataclass
class Context:
    """What a plugin's ``act`` gets besides its arguments."""

    client: GraphClient
    cloud: Cloud
    tenant_id: str | None
    check_mode: bool
    diff: bool


class MissingPermissionError(GraphError):
    """A 403 refined with the Graph permission the caller most likely lacks."""


@contextlib.contextmanager
def needs_permission(permission: str, doing: str):
    """Turn a 403 Authorization_RequestDenied inside the block into an error naming the Graph permission."""
    try:
        yield
    except GraphError as exc:
        if exc.status != 403 or exc.code not in (None, "Authorization_RequestDenied", "Forbidden"):
            raise
        raise MissingPermissionError(
            f"the caller may not {doing}: it lacks the Microsoft Graph permission {permission} (or an Entra role "
            f"that includes it). Graph said: {exc.code}: {exc.graph_message}"
            + (f" (request-id: {exc.request_id})" if exc.request_id else ""),
            status=exc.status, code=exc.code, graph_message=exc.graph_message, request_id=exc.request_id,
            method=exc.method, path=exc.path) from None


class EntraActionBase(WacFleetActionBase):
    """The Entra side of the action contract (``_action.py``): ``context`` resolves the cloud, the auth method and
    the Graph client; every result carries ``graph_requests``."""

    _requires_connection = False

    @classmethod
    def argument_spec(cls) -> dict:
        return {**AUTH_ARGUMENT_SPEC, **cls.ARGUMENT_SPEC}

    def run(self, tmp=None, task_vars=None):
        missing = missing_libraries()
        if missing:
            raise AnsibleActionFail(f"{self._task.action} needs the Python libraries {', '.join(missing)} on the "
                                    "controller (pip install -r requirements.txt of the collection wac.fleet)")
        self._client = self._auth_session = None
        return super().run(tmp, task_vars)

    def check_shared(self, args: dict) -> dict:
        for option in ("request_timeout", "retry_max_seconds", "consistency_timeout"):
            if args[option] <= 0:
                raise InputError(f"{option} must be a positive number of seconds, got {args[option]:g}")
        return args

    def context(self, args: dict, task_vars: dict) -> Context:
        cloud = resolve_cloud(args["cloud"], args.get("authority_host"), args.get("graph_host"))
        verify = check_ca_bundle(args.get("ca_bundle"))
        resolved = _authenticator.resolve({k: args.get(k) for k in _authenticator.OPTIONS}, cloud, os.environ)
        self._auth_session = CountingSession(verify, args["request_timeout"])
        token_source = _authenticator.build(resolved, self._auth_session)
        self._client = GraphClient(cloud.graph_url, token_source, CountingSession(verify, args["request_timeout"]),
                                   retry_max_seconds=args["retry_max_seconds"],
                                   consistency_timeout=args["consistency_timeout"], log=display.vvvv)
        display.vvv(f"wac.fleet: {self._task.action}: cloud {cloud.name}, auth_method {resolved.method}")
        return Context(self._client, cloud, resolved.settings.tenant_id, bool(self._task.check_mode),
                       bool(self._task.diff))

    def finish(self, result: dict) -> None:
        client, auth_session = self._client, self._auth_session
        stats = client.stats.as_dict() if client else {"total": 0, "writes": 0, "retries": 0, "by_method": {}}
        stats["token_requests"] = auth_session.sent if auth_session else 0
        result["graph_requests"] = stats
