# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway doctor's reports: one JSON file per gateway (schema ``wac.fleet/doctor/1``) and the fleet summary.

A report holds no secret: the script never sends one back (secrets are replaced by their presence and form on the
PC), and the controller adds none. Host names stay as they are, or are replaced everywhere in the report by
``host-<12 hex digits of SHA-256>`` on request (pseudonyms: the same name gives the same pseudonym, so anyone who
knows a name can recognise it, but the report alone does not tell it).

Schema ``wac.fleet/doctor/1`` (keys are only ever added within a version): ``schema``, ``collection_version``,
``generated`` (UTC), ``host``, ``host_names`` (``kept``/``hashed``), ``gateway`` (as gateway_info sees it, with
``port_source``), ``environment`` (OS, PowerShell, WAC version, configuration module and its cmdlets, WinRM quotas,
logon, served certificate), ``summary`` (count per result), ``facts`` (``id``, ``result``, ``found``, ``fact``:
value, status, source, generations), ``unconfirmed`` (UNCONFIRMED facts this gateway settled), ``blocking``
(``facts``, ``msg``: what would make the collection fail here), ``warnings``, ``evidence`` (the script's readings).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import re
import tempfile

SCHEMA = "wac.fleet/doctor/1"
_COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[2]


def collection_version() -> str | None:
    """The version of this collection: MANIFEST.json of an installed one, else galaxy.yml of a checkout."""
    manifest = _COLLECTION_ROOT / "MANIFEST.json"
    try:
        if manifest.is_file():
            return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]
        galaxy = _COLLECTION_ROOT / "galaxy.yml"
        if galaxy.is_file():
            found = re.search(r"^version:\s*['\"]?([^'\"\s]+)", galaxy.read_text(encoding="utf-8"), re.MULTILINE)
            return found.group(1) if found else None
    except (OSError, ValueError, KeyError):
        return None
    return None


def build(diagnosis: dict, evidence: dict, *, host: str, now: datetime.datetime, hash_host_names: bool) -> dict:
    """The report of one gateway."""
    report = {
        "schema": SCHEMA,
        "collection_version": collection_version(),
        "generated": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": host,
        "host_names": "hashed" if hash_host_names else "kept",
        **diagnosis,
        "evidence": evidence,
    }
    if hash_host_names:
        report = pseudonymize(report, host_names(report))
    return report


def host_names(report: dict) -> list[str]:
    """The names of the gateway found in a report: inventory name, computer name, FQDN, endpoint and service FQDN
    (and the first label of each FQDN)."""
    evidence = report.get("evidence") or {}
    host = evidence.get("host") or {}
    names = {report.get("host"), host.get("computer_name"), host.get("fqdn")}
    document = ((evidence.get("json_files") or {}).get("appsettings") or {}).get("document") or {}
    http = (document.get("WindowsAdminCenter") or {}).get("Http") if isinstance(document, dict) else None
    if isinstance(http, dict):
        names |= {http.get("EndpointFqdn"), http.get("ServiceFqdn")}
    for name in list(names):
        if isinstance(name, str) and "." in name and not _is_address(name):
            names.add(name.split(".", 1)[0])
    keep = {"", "localhost", "*", "+"}
    found = {n for n in names if isinstance(n, str) and n.lower() not in keep and not _is_address(n)}
    if report.get("host"):
        found.add(str(report["host"]))  # the inventory name, even an address: it names the gateway in the report
    unique = {name.lower(): name for name in sorted(found)}  # names compare case-insensitively
    return sorted(unique.values(), key=lambda name: (-len(name), name))


