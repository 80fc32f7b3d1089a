# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_proxy: set or clear a gateway's proxy, writing only when it differs (see plugins/modules)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import (
    FACTS_OPTION,
    GatewayActionBase,
    GatewayError,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_adapters import adapter_for
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import run_script
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_service import (
    GatewayServiceError,
    check_restartable,
    ensure_service,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import (
    InputError,
    check_bypass_list,
    check_positive,
    check_proxy_address,
)


def _settings(proxy: dict | None):
    if not proxy:
        return None
    return (proxy["address"], bool(proxy["bypass_on_local"]), sorted(proxy["bypass_list"]))


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "address": {"type": "str"},
        "bypass_on_local": {"type": "bool", "default": False},
        "bypass_list": {"type": "list", "elements": "str", "default": []},
        "username": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "update_password": {"type": "str", "default": "always", "choices": ["always", "on_create"]},
        "restart": {"type": "bool", "default": False},
        "timeout": {"type": "float", "default": 300},
        "delay": {"type": "float", "default": 2},
        "gateway_facts": FACTS_OPTION,
    }
    SPEC_OPTIONS = {"required_if": [("state", "present", ("address",))]}

    def check_options(self, args):
        if args["password"] is not None and not args["username"]:
            raise InputError("password was given without username: proxy credentials need both")
        if args["state"] == "present":
            args["address"] = check_proxy_address(args["address"], "address")
            args["bypass_list"] = check_bypass_list(args["bypass_list"], "bypass_list")
        if args["username"] is not None and (not args["username"] or any(c.isspace() for c in args["username"])):
            raise InputError(f"username must be a non-empty name without white space, got {args['username']!r}")
        args["timeout"] = check_positive(args["timeout"], "timeout")
        args["delay"] = check_positive(args["delay"], "delay")
        if args["restart"] and args["gateway_facts"]:
            check_restartable(args["gateway_facts"], "restart")  # a desktop gateway fails before any script
        return args

    def act(self, args, task_vars):
        facts, _read_now = self.gateway(args)
        adapter = adapter_for(facts["generation"])
        if args["restart"]:
            check_restartable(facts, "restart")
        current = facts.get("proxy")
        check_mode = self._task.check_mode
        plan = self._plan(args, current)
        result = {"changed": False, "generation": facts["generation"], "proxy": current,
                  "restart_required": False, "restarted": False}
        if plan is None:
            return result
        write, after = plan
        target = adapter.proxy_write_target()
        data = {
            "target": target, "state": args["state"],
            "document": adapter.proxy_document(after) if after else None,
            "credentials": write["credentials"], "keep_credentials": write["keep_credentials"],
            "only_if_password_differs": write["only_if_password_differs"], "dry_run": check_mode,
            "restart_marker": adapter.restart_marker,  # set on the PC with the write: a restart is now due
        }
        if write["only_if_password_differs"]:
            # Only the password may differ: the PC compares it (it cannot be read back) and writes if needed.
            answer = run_script(self._connection, "gateway_proxy_write", data)
            if answer.get("password_matches"):
                return result
        elif not check_mode:
            run_script(self._connection, "gateway_proxy_write", data)
        result.update(changed=True, proxy=after, restart_required=True)
        if self._task.diff:
            result["diff"] = {"before": _diff_view(current), "after": _diff_view(after),
                              "before_header": "gateway proxy", "after_header": "gateway proxy"}
        if args["restart"] and not check_mode:
            try:
                outcome = ensure_service(self._connection, facts, "restarted", timeout=args["timeout"],
                                         delay=args["delay"], check_mode=False)
            except GatewayServiceError as exc:
                exc.partial = {"changed": True, "proxy": after, "restart_required": True}
                raise
            result.update(restarted=True, restart_required=False, state=outcome.get("state"))
        return result

    @staticmethod
    def _plan(args: dict, current: dict | None):
        """None when nothing differs, else (how to write, the proxy after the write)."""
        write = {"credentials": None, "keep_credentials": False, "only_if_password_differs": False}
        if args["state"] == "absent":
            return (write, None) if current else None
        username, password = args["username"], args["password"]
        after = {"address": args["address"], "bypass_on_local": args["bypass_on_local"],
                 "bypass_list": args["bypass_list"], "credentials_set": username is not None,
                 "username": username}
        settings_differ = _settings(current) != _settings(after)
        has_credentials = bool(current and current.get("credentials_set"))
        if username is None:
            return (write, after) if settings_differ or has_credentials else None
        same_user = has_credentials and current.get("username") == username
        if not same_user:
            if password is None:
                raise GatewayError(
                    f"password is required to set proxy credentials for {username!r}: the gateway has "
                    + ("credentials for another user" if has_credentials else "no proxy credentials"))
            write["credentials"] = {"username": username, "password": password}
            return write, after
        rewrite_password = password is not None and args["update_password"] == "always"  # noqa: S105
        if rewrite_password:
            write["credentials"] = {"username": username, "password": password}
            if not settings_differ:
                write["only_if_password_differs"] = True
            return write, after
        if settings_differ:
            write["keep_credentials"] = True
            return write, after
        return None


def _diff_view(proxy: dict | None) -> dict:
    """What the diff shows: never a password, only whether credentials are set and for whom."""
    if not proxy:
        return {}
    return {key: proxy.get(key) for key in ("address", "bypass_on_local", "bypass_list", "username",
                                            "credentials_set")}
