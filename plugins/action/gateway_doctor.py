# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_doctor: hold a gateway against every fact the collection relies on, read-only (plugins/modules)."""

from __future__ import annotations

import datetime

from ansible_collections.wac.fleet.plugins.plugin_utils import _gateway_doctor_report as reports
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import GatewayActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor import DEFAULT_EXPIRY_WARNING_DAYS, diagnose
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor_evidence import script_input
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import run_script
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import InputError


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "report_dir": {"type": "path"},
        "hash_host_names": {"type": "bool", "default": False},
        "expiry_warning_days": {"type": "int", "default": DEFAULT_EXPIRY_WARNING_DAYS},
        "fail_on_blocking": {"type": "bool", "default": True},
    }

    def check(self, args):
        if args["expiry_warning_days"] < 0:
            raise InputError("expiry_warning_days must be 0 or more days")
        if args["report_dir"] is not None and not str(args["report_dir"]).strip():
            raise InputError("report_dir must be a folder on the controller")
        return args

    def act(self, args, ctx):
        credentials = ctx.rest_credentials
        evidence = run_script(ctx.connection, "gateway_doctor", script_input(credentials))
        now = datetime.datetime.now(datetime.UTC)
        diagnosis = diagnose(evidence, logon=ctx.logon, credentials_sent=credentials is not None, now=now,
                             expiry_warning_days=args["expiry_warning_days"])
        report = reports.build(diagnosis, evidence, host=ctx.host,
                               now=now, hash_host_names=args["hash_host_names"])
        contradicted = [{"id": f["id"], "found": f["found"]} for f in report["facts"] if f["result"] == "contradicted"]
        summary = report["summary"]
        result = {
            "changed": False,
            "generation": report["gateway"].get("generation"),
            "summary": summary,
            "contradicted": contradicted,
            "blocking": report["blocking"],
            "msg": (f"{summary['confirmed']} facts confirmed, {summary['contradicted']} contradicted"
                    + (f" ({', '.join(c['id'] for c in contradicted)})" if contradicted else "")
                    + f", {summary['absent']} absent"),
            "ansible_facts": {"wac_doctor": report},
        }
        if args["report_dir"]:
            result["report_path"] = reports.write(args["report_dir"], report)
        if report["warnings"]:
            result["warnings"] = list(report["warnings"])
        if report["blocking"] and args["fail_on_blocking"]:
            result["failed"] = True
            result["msg"] = "; ".join(f"{b['msg']} (facts: {', '.join(b['facts'])})" for b in report["blocking"])
        return result
