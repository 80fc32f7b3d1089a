# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of gateway_* options made on the controller before any script reaches a PC."""

from __future__ import annotations

import ipaddress
import math
import re
from urllib.parse import urlsplit

from ._gateway_adapters import CLOUDS, GENERATIONS, WAC_CLOUD_NAMES, same_cloud
from ._validate import InputError, check_guid, check_redirect_uri

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# A bypass entry: host, domain with wildcards (*.contoso.com), IP address or IP with wildcards (10.*), as the
# .NET WebProxy bypass list takes them (regular expressions are not accepted here on purpose).
_BYPASS_ENTRY = re.compile(r"(?:\*|[A-Za-z0-9*-]+)(?:\.(?:\*|[A-Za-z0-9*-]+))*(?::\d{1,5})?|<local>")

__all__ = ["InputError", "check_bypass_list", "check_cloud", "check_gateway_facts", "check_guid",
           "check_positive", "check_proxy_address", "check_redirect_uri"]


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return bool(host) and len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def check_proxy_address(value, option: str = "address") -> str:
    """``http(s)://host[:port]`` only: no path, query, fragment or user info (credentials are options)."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{option} is required and must be a URL such as http://proxy.contoso.com:3128")
    text = value.strip()
    if any(c.isspace() for c in text):
        raise InputError(f"{option}: {value!r} contains white space")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or "://" not in text:
        raise InputError(f"{option}: {value!r} must start with http:// or https://")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InputError(f"{option}: {value!r} must not carry user info; use the username and password options")
    try:
        port = parts.port
    except ValueError as exc:
        raise InputError(f"{option}: {value!r} has an invalid port") from exc
    if port == 0:
        raise InputError(f"{option}: {value!r} has an invalid port")
    if not parts.hostname or not _valid_host(parts.hostname):
        raise InputError(f"{option}: {value!r} has no valid host name")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith("?") or "#" in text:
        raise InputError(f"{option}: {value!r} must be scheme://host[:port] without a path, query or fragment")
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host.lower()}" + (f":{port}" if port else "")


def check_bypass_list(value, option: str = "bypass_list") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{option} must be a list of host names, got {type(value).__name__}")
    out = []
    for entry in value:
        if not isinstance(entry, str) or not entry:
            raise InputError(f"{option}: every entry must be a non-empty string, got {entry!r}")
        if any(c.isspace() for c in entry):
            raise InputError(f"{option}: entry {entry!r} contains white space")
        if "://" in entry or entry.lower().startswith(("http:", "https:")):
            raise InputError(f"{option}: entry {entry!r} must be a host or domain without a scheme")
        if not _BYPASS_ENTRY.fullmatch(entry):
            raise InputError(f"{option}: entry {entry!r} is not a host, domain (*.contoso.com) or IP address")
        if entry not in out:
            out.append(entry)
    return out


def check_cloud(value, option: str = "cloud") -> str:
    """One of the clouds WAC offers, by the collection's name (AzureCloud) or WAC's own (Azure Global)."""
    if value in CLOUDS:
        return value
    for name, wac_name in WAC_CLOUD_NAMES.items():
        if isinstance(value, str) and same_cloud(value, wac_name):
            return name
    raise InputError(f"{option} must be one of {', '.join(CLOUDS)} (the clouds Windows Admin Center offers; WAC "
                     f"itself calls them {', '.join(WAC_CLOUD_NAMES.values())}), got {value!r}")


def check_positive(value, option: str) -> float:
    """A positive number of seconds (Ansible's ``float`` type already refused non-numbers)."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{option} must be a positive number of seconds, got {value!r}") from exc
    if not math.isfinite(number) or number <= 0:
        raise InputError(f"{option} must be a positive number of seconds, got {value!r}")
    return number


def check_gateway_facts(value, option: str = "gateway_facts") -> dict | None:
    """The ``wac_gateway`` facts of wac.fleet.gateway_info, or None when not given."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise InputError(f"{option} must be the wac_gateway facts returned by wac.fleet.gateway_info")
    if value.get("generation") not in GENERATIONS or not isinstance(value.get("port"), int):
        raise InputError(f"{option} does not look like the wac_gateway facts of wac.fleet.gateway_info "
                         "(generation and port missing)")
    return value
