# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_service: start, stop or restart a gateway and wait until it answers (see plugins/modules)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import FACTS_OPTION, GatewayActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_service import ensure_service
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import check_positive


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "required": True, "choices": ["started", "stopped", "restarted"]},
        "timeout": {"type": "float", "default": 300},
        "delay": {"type": "float", "default": 2},
        "gateway_facts": FACTS_OPTION,
    }

    def check(self, args):
        args["timeout"] = check_positive(args["timeout"], "timeout")
        args["delay"] = check_positive(args["delay"], "delay")
        return args

    def act(self, args, ctx):
        facts, _read_now = ctx.gateway(args)
        outcome = ensure_service(ctx.connection, facts, args["state"], timeout=args["timeout"],
                                 delay=args["delay"], check_mode=ctx.check_mode)
        return {
            "changed": outcome["changed"],
            "generation": facts["generation"],
            "services": outcome["services"],
            "state": outcome.get("state"),
            "healthy": bool(outcome.get("state") and (outcome["state"].get("https") or {}).get("ok")),
        }