def _is_address(name: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", name))


def pseudonym(name: str) -> str:
    return "host-" + hashlib.sha256(name.lower().encode("utf-8")).hexdigest()[:12]


def pseudonymize(item, names: list[str]):
    """``item`` with every occurrence of each name (a whole host name, case ignored) replaced by its pseudonym."""
    patterns = [(re.compile(rf"(?<![A-Za-z0-9-]){re.escape(name)}(?![A-Za-z0-9-])", re.IGNORECASE), pseudonym(name))
                for name in sorted(names, key=len, reverse=True)]

    def text(value: str) -> str:
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value

    def walk(node):
        if isinstance(node, dict):
            return {text(k) if isinstance(k, str) else k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str):
            return text(node)
        return node

    return walk(item)


def write(directory: str, report: dict) -> str:
    """Write ``<directory>/<host>.json`` atomically (created if missing); return its path."""
    folder = pathlib.Path(directory).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(report["host"])) or "gateway"
    path = folder / f"{name}.json"
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(report, stream, indent=1, sort_keys=True)
            stream.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    return str(path)


def _cell(counts: dict) -> str:
    return f"{counts['confirmed']} / {counts['contradicted']} / {counts['absent']}"


def summary_markdown(reports: list[dict], missing: list[str] | int = ()) -> str:
    """The fleet summary: for each fact, on how many gateways of each generation it is confirmed / contradicted /
    absent; then every contradiction, every gateway on which the collection would fail, and the warnings."""
    generations = []
    for report in reports:
        generation = (report.get("gateway") or {}).get("generation") or "no gateway"
        if generation not in generations:
            generations.append(generation)
    order = ["classic_server", "classic_desktop", "modern", "no gateway"]
    generations.sort(key=lambda g: order.index(g) if g in order else len(order))
    rows: dict[str, dict] = {}
    statuses: dict[str, str] = {}
    for report in reports:
        generation = (report.get("gateway") or {}).get("generation") or "no gateway"
        for item in report.get("facts") or []:
            statuses.setdefault(item["id"], (item.get("fact") or {}).get("status", ""))
            cell = rows.setdefault(item["id"], {}).setdefault(
                generation, {"confirmed": 0, "contradicted": 0, "absent": 0})
            cell[item["result"]] = cell.get(item["result"], 0) + 1
    count = {g: sum(1 for r in reports if ((r.get("gateway") or {}).get("generation") or "no gateway") == g)
             for g in generations}
    missing_count = missing if isinstance(missing, int) else len(missing)
    lines = ["# wac.fleet gateway doctor: fleet summary", "",
             f"{len(reports)} gateways with a report ({', '.join(f'{g}: {n}' for g, n in count.items()) or 'none'})"
             + (f"; {missing_count} without one (unreachable, or the doctor failed there)" if missing_count else "")
             + ".", "",
             "Each cell: gateways on which the fact is confirmed / contradicted / absent.", ""]
    if rows:
        lines.append("| fact | sources say | " + " | ".join(f"{g} ({count[g]})" for g in generations) + " |")
        lines.append("|---|---|" + "---|" * len(generations))
        for fact_id, cells in rows.items():
            lines.append(f"| `{fact_id}` | {statuses[fact_id]} | " + " | ".join(
                _cell(cells.get(g, {"confirmed": 0, "contradicted": 0, "absent": 0})) for g in generations) + " |")
        lines.append("")
    contradictions = [(r["host"], (r.get("gateway") or {}).get("generation"), f) for r in reports
                      for f in r.get("facts") or [] if f["result"] == "contradicted"]
    lines += ["## Contradicted", ""]
    if contradictions:
        lines += ["| fact | gateway | generation | found |", "|---|---|---|---|"]
        lines += [f"| `{f['id']}` | {host} | {generation} | {_escape(f['found'])} |"
                  for host, generation, f in contradictions]
    else:
        lines.append("No fact is contradicted on any gateway.")
    lines += ["", "## Gateways on which the collection would fail", ""]
    blocking = [(r["host"], b) for r in reports for b in r.get("blocking") or []]
    lines += [f"- {host}: {_escape(b['msg'])} (facts: {', '.join(b['facts']) or 'none'})" for host, b in blocking] \
        or ["None."]
    if not isinstance(missing, int) and missing:
        lines += ["", "## Gateways without a report", "", *[f"- {host}" for host in missing]]
    warnings = [(r["host"], w) for r in reports for w in r.get("warnings") or []]
    if warnings:
        lines += ["", "## Warnings", "", *[f"- {host}: {_escape(w)}" for host, w in warnings]]
    return "\n".join(lines) + "\n"


def _escape(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
