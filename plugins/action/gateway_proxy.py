# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_proxy: set or clear a gateway's proxy, writing only when it differs (see plugins/modules)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import FACTS_OPTION, GatewayActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import (
    PROXY_OPTIONS,
    apply_proxy,
    check_proxy_options,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_service import (
    check_restartable,
    ensure_service,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import check_positive


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        **PROXY_OPTIONS,
        "restart": {"type": "bool", "default": False},
        "timeout": {"type": "float", "default": 300},
        "delay": {"type": "float", "default": 2},
        "gateway_facts": FACTS_OPTION,
    }
    SPEC_OPTIONS = {"required_if": [("state", "present", ("address",))]}

    def check(self, args):
        args = check_proxy_options(args)
        args["timeout"] = check_positive(args["timeout"], "timeout")
        args["delay"] = check_positive(args["delay"], "delay")
        if args["restart"] and args["gateway_facts"]:
            check_restartable(args["gateway_facts"], "restart")  # a desktop gateway fails before any script
        return args

    def act(self, args, ctx):
        facts, _read_now = ctx.gateway(args)
        if args["restart"]:
            check_restartable(facts, "restart")
        check_mode = ctx.check_mode
        result = apply_proxy(ctx.connection, facts, args, check_mode=check_mode, diff=ctx.diff)
        result.update(generation=facts["generation"], restart_required=result["changed"], restarted=False)
        if result.pop("credentials_written", False) and not args["restart"]:
            # CFG's Set-WACProxy refuses credentials without -RestartWacService: they take effect at the restart.
            result.setdefault("warnings", []).append(
                "proxy credentials were written to a v2 gateway without a restart; restart it (restart: true or "
                "wac.fleet.gateway_service) before registering it")
        if result["changed"] and args["restart"] and not check_mode:
            try:
                outcome = ensure_service(ctx.connection, facts, "restarted", timeout=args["timeout"],
                                         delay=args["delay"], check_mode=False)
            except WacFleetError as exc:  # the proxy was written: say so with the failure
                raise WacFleetError(str(exc), changed=True, proxy=result["proxy"], restart_required=True,
                                    **exc.result) from exc
            result.update(restarted=True, restart_required=False, state=outcome.get("state"))
        return result
