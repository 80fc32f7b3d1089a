# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of user input done before any network call: GUIDs, tenant IDs, redirect URIs, unique names."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError

# The patterns of the collection have no ^ and $: they are used with fullmatch, as "$" lets a final newline through.
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"(?=.{4,253}\Z)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_REDIRECT_URI_LENGTH = 256  # Entra's limit for one redirect URI
MAX_UNIQUE_NAME_LENGTH = 120


class InputError(WacFleetError, ValueError):
    """Bad user input; the message names the option."""


def is_guid(value) -> bool:
    return isinstance(value, str) and bool(_GUID.fullmatch(value))


def check_guid(value, option: str) -> str:
    if not is_guid(value):
        raise InputError(f"{option} must be a GUID like 00000000-0000-0000-0000-000000000000, got {value!r}")
    return value.lower()


def check_tenant(value, option: str = "tenant_id") -> str:
    """A tenant is named by its GUID or by one of its verified domain names (contoso.onmicrosoft.com)."""
    if is_guid(value):
        return value.lower()
    if isinstance(value, str) and _DOMAIN.fullmatch(value):
        return value.lower()
    raise InputError(f"{option} must be a tenant GUID or a verified domain name, got {value!r}")


def check_redirect_uri(value, option: str = "redirect_uris") -> str:
    """Entra's rules for SPA/Web redirect URIs: https, or http only for localhost / 127.0.0.1 / [::1]."""
    if not isinstance(value, str) or not value:
        raise InputError(f"{option}: a redirect URI must be a non-empty string, got {value!r}")
    if len(value) > MAX_REDIRECT_URI_LENGTH:
        raise InputError(f"{option}: {value!r} is longer than {MAX_REDIRECT_URI_LENGTH} characters")
    if any(c.isspace() for c in value):
        raise InputError(f"{option}: {value!r} contains white space")
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InputError(f"{option}: {value!r} has an invalid port") from exc
    if parts.fragment:
        raise InputError(f"{option}: {value!r} must not have a fragment (#...)")
    if not parts.hostname:
        raise InputError(f"{option}: {value!r} is not an absolute URL with a host")
    scheme = parts.scheme.lower()
    if scheme == "https":
        return value
    if scheme == "http" and parts.hostname.lower() in _LOOPBACK_HOSTS:
        return value
    if scheme == "http":
        raise InputError(f"{option}: {value!r} must use https (http is allowed only for localhost and 127.0.0.1)")
    raise InputError(f"{option}: {value!r} must be an https URL (or http://localhost)")


def check_unique_name(value, option: str = "unique_name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{option} must be a non-empty string")
    if len(value) > MAX_UNIQUE_NAME_LENGTH:
        raise InputError(f"{option} must be at most {MAX_UNIQUE_NAME_LENGTH} characters")
    if any(ord(c) < 32 for c in value):
        raise InputError(f"{option} must not contain control characters")
    return value


def odata_string(value: str) -> str:
    """An OData string literal: single-quoted, with single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
