# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests sessions of the Entra side: TLS always verified (system CAs or ``ca_bundle``), a default
timeout on every request, and a count of requests made."""

from __future__ import annotations

import os

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError

try:
    import requests
except ImportError:  # reported by the plugins before any use (see _entra_action.missing_libraries)
    requests = None
    _Session = object
else:
    _Session = requests.Session

USER_AGENT = "wac.fleet-ansible-collection"


class InputFileError(WacFleetError, ValueError):
    """A configured file (CA bundle) cannot be used."""


def check_ca_bundle(path: str | None) -> str | bool:
    """What ``requests`` takes as ``verify``: the bundle path, or True for the system store. Never False."""
    if not path:
        return True
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise InputFileError(f"ca_bundle {path!r} is not a readable file")
    return path


class CountingSession(_Session):
    """A session with a default timeout that counts the requests it sends."""

    def __init__(self, verify: str | bool, timeout: float):
        super().__init__()
        self.verify = verify
        self.timeout = timeout
        self.sent = 0
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        # Passed per request: requests would otherwise let REQUESTS_CA_BUNDLE override a session's ca_bundle.
        # Proxies from the environment (HTTPS_PROXY, NO_PROXY) are honoured.
        kwargs.setdefault("verify", self.verify)
        self.sent += 1
        return super().request(method, url, *args, **kwargs)
