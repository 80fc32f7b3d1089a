# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one contract of every wac.fleet action plugin: ``check(args) -> args``, then ``act(args, ctx) -> result``.

``run`` validates the arguments with Ansible's argument spec, then ``complete`` fills what a plugin may take from
the host's variables (read as they are, never a large fact templated whole; it raises :class:`Settled` when those
variables already decide the result, such as a skip), then ``check`` (no network, no
script: bad input never reaches a PC or Graph) returns them normalised, then the side's ``context`` builds what
``act`` works with (the Graph client, the host's connection), then ``act`` returns the task's result. A
:class:`WacFleetError` raised anywhere becomes a failed task whose result also holds the error's partial
``result``. The two sides
(``_entra_action.EntraActionBase``, ``_gateway_action.GatewayActionBase``) only fill in ``context``.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ._errors import WacFleetError


class Settled(Exception):
    """Raised by ``complete`` when the host's variables already decide the task's result (skipped, or failed for a
    reason that is not this task's input): the result is returned as it is, nothing is checked or sent."""

    def __init__(self, **result):
        super().__init__(result.get("msg", ""))
        self.result = result


class WacFleetActionBase(ActionBase):
    """Plugins set ARGUMENT_SPEC (and SPEC_OPTIONS: ``mutually_exclusive``, ``required_if``, ...), implement ``check``
    and ``act``."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    ARGUMENT_SPEC: dict = {}
    SPEC_OPTIONS: dict = {}
    # Whether a failure before ``act`` names the task's action at the start of its message.
    NAME_ACTION_IN_INPUT_ERRORS = False

    @classmethod
    def argument_spec(cls) -> dict:
        """Every option of the plugin: its own and the ones of its side."""
        return dict(cls.ARGUMENT_SPEC)

    def check_shared(self, args: dict) -> dict:
        """The side's checks of its shared options, before the plugin's ``check``."""
        return args

    def complete(self, args: dict, task_vars: dict) -> dict:
        """Options the plugin takes from the host's variables when the task omits them; returns the arguments or
        raises :class:`Settled`."""
        return args

    def check(self, args: dict) -> dict:
        """The plugin's checks beyond the argument spec; returns the normalised arguments, raises InputError."""
        return args

    def context(self, args: dict, task_vars: dict):
        """What ``act`` works with besides its arguments (the side's Context)."""
        raise NotImplementedError

    def act(self, args: dict, ctx) -> dict:
        raise NotImplementedError

    def finish(self, result: dict) -> None:
        """Called with every result, failed or not, before it is returned."""

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=self.argument_spec(), **self.SPEC_OPTIONS)
        try:
            result.update(self.outcome(args, task_vars or {}))
            result.setdefault("changed", False)
            return result
        finally:
            self.finish(result)

    def outcome(self, args: dict, task_vars: dict) -> dict:
        """The task's result: as the host's variables settle it, failed on bad input or a failed step, or what
        ``act`` did."""
        try:
            args = self.check(self.check_shared(self.complete(args, task_vars)))
            ctx = self.context(args, task_vars)
        except Settled as settled:
            return settled.result
        except WacFleetError as exc:
            return _failed(exc, f"{self._task.action}: " if self.NAME_ACTION_IN_INPUT_ERRORS else "")
        try:
            return self.act(args, ctx)
        except WacFleetError as exc:
            return _failed(exc)


def _failed(exc: WacFleetError, prefix: str = "") -> dict:
    return {**exc.result, "failed": True, "msg": f"{prefix}{exc}"}
