"""The gateway action plugins' branches, run in process: the plugin is the real ActionModule; what stands in is
Ansible's connection to the Windows host (what the plugin talks to), whose exec_command decodes the PowerShell
command line as the fleet emulator does and runs the script on a simulated PC of the fleet emulator (its gateway
model and operations), with no network. As ansible.windows tests its action plugins (tests/unit/plugins/action/
test_win_updates.py: a fake connection, the real plugin). The same branches run end to end through ansible-playbook
and WinRM in tests/integration/test_gateway_ready.py."""

from __future__ import annotations

import importlib
import types

import pytest
from ansible.playbook.play_context import PlayContext

from tests.emulators.fleet import ops
from tests.emulators.fleet.commandline import decode_command_line
from tests.emulators.fleet.gateway_model import RUNNING, STOPPED, GatewayModel
from tests.emulators.fleet.session import Session

USER, PASSWORD = "wac-admin", "Pa55"
PROXY = {"state": "present", "address": "http://proxy.contoso.test:3128"}


class FakeConnection:
    """Ansible's winrm connection as an action plugin sees it: its options and exec_command."""

    transport = "ansible.builtin.winrm"

    def __init__(self, pc):
        self.pc = pc
        self.commands: list[str] = []
        self._shell = types.SimpleNamespace(tmpdir=None)  # ActionBase.run looks for a remote temp folder
        self.options = {"remote_user": USER, "remote_password": PASSWORD, "transport": ["ntlm"]}

    def get_option(self, name):
        return self.options[name]

    def exec_command(self, cmd, in_data=None, sudoable=True):
        script = decode_command_line(cmd)
        self.commands.append(ops.find_operation(script))
        rc, stdout, stderr = ops.run_script(self.pc, script, (in_data or b"").decode(),
                                            Session.for_auth(USER, "ntlm"))
        return rc, stdout.encode(), stderr.encode()


def make_pc(generation: str, **options):
    model = GatewayModel(generation, "pc1", "PC1.fleet.wac.test", accounts={USER: PASSWORD}, start_delay=0.01,
                         **options)
    return types.SimpleNamespace(name="pc1", user=USER, generation=generation, model=model,
                                 faults={"script_fail": None, "service_never_starts": False}, log=[])


def run_action(name: str, connection: FakeConnection, args: dict, *, check_mode: bool = False) -> dict:
    task = types.SimpleNamespace(args=args, action=f"wac.fleet.{name}", async_val=0, check_mode=check_mode,
                                 diff=False)
    module = importlib.import_module(f"ansible_collections.wac.fleet.plugins.action.{name}")
    plugin = module.ActionModule(task, connection, PlayContext(), loader=None, templar=None, shared_loader_obj=None)
    return plugin.run(task_vars={"inventory_hostname": "pc1"})


def ready(connection, check_mode=False, **args):
    return run_action("gateway_ready", connection, {"timeout": 5, "delay": 0.05, **args}, check_mode=check_mode)


def test_a_stopped_gateway_is_started():
    pc = make_pc("classic_server")
    pc.model.apply({"services": STOPPED})
    connection = FakeConnection(pc)
    result = ready(connection)
    assert not result.get("failed"), result
    assert result["changed"] and result["restart"] == "started" and result["restart_required"] is False
    assert result["ansible_facts"]["wac_gateway"]["service_state"] == RUNNING
    assert set(pc.model.to_dict()["services"].values()) == {RUNNING}
    assert ready(connection)["changed"] is False  # running now: nothing to do


def test_a_proxy_written_without_restart_is_applied_by_a_restart():
    pc = make_pc("modern")
    connection = FakeConnection(pc)
    written = run_action("gateway_proxy", connection, {**PROXY, "restart": False})
    assert written["changed"] and written["restart_required"], written
    starts = pc.model.service_starts
    result = ready(connection)
    assert result["changed"] and result["restart"] == "restarted" and not result["proxy_changed"], result
    assert pc.model.service_starts > starts
    assert result["ansible_facts"]["wac_gateway"]["restart_pending"] is False


def test_check_mode_reports_the_restart_without_running_it():
    pc = make_pc("classic_server")
    connection = FakeConnection(pc)
    result = ready(connection, check_mode=True, proxy=PROXY)
    assert result["changed"] and result["proxy_changed"] and result["restart"] == "restarted", result
    assert connection.commands == ["gateway_info"]
    assert pc.model.to_dict()["proxy"] is None


def test_a_desktop_gateway_gets_its_proxy_and_a_warning_instead_of_a_restart():
    pc = make_pc("classic_desktop")
    connection = FakeConnection(pc)
    result = ready(connection, proxy=PROXY)
    assert result["changed"] and result["proxy_changed"] and result["restart"] == "none", result
    assert result["restart_required"] is True and "closes and reopens" in result["warnings"][0]
    assert "gateway_service_control" not in connection.commands


def test_a_service_that_never_starts_fails_with_what_was_done_and_the_last_state():
    pc = make_pc("classic_server")
    pc.faults["service_never_starts"] = True
    connection = FakeConnection(pc)
    result = ready(connection, proxy=PROXY, timeout=0.3)
    assert result["failed"] and "did not come back within 0.3 seconds" in result["msg"], result
    assert result["changed"] is True and result["proxy_changed"] is True and result["generation"] == "classic_server"
    assert result["proxy"]["address"] == PROXY["address"]
    assert result["last_state"]["https"]["ok"] is False


@pytest.mark.parametrize(("args", "named"), [
    ({"proxy": {**PROXY, "password": "Secret-1"}}, "proxy.password"),
    ({"timeout": 0}, "timeout"),
])
def test_bad_input_fails_before_any_command(args, named):
    connection = FakeConnection(make_pc("modern"))
    result = ready(connection, **args)
    assert result["failed"] and result["msg"].startswith("wac.fleet.gateway_ready: ") and named in result["msg"]
    assert result["changed"] is False and connection.commands == []
    assert "Secret-1" not in str(result)


def test_a_registration_the_gateway_will_not_show_fails_before_any_write():
    pc = make_pc("classic_server")
    connection = FakeConnection(pc)
    connection.options.update(remote_password="wrong")  # the REST call carries the connection's credentials
    result = run_action("gateway_registration", connection, {
        "tenant_id": "11111111-2222-3333-4444-555555555555", "app_id": "66666666-7777-8888-9999-000000000000",
        "rest_credentials": "connection"})
    assert result["failed"] and result["changed"] is False, result
    assert "cannot read the gateway's Azure registration" in result["msg"] and "HTTP 401" in result["msg"]
    assert connection.commands == ["gateway_info"] and "wrong" not in str(result)
