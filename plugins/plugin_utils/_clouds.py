# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft Entra / Graph endpoints of each Azure cloud, and ``custom`` for explicit hosts."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError

CUSTOM = "custom"

# cloud name -> (login host, Graph host). Sources: docs facts-entra-graph.md "National clouds".
_CLOUDS = {
    "AzureCloud": ("login.microsoftonline.com", "graph.microsoft.com"),
    "AzureChinaCloud": ("login.partner.microsoftonline.cn", "microsoftgraph.chinacloudapi.cn"),
    "AzureUSGovernment": ("login.microsoftonline.us", "graph.microsoft.us"),
    "AzureUSGovernmentDoD": ("login.microsoftonline.us", "dod-graph.microsoft.us"),
}

CLOUD_NAMES = (*_CLOUDS, CUSTOM)


class CloudError(WacFleetError, ValueError):
    """A cloud name or host that cannot be used."""


@dataclasses.dataclass(frozen=True)
class Cloud:
    name: str
    authority_host: str  # https://host[:port], no trailing slash
    graph_host: str  # https://host[:port], no trailing slash

    @property
    def is_custom(self) -> bool:
        return self.name == CUSTOM

    @property
    def graph_url(self) -> str:
        """Base URL of Graph v1.0."""
        return f"{self.graph_host}/v1.0"

    @property
    def graph_scope(self) -> str:
        """The client-credentials / device-code scope for Graph (``<graph host>/.default``)."""
        return f"{self.graph_host}/.default"

    @property
    def graph_resource(self) -> str:
        """The resource URI managed identity endpoints expect (no ``/.default``)."""
        return self.graph_host

    def authority(self, tenant: str) -> str:
        return f"{self.authority_host}/{tenant}"


def normalize_host(value: str, option: str) -> str:
    """``login.example`` or ``https://login.example[:port][/]`` -> ``https://login.example[:port]``.

    TLS is never optional: ``http://`` is refused, and so is anything with a path, query or user info.
    """
    text = str(value).strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise CloudError(f"{option} must be an https host (TLS verification is always on), got {value!r}")
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise CloudError(f"{option} must be a host name with an optional port, got {value!r}")
    if parts.path not in ("", "/"):
        raise CloudError(f"{option} must be a host without a path, got {value!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise CloudError(f"{option} has an invalid port: {value!r}") from exc
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"https://{host}:{port}" if port else f"https://{host}"


def resolve_cloud(name: str, authority_host: str | None = None, graph_host: str | None = None) -> Cloud:
    """Endpoints of ``name``; ``authority_host`` / ``graph_host`` override a named cloud's and are required for
    ``custom``."""
    if name == CUSTOM:
        missing = [opt for opt, val in (("authority_host", authority_host), ("graph_host", graph_host)) if not val]
        if missing:
            raise CloudError(f"cloud=custom needs {' and '.join(missing)}")
        return Cloud(CUSTOM, normalize_host(authority_host, "authority_host"), normalize_host(graph_host, "graph_host"))
    if name not in _CLOUDS:
        raise CloudError(f"unknown cloud {name!r}; expected one of {', '.join(CLOUD_NAMES)}")
    login, graph = _CLOUDS[name]
    return Cloud(
        name,
        normalize_host(authority_host or login, "authority_host"),
        normalize_host(graph_host or graph, "graph_host"),
    )
