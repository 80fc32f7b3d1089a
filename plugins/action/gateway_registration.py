# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_registration: register a gateway with Azure (cloud, tenant, shared app) or unregister it."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._action import Settled
from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_apps import registration_of
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import FACTS_OPTION, GatewayActionBase
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_adapters import CLASSIC_DESKTOP, adapter_for
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_registration import (
    RegistrationError,
    desired,
    matches,
    view,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_rest_auth import explain
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_scripts import run_script
from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_validate import (
    check_cloud,
    check_guid,
    check_redirect_uri,
)
from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "cloud": {"type": "str", "default": "AzureCloud"},
        "tenant_id": {"type": "str"},
        "app_id": {"type": "str"},
        "app_object_id": {"type": "str"},
        "redirect_uri": {"type": "str"},
        "gateway_facts": FACTS_OPTION,
        "fleet_apps_var": {"type": "str"},
    }

    def complete(self, args, task_vars):
        """Without tenant_id or app_id, the gateway's app from the fleet's apps in the host variable
        ``fleet_apps_var`` (the fact entra_app_shared), read as the host holds it. Settled without the gateway when
        the Entra step failed for it (failed with that reason, nothing sent) or, in check mode, the app does not
        exist yet (skipped)."""
        if args["state"] != "present" or (args["tenant_id"] and args["app_id"]):
            return args
        name = args["fleet_apps_var"]
        if not name:
            raise InputError("tenant_id and app_id are required with state=present (or fleet_apps_var, the host "
                             "variable holding the fleet's apps)")
        shared = task_vars.get(name)
        if isinstance(shared, str):  # a template naming the fact elsewhere (such as another host's)
            shared = self._templar.template(shared)
        target = registration_of(shared, str(task_vars.get("inventory_hostname") or ""), self._templar.template)
        if target["failure"]:  # the reason is the Entra step's, not this task's input
            raise Settled(failed=True, msg="The shared Entra app step failed (nothing sent): " + target["failure"])
        args["tenant_id"] = args["tenant_id"] or target["tenant_id"] or None
        args["app_id"] = args["app_id"] or target["app_id"] or None
        if args["app_object_id"] is None and args["app_id"] == target["app_id"]:
            args["app_object_id"] = target["service_principal_id"] or None
        if not (args["tenant_id"] and args["app_id"]):
            missing = " and ".join(k for k in ("tenant_id", "app_id") if not args[k])
            if not self._task.check_mode:
                raise InputError(f"{missing} not set and the host variable {name} gives none for this gateway: run "
                                 "the wac.fleet.entra_app role first (in the registration role, or set "
                                 "registration_tenant_id and registration_app_id)")
            # check mode before the shared app exists: entra_app reported it would create it
            raise Settled(skipped=True, msg=f"{missing} not known yet: the shared app does not exist yet (check mode)")
        return args

    def check(self, args):
        if args["state"] == "present":
            args["cloud"] = check_cloud(args["cloud"], "cloud")
            args["tenant_id"] = check_guid(args["tenant_id"], "tenant_id")
            args["app_id"] = check_guid(args["app_id"], "app_id")
            if args["app_object_id"] is not None:
                args["app_object_id"] = check_guid(args["app_object_id"], "app_object_id")
            if args["redirect_uri"] is not None:
                args["redirect_uri"] = check_redirect_uri(args["redirect_uri"], "redirect_uri")
        return args

    def act(self, args, ctx):
        facts, read_now = ctx.gateway(args)
        if not read_now and not (facts.get("registration") or {}).get("readable"):
            # The facts were read while the gateway did not answer (stopped, restarting): read it again now.
            facts = ctx.read()
        adapter = adapter_for(facts["generation"])
        current = facts.get("registration") or {}
        if not current.get("readable"):
            hint = (" (a desktop-mode gateway answers only while a user has Windows Admin Center open)"
                    if facts["generation"] == CLASSIC_DESKTOP and current.get("status") is None else "")
            raise RegistrationError(f"cannot read the gateway's Azure registration at {adapter.rest_root}/appInfo: "
                                    f"{current.get('error') or 'no answer'}{hint}")
        before = view(current)
        if args["state"] == "absent":
            after = {}
            requests = [] if matches(current, None) else adapter.unregistration_requests()
        else:
            wanted = desired(facts, args["cloud"], args["tenant_id"], args["app_id"], args["app_object_id"],
                             args["redirect_uri"])
            after = {key: wanted[key] for key in ("cloud", "tenant_id", "app_id")}
            requests = [] if matches(current, wanted) else adapter.registration_requests(wanted)
        result = {"changed": bool(requests), "generation": facts["generation"],
                  "registration": after if requests else before}
        if not requests:
            return result
        if ctx.diff:
            result["diff"] = {"before": before, "after": after,
                              "before_header": "gateway registration", "after_header": "gateway registration"}
        if not ctx.check_mode:
            data = adapter.rest_request_input(facts["port"], requests, ctx.rest_credentials)
            _check_answers(ctx, facts, requests, run_script(ctx.connection, "gateway_rest", data))
        return result


def _check_answers(ctx, facts: dict, requests: list[dict], answer: dict) -> None:
    explicit = ctx.rest_credentials is not None
    read = answer.get("read") or {}
    if not 200 <= (read.get("status") or 0) < 300:
        raise RegistrationError(f"cannot call the gateway's REST API: {explain(read, facts, ctx.logon, explicit)}")
    responses = answer.get("responses") or []
    for index, sent in enumerate(requests):
        got = responses[index] if index < len(responses) else None
        if got is None or not 200 <= (got.get("status") or 0) < 300:
            raise RegistrationError(f"the gateway refused {sent['method']} {sent['path']}: "
                                    f"{explain(got, facts, ctx.logon, explicit)}",
                                    changed=any(200 <= (r.get("status") or 0) < 300 for r in responses))
