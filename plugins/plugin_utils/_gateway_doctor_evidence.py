# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the gateway doctor asks the PC for, and the evidence it gets back, read the way the collection reads it.

The gateway_doctor script is generic: the registry keys, files, services, processes, stores and REST probes it
reads all come from the fact table (``_gateway_facts.py``) through :func:`script_input`. :class:`Evidence` wraps its
raw answer and gives the views the checks need (registry values, JSON paths, served ports, the registration read the
collection would make); :meth:`Evidence.readings` rebuilds what the gateway_info script would have read, so that the
doctor sees the gateway exactly as :func:`~._gateway_adapters.describe` does.
"""

from __future__ import annotations

import datetime
import re

from ._gateway_adapters import ALL_PROCESSES, ALL_SERVICES, REGISTRATION_MARKER, RESTART_MARKER, STORES, port_of
from ._gateway_facts import value as fact

# Members and registry values whose content never leaves the PC: their presence and form are reported instead.
REDACTED_NAMES = (
    r"^(credentials?|protecteddata\d*|.*(password|passwd|secret|token|apikey|privatekey|connectionstring))$")
WINRM_SHELL = "WSMan:\\localhost\\Shell"
WINRM_SETTINGS = ("MaxShellsPerUser", "MaxMemoryPerShellMB")
CONFIGURATION_MODULE = fact("v2.configuration_module").rsplit("\\", 1)[-1]


def script_input(credentials: dict | None = None) -> dict:
    """The gateway_doctor script's input: every location from the fact table; ``credentials`` (user name and
    password for the REST probe) only when the caller sends this input on stdin."""
    data = {
        "registry": [{"id": "classic", "key": fact("v1.registry_key")},
                     {"id": "classic_ha", "key": fact("v1.ha_key")},
                     {"id": "wac_fleet", "key": RESTART_MARKER["location"]}],
        "json_files": [{"id": "appsettings", "path": fact("v2.appsettings")}],
        "files": [{"id": "version_file", "path": fact("v2.version_file")},
                  {"id": "migrated_marker", "path": fact("v2.migrated_marker")},
                  {"id": "configuration_module", "path": fact("v2.configuration_module")}],
        "secret_names": REDACTED_NAMES,
        "plaintext_prefix": fact("v2.proxy_credentials_form"),
        "services": list(ALL_SERVICES),
        "processes": list(ALL_PROCESSES),
        "stores": list(STORES),
        "client_certificate": {"registry": "classic", "value": fact("v1.client_certificate_value"),
                               "stores": list(fact("v1.client_certificate_stores"))},
        "http_sys_app_ids": [fact("v1.http_sys_app_id"), fact("v2.http_sys_app_id")],
        "module": {"name": CONFIGURATION_MODULE, "path": fact("v2.configuration_module")},
        "winrm": {"path": WINRM_SHELL, "settings": list(WINRM_SETTINGS)},
        "user_agent": fact("rest.user_agent"),
    }
    if credentials:
        data["credentials"] = {"username": credentials["username"], "password": credentials["password"]}
    return data


def parse_time(text) -> datetime.datetime | None:
    """A time the script wrote (ISO 8601, UTC, ``Z``), or None."""
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def json_path(document, path: str):
    """The value at a dotted path of a parsed JSON document, or None (as Get-JsonPath)."""
    node = document
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return None
        node = node[name]
    return node


def has_json_path(document, path: str) -> bool:
    node = document
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return False
        node = node[name]
    return True


_BINDING_ADDRESS = re.compile(r"\S+:(\d+)")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")
_HASH = re.compile(r"[0-9a-fA-F]{40}")


def http_sys_bindings(lines: list[str]) -> list[dict]:
    """netsh http show sslcert's blocks as {address, port, certificate_hash, app_id}, read by the shape of the values
    (address:port, a GUID, a 40-digit hash), not by the labels, which Windows translates."""
    bindings, block = [], []
    for line in [*(lines or []), ""]:
        if line.strip():
            block.append(line)
            continue
        binding = {"address": None, "port": None, "certificate_hash": None, "app_id": None}
        for entry in block:
            parts = re.split(r"\s:\s", entry, maxsplit=1)
            if len(parts) < 2:
                continue
            text = parts[1].strip()
            address = _BINDING_ADDRESS.fullmatch(text)
            if address and binding["port"] is None:
                binding["address"], binding["port"] = text, int(address.group(1))
            guid = _GUID.fullmatch(text)
            if guid and binding["app_id"] is None:
                binding["app_id"] = guid.group(1).lower()
            if _HASH.fullmatch(text) and binding["certificate_hash"] is None:
                binding["certificate_hash"] = text.upper()
        if binding["port"] is not None:
            bindings.append(binding)
        block = []
    return bindings


class Evidence:
    """The gateway_doctor script's raw answer, with the views the checks use."""

    def __init__(self, raw: dict, credentials_sent: bool = False):
        self.raw = raw
        self.credentials_sent = credentials_sent

    # --- plain readings ---------------------------------------------------------------------------------------
    def registry(self, key: str) -> dict | None:
        """The reading of a registry key (by its path), None when it was not read or is missing."""
        for reading in (self.raw.get("registry") or {}).values():
            if str(reading.get("key", "")).lower() == key.lower() and reading.get("found"):
                return reading
        return None

    def registry_names(self, key: str) -> list[str]:
        reading = self.registry(key) or {}
        names = []
        for group in ("values", "json_values", "secret_values", "binary_values"):
            names += list((reading.get(group) or {}).keys())
        return sorted(names)

    def registry_value(self, key: str, name: str):
        """(present, value): a JSON value as its (redacted) document, a secret as its form."""
        reading = self.registry(key) or {}
        for group in ("values", "json_values", "secret_values", "binary_values"):
            members = reading.get(group) or {}
            if name in members:
                return True, members[name]
        return False, None

    def json_file(self, file_id: str = "appsettings") -> dict | None:
        reading = (self.raw.get("json_files") or {}).get(file_id) or {}
        return reading if reading.get("found") else None

    def document(self, file_id: str = "appsettings"):
        return (self.json_file(file_id) or {}).get("document")

    def file(self, file_id: str) -> dict:
        return (self.raw.get("files") or {}).get(file_id) or {"found": False}

    def service(self, name: str) -> dict | None:
        return (self.raw.get("services") or {}).get(name)

    def process_running(self, name: str) -> bool:
        return bool(((self.raw.get("processes") or {}).get(name) or {}).get("running"))

    @property
    def classic_installed(self) -> bool:
        return self.registry(fact("v1.registry_key")) is not None

    @property
    def modern_installed(self) -> bool:
        return self.json_file() is not None

    # --- ports and TLS ----------------------------------------------------------------------------------------
    def bindings(self, app_id: str | None = None) -> list[dict]:
        found = http_sys_bindings((self.raw.get("http_sys") or {}).get("lines") or [])
        if app_id is None:
            return found
        wanted = app_id.strip("{}").lower()
        return [binding for binding in found if binding["app_id"] == wanted]

    def tls(self, port: int | None = None) -> list[dict]:
        answers = [t for t in self.raw.get("tls") or [] if t.get("ok")]
        return [t for t in answers if port is None or t.get("port") == port]

    def served_ports(self, app_ids: tuple[str, ...] = ()) -> list[int]:
        """Ports where the gateway answers TLS now; else those of its http.sys bindings and listeners."""
        ports = sorted({t["port"] for t in self.tls()})
        if ports:
            return ports
        bound = {b["port"] for app_id in app_ids for b in self.bindings(app_id)}
        listening = set((self.raw.get("listeners") or {}).get("ports") or [])
        return sorted(bound | listening)

    # --- REST -------------------------------------------------------------------------------------------------
    def probes(self, root: str | None = None, port: int | None = None, auth: str | None = None) -> list[dict]:
        return [p for p in self.raw.get("rest") or []
                if (root is None or p.get("root") == root) and (port is None or p.get("port") == port)
                and (auth is None or p.get("auth") == auth)]

    def collection_auth(self, store_id: str) -> str:
        """The authentication the collection's own read would use for that store."""
        if store_id == "classic" and self.service(fact("v1.service")) is None:
            return "certificate"
        return "explicit" if self.credentials_sent else "default"

    # --- what gateway_info would have read ---------------------------------------------------------------------
    def store_values(self, store: dict) -> dict:
        """The values of a store's fields as gateway_info reads them (the proxy without its credential members)."""
        values = {}
        if store["kind"] == "registry":
            for field, name in store["fields"].items():
                _present, item = self.registry_value(store["location"], name)
                values[field] = None if isinstance(item, dict) and item.get("redacted") else item
        else:
            document = self.document()
            for field, path in store["fields"].items():
                values[field] = json_path(document, path) if document is not None else None
        proxy = values.get("proxy")
        if isinstance(proxy, dict):
            values["proxy"] = {k: v for k, v in proxy.items() if k not in store["credential_members"]}
        return values

    def proxy_document(self, store: dict):
        """The stored proxy document, credential members as their forms."""
        if store["kind"] == "registry":
            return self.registry_value(store["location"], store["fields"]["proxy"])[1]
        return json_path(self.document(), store["fields"]["proxy"])

    def collection_port(self, store: dict) -> int | None:
        for field in store["port_fields"]:
            port = port_of(self.store_values(store).get(field))
            if port:
                return port
        return store["default_port"]

    def readings(self) -> dict:
        """The gateway_info script's readings rebuilt from the evidence (for _gateway_adapters.describe)."""
        stores = {}
        for store in STORES:
            found = self.classic_installed if store["kind"] == "registry" else self.modern_installed
            out = {"found": found, "values": self.store_values(store) if found else {},
                   "proxy_credentials": self._proxy_credentials(store), "registration": None}
            if store["kind"] == "json":
                out["file_version"] = self.file("version_file").get("version")
            port = self.collection_port(store) if found else None
            if found and port:
                probe = self.probes(store["rest"]["root"], port, self.collection_auth(store["id"]))
                out["registration"] = _as_answer(probe[0]) if probe else {
                    "status": None, "body": None, "error": self._unreachable(port)}
            stores[store["id"]] = out
        marker = (self.registry(RESTART_MARKER["location"]) or {}).get("values") or {}
        return {"stores": stores, "services": dict(self.raw.get("services") or {}),
                "processes": {name: self.process_running(name) for name in ALL_PROCESSES},
                "fqdn": (self.raw.get("host") or {}).get("fqdn") or "",
                "markers": {key: {"set": spec["name"] in marker, "since": marker.get(spec["name"])}
                            for key, spec in (("restart", RESTART_MARKER), ("registration", REGISTRATION_MARKER))}}

    def _proxy_credentials(self, store: dict) -> dict:
        found = {"set": False, "form": None, "username": None}
        document = self.proxy_document(store)
        if not isinstance(document, dict):
            return found
        for member in store["credential_members"]:
            item = document.get(member)
            if isinstance(item, dict) and item.get("set"):
                found["set"] = True
                if item.get("form") == "plaintext":
                    found["form"] = "plaintext"
                elif found["form"] is None:
                    found["form"] = "protected"
        return found

    def _unreachable(self, port: int) -> str:
        for answer in self.raw.get("tls") or []:
            if answer.get("port") == port and not answer.get("ok"):
                return answer.get("error") or "no TLS answer"
        return "no TLS answer"


def _as_answer(probe: dict) -> dict:
    return {"status": probe.get("status"), "body": probe.get("body"), "error": probe.get("error")}
