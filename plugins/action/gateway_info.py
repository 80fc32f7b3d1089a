# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.gateway_info: read a Windows Admin Center gateway in one WinRM command (see plugins/modules)."""

from __future__ import annotations

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_action import GatewayActionBase


class ActionModule(GatewayActionBase):
    ARGUMENT_SPEC: dict = {}

    def act(self, args, ctx):
        facts = ctx.read()
        return {"changed": False, "gateway": facts, "ansible_facts": {"wac_gateway": facts}, **facts}
