# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_ready: read a gateway, apply its proxy, make it run with it, in one task (see plugins/modules)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._errors import WacFleetError
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import GatewayActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_adapters import adapter_for
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_proxy import (
    PROXY_OPTIONS,
    apply_proxy,
    check_proxy_options,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_service import (
    RUNNING,
    ensure_service,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import check_positive

_PROXY_SPEC = {"state": {"type": "str", "default": "present", "choices": ["present", "absent"]}, **PROXY_OPTIONS}


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "proxy": {"type": "dict", "options": _PROXY_SPEC,
                  "required_if": [("state", "present", ("address",))]},
        "timeout": {"type": "float", "default": 300},
        "delay": {"type": "float", "default": 2},
    }

    def check(self, args):
        if args["proxy"] is not None:
            args["proxy"] = check_proxy_options(args["proxy"], {option: f"proxy.{option}" for option in _PROXY_SPEC})
        args["timeout"] = check_positive(args["timeout"], "timeout")
        args["delay"] = check_positive(args["delay"], "delay")
        return args

    def act(self, args, ctx):
        facts = ctx.read()
        adapter = adapter_for(facts["generation"])
        check_mode = ctx.check_mode
        result = {"changed": False, "generation": facts["generation"], "redirect_uris": facts["redirect_uris"],
                  "proxy": facts.get("proxy"), "proxy_managed": args["proxy"] is not None, "proxy_changed": False,
                  "restart": "none", "restart_required": False}
        if args["proxy"] is not None:
            applied = apply_proxy(ctx.connection, facts, args["proxy"], check_mode=check_mode, diff=ctx.diff)
            applied.pop("credentials_written", None)  # a changed proxy restarts the gateway here anyway
            result.update(applied, proxy_changed=applied["changed"])
        action = _service_action(facts, adapter.restart_supported, result["proxy_changed"])
        if action:
            result.update(changed=True, restart=action)
            if not check_mode:
                try:
                    outcome = ensure_service(ctx.connection, facts, action, timeout=args["timeout"],
                                             delay=args["delay"], check_mode=False)
                except WacFleetError as exc:  # what was done before the service failed comes with the failure
                    done = {k: result[k] for k in ("changed", "generation", "proxy", "proxy_changed")}
                    raise WacFleetError(str(exc), **done, **exc.result) from exc
                result["state"] = outcome.get("state")
        elif result["proxy_changed"]:
            result["restart_required"] = True
            result.setdefault("warnings", []).append(
                "this gateway runs in desktop mode: its new proxy takes effect when the user closes and reopens "
                "Windows Admin Center")
        if not check_mode:
            facts = _facts_after(facts, result)
        result["ansible_facts"] = {"wac_gateway": facts}
        return result


def _service_action(facts: dict, restart_supported: bool, proxy_changed: bool) -> str | None:
    """restarted when the proxy changed or an earlier write was never applied; started when not running."""
    if not restart_supported:
        return None
    if proxy_changed or facts.get("restart_pending"):
        return "restarted"
    # Only the services a restart restarts: v2's WindowsAdminCenterAccountManagement is demand-start (CFG), so
    # Stopped is its normal state.
    if any(service.get("state") != RUNNING for service in facts.get("services") or [] if service.get("restarted")):
        return "started"
    return None


def _facts_after(facts: dict, result: dict) -> dict:
    """The facts as they are after the task, so later tasks need not read the gateway again."""
    after = dict(facts, proxy=result["proxy"])
    if result["restart"] != "none":
        after.update(restart_pending=False, service_state=RUNNING,
                     services=[dict(service, state=RUNNING) if service.get("restarted") else service
                               for service in facts.get("services") or []])
    return after
