# Copyright: wac.fleet contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's model: per-gateway outcomes from task results, and its JSON, Markdown, JUnit and table forms.

Only outcomes, the generation, the apps' IDs and redirect URIs and the messages of failures are kept: never task
arguments. Each gateway's app and end-to-end check come from _fleet_report_apps.
"""

from __future__ import annotations

import datetime
from xml.etree import ElementTree as ET

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_report_apps import FleetApps, check_text

# the short names of the collection's actions, by the column they fill
STEP_OF_ACTION = {
    "gateway_proxy": "proxy",
    "gateway_service": "restart",
    "gateway_registration": "registration",
}
ENTRA_ACTIONS = ("entra_app", "entra_app_info", "entra_admin_consent", "entra_fleet_apps", "entra_app_role_assignments")
# The fact wac.fleet.register_wac sets (on localhost) to the gateways whose registration still differs; the others
# were read as registered to the shared app and are not visited again.
PENDING_FACT = "wac_fleet_registration_pending"
MAX_REASON = 400


def _app_line(app: dict) -> str:
    count = "?" if app.get("redirect_uri_count") is None else app["redirect_uri_count"]
    limit = "?" if app.get("redirect_uri_limit") is None else app["redirect_uri_limit"]
    name = app.get("unique_name") or "existing app"
    gateways = "" if app.get("gateways") is None else f", {app['gateways']} gateways"
    return f"app {name} ({app.get('app_id') or 'not created'}): {count}/{limit} redirect URIs{gateways}"


def short_action(action: str) -> str:
    return action.rsplit(".", 1)[-1]


def _reason(result: dict) -> str:
    text = result.get("msg") or result.get("reason") or result.get("stderr") or "failed without a message"
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


class FleetReport:
    def __init__(self) -> None:
        self.hosts: dict[str, dict] = {}
        self.entra: dict = {}
        self.pending: set[str] | None = None
        self.apps = FleetApps()
        self.check_mode = False  # a run in check mode registers nothing: no end-to-end check

    def add_hosts(self, names) -> None:
        for name in names:
            self.hosts.setdefault(
                name,
                {
                    "host": name,
                    "generation": None,
                    "redirect_uris": [],
                    "proxy": "not run",
                    "restart": "not run",
                    "registration": "not run",
                    "registered_app_id": None,
                    "registration_read": False,
                    "app_id": None,
                    "check": None,
                    "checks": {},
                    "outcome": "ok",
                    "reason": None,
                },
            )

    def record(self, host: str, action: str, status: str, result: dict, check_mode: bool = False) -> None:
        self.add_hosts([host])
        self.check_mode = self.check_mode or check_mode
        row = self.hosts[host]
        name = short_action(action)
        if name in ENTRA_ACTIONS:
            self._record_entra(name, status, result)
            self.apps.record(name, status, result)
        elif name in ("gateway_info", "gateway_ready") and status in ("ok", "changed"):
            row["generation"] = result.get("generation")
            row["redirect_uris"] = list(result.get("redirect_uris") or [])
            facts = (result.get("ansible_facts") or {}).get("wac_gateway") or result
            self._record_registration(row, facts.get("registration") or {})
            if name == "gateway_ready":
                managed, changed = result.get("proxy_managed"), result.get("proxy_changed")
                row["proxy"] = ("changed" if changed else "ok") if managed else "skipped"
                row["restart"] = "changed" if result.get("restart") in ("restarted", "started") else "skipped"
        elif name == "set_fact" and PENDING_FACT in (result.get("ansible_facts") or {}):
            self.pending = set(result["ansible_facts"][PENDING_FACT])
        elif name in STEP_OF_ACTION:
            step = STEP_OF_ACTION[name]
            registration = result.get("registration")
            if name == "gateway_registration" and status in ("ok", "changed") and registration is not None:
                self._record_registration(row, {"readable": True, "registered": bool(registration), **registration})
            if status == "skipped" and row[step] != "not run":
                return  # a later skipped task of the same kind does not hide an earlier outcome
            row[step] = status
        if status in ("failed", "unreachable") and row["outcome"] not in ("failed", "unreachable"):
            row["outcome"] = status
            row["reason"] = _reason(result)
        elif status == "changed" and row["outcome"] == "ok" and name not in ENTRA_ACTIONS:
            row["outcome"] = "changed"

    @staticmethod
    def _record_registration(row: dict, registration: dict) -> None:
        """What the gateway says it is registered to (as read, or as it accepted a registration)."""
        if not registration.get("readable"):
            return
        row["registration_read"] = True
        row["registered_app_id"] = registration.get("app_id") if registration.get("registered") else None

    def _record_entra(self, name: str, status: str, result: dict) -> None:
        entry = self.entra.setdefault(name, {})
        entry["status"] = status
        for key in ("app_id", "object_id", "tenant_id", "redirect_uris_added", "redirect_uris_removed"):
            if key in result:
                entry[key] = result[key]
        if name == "entra_fleet_apps" and result.get("apps"):
            entry["app_id"] = result["apps"][0].get("app_id")
        if status in ("failed", "unreachable"):
            entry["reason"] = _reason(result)

    def done_count(self) -> int:
        return sum(
            1
            for row in self.hosts.values()
            if row["registration"] != "not run" or row["outcome"] in ("failed", "unreachable")
        )

    def failed_count(self) -> int:
        return sum(1 for row in self.hosts.values() if row["outcome"] in ("failed", "unreachable"))

    def summary(self) -> dict:
        rows = [self.hosts[name] for name in sorted(self.hosts)]
        if self.pending is not None:
            for row in rows:
                read = row["generation"] is not None and row["outcome"] not in ("failed", "unreachable")
                if read and row["registration"] == "not run" and row["host"] not in self.pending:
                    row["registration"] = "ok"
        totals = {"gateways": len(rows)}
        for outcome in ("ok", "changed", "failed", "unreachable"):
            totals[outcome] = sum(1 for r in rows if r["outcome"] == outcome)
        totals["restarted"] = sum(1 for r in rows if r["restart"] == "changed")
        if self.apps.known and not self.check_mode:
            for row in rows:
                row["app_id"], row["checks"] = self.apps.check(row)
                row["check"] = check_text(row["checks"])
            totals["check_failed"] = sum(1 for r in rows if (r["check"] or "").startswith("failed"))
        return {
            "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "totals": totals,
            "entra": self.entra,
            "apps": self.apps.summary(),
            "gateways": rows,
        }

    COLUMNS = ("host", "generation", "proxy", "restart", "registration", "app_id", "check", "outcome", "reason")

    def table(self, summary: dict) -> str:
        cells = [[str(r[c] if r[c] is not None else "-") for c in self.COLUMNS] for r in summary["gateways"]]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(self.COLUMNS)]
        widths[-1] = min(widths[-1], 80)

        def line(values):
            return "  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(values)).rstrip()

        out = [line(self.COLUMNS), line(["-" * w for w in widths])]
        out += [line(row) for row in cells]
        t = summary["totals"]
        out.append(
            f"{t['gateways']} gateways: {t['ok']} ok, {t['changed']} changed, {t['failed']} failed, "
            f"{t['unreachable']} unreachable, {t['restarted']} restarted"
            + (f", {t['check_failed']} failing the end-to-end check" if "check_failed" in t else "")
        )
        out += [_app_line(app) for app in summary.get("apps") or []]
        return "\n".join(out)

    def markdown(self, summary: dict) -> str:
        def esc(value):
            return "-" if value is None else str(value).replace("|", "\\|")

        out = ["# wac.fleet report", "", f"Generated {summary['generated']}.", ""]
        for name, entry in sorted(summary["entra"].items()):
            ids = ", ".join(f"{k} `{entry[k]}`" for k in ("app_id", "tenant_id") if k in entry)
            out.append(f"- `{name}`: {entry['status']}{'; ' + ids if ids else ''}")
        out += [f"- {_app_line(app)}" for app in summary.get("apps") or []]
        out += ["", "| " + " | ".join(self.COLUMNS) + " |", "|" + "---|" * len(self.COLUMNS)]
        out += ["| " + " | ".join(esc(r[c]) for c in self.COLUMNS) + " |" for r in summary["gateways"]]
        t = summary["totals"]
        out += ["", ", ".join(f"{k}: {v}" for k, v in t.items()), ""]
        return "\n".join(out)

    def junit(self, summary: dict) -> str:
        rows = summary["gateways"]
        bad = [r for r in rows if r["outcome"] in ("failed", "unreachable") or (r["check"] or "").startswith("failed")]
        bad_hosts = {r["host"] for r in bad}  # a set: a fleet that failed whole is not compared row by row
        suite = ET.Element("testsuite", name="wac.fleet", tests=str(len(rows)), failures=str(len(bad)), errors="0")
        for r in rows:
            case = ET.SubElement(suite, "testcase", classname="wac.fleet.gateway", name=r["host"])
            if r["host"] in bad_hosts:
                reason = r["reason"] or f"end-to-end check {r['check']}"
                failure = ET.SubElement(case, "failure", message=reason, type=r["outcome"])
                failure.text = reason
            else:
                ET.SubElement(case, "system-out").text = (
                    f"generation={r['generation']} proxy={r['proxy']} restart={r['restart']} "
                    f"registration={r['registration']} outcome={r['outcome']}"
                )
        suites = ET.Element("testsuites")
        suites.append(suite)
        return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
