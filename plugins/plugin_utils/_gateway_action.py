# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway side of the action contract (``_action.py``): the options every gateway plugin has, and the context
its ``act`` works with (the host's connection, the logon, the credentials of the gateway's REST API).

Options are validated (Ansible's argument spec, then this collection's checks) before anything reaches the
PC, so bad input never sends a script. Failures come back as a failed task for that host alone with a message
that names the option or the operation; connection failures propagate so Ansible reports the host unreachable.
"""

from __future__ import annotations

import dataclasses

from ._action import WacFleetActionBase
from ._gateway_adapters import describe, info_script_input
from ._gateway_rest_auth import REST_CREDENTIALS_OPTION, explain, logon_of, rest_credentials
from ._gateway_scripts import run_script
from ._gateway_validate import check_gateway_facts

FACTS_OPTION = {"type": "dict", "required": False}


def read_gateway(connection, credentials: dict | None = None, logon=None) -> dict:
    """One command: read everything about the gateway (the result of wac.fleet.gateway_info). ``credentials``: the
    user name and password for the registration read (the input then goes on stdin), None for the logon's own."""
    facts = describe(run_script(connection, "gateway_info", info_script_input(credentials)))
    registration = facts["registration"]
    if not registration.get("readable"):
        registration["error"] = explain(registration, facts, logon, credentials is not None)
    return facts


@dataclasses.dataclass
class Context:
    """What a gateway plugin's ``act`` gets besides its arguments."""

    connection: object  # the host's Ansible connection: only its exec_command is called
    logon: object  # who the connection logs on as (_gateway_rest_auth.logon_of)
    rest_credentials: dict | None  # for the gateway's REST API, None for the logon's own
    host: str
    check_mode: bool
    diff: bool

    def read(self) -> dict:
        """Read the gateway now (one command), authenticating its REST read as ``rest_credentials`` says."""
        return read_gateway(self.connection, self.rest_credentials, self.logon)

    def gateway(self, args: dict) -> tuple[dict, bool]:
        """The gateway facts given in ``gateway_facts``, or read now. Returns (facts, read_now)."""
        facts = args.get("gateway_facts")
        if facts:
            return facts, False
        return self.read(), True


class GatewayActionBase(WacFleetActionBase):
    _requires_connection = True
    NAME_ACTION_IN_INPUT_ERRORS = True

    @classmethod
    def argument_spec(cls) -> dict:
        """The options of the plugin: its own and the ones every gateway plugin has (doc fragment wac.fleet.gateway)."""
        return {**cls.ARGUMENT_SPEC, "rest_credentials": REST_CREDENTIALS_OPTION}

    def check_shared(self, args: dict) -> dict:
        if "gateway_facts" in args:
            args["gateway_facts"] = check_gateway_facts(args["gateway_facts"])
        return args

    def context(self, args: dict, task_vars: dict) -> Context:
        logon = logon_of(self._connection, task_vars)
        return Context(self._connection, logon, rest_credentials(args["rest_credentials"], logon),
                       str(task_vars.get("inventory_hostname") or "gateway"), bool(self._task.check_mode),
                       bool(self._task.diff))
