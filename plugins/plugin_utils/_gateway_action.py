# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared base of the gateway_* action plugins: check every option on the controller, then act.

Options are validated (Ansible's argument spec, then this collection's checks) before anything reaches the
PC, so bad input never sends a script. Failures come back as a failed task for that host alone with a message
that names the option or the operation; connection failures propagate so Ansible reports the host unreachable.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ._gateway_adapters import AdapterError, describe, info_script_input
from ._gateway_rest_auth import REST_CREDENTIALS_OPTION, explain, logon_of, rest_credentials
from ._gateway_scripts import ScriptError, run_script
from ._gateway_service import GatewayServiceError
from ._gateway_validate import InputError, check_gateway_facts

FACTS_OPTION = {"type": "dict", "required": False}


class GatewayError(Exception):
    """The gateway is not in a state in which the task can do what it was asked."""


def read_gateway(connection, credentials: dict | None = None, logon=None) -> dict:
    """One command: read everything about the gateway (the result of wac.fleet.gateway_info). ``credentials``: the
    user name and password for the registration read (the input then goes on stdin), None for the logon's own."""
    facts = describe(run_script(connection, "gateway_info", info_script_input(credentials)))
    registration = facts["registration"]
    if not registration.get("readable"):
        registration["error"] = explain(registration, facts, logon, credentials is not None)
    return facts


class GatewayActionBase(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True
    ARGUMENT_SPEC: dict = {}
    SPEC_OPTIONS: dict = {}

    @classmethod
    def argument_spec(cls) -> dict:
        """The options of the plugin: its own and the ones every gateway plugin has (doc fragment wac.fleet.gateway)."""
        return {**cls.ARGUMENT_SPEC, "rest_credentials": REST_CREDENTIALS_OPTION}

    def check_options(self, args: dict) -> dict:
        """Collection-specific checks beyond the argument spec; raise InputError naming the option."""
        return args

    def act(self, args: dict, task_vars: dict) -> dict:
        raise NotImplementedError

    def read(self) -> dict:
        """Read the gateway now (one command), authenticating its REST read as ``rest_credentials`` says."""
        return read_gateway(self._connection, self.rest_credentials, self.logon)

    def gateway(self, args: dict) -> tuple[dict, bool]:
        """The gateway facts given in ``gateway_facts``, or read now. Returns (facts, read_now)."""
        facts = args.get("gateway_facts")
        if facts:
            return facts, False
        return self.read(), True

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=self.argument_spec(), **self.SPEC_OPTIONS)
        try:
            if "gateway_facts" in args:
                args["gateway_facts"] = check_gateway_facts(args["gateway_facts"])
            args = self.check_options(args)
            self.logon = logon_of(self._connection, task_vars or {})
            self.rest_credentials = rest_credentials(args["rest_credentials"], self.logon)
        except (InputError, GatewayServiceError) as exc:
            # Bad input: nothing has been sent to the host.
            result.update(failed=True, changed=False, msg=f"{self._task.action}: {exc}")
            return result
        try:
            result.update(self.act(args, task_vars or {}))
        except (ScriptError, GatewayError, GatewayServiceError, AdapterError) as exc:
            result.update(getattr(exc, "partial", None) or {})
            result.update(failed=True, msg=str(exc))
            last_state = getattr(exc, "last_state", None)
            if last_state is not None:
                result["last_state"] = last_state
            result.setdefault("changed", False)
        return result
