"""Test-only stdout callback: every task result of every host as one JSON document at the end of the run.

ansible-core no longer ships a JSON stdout callback (it moved to ansible.posix), so the integration tests bring this
small one: ``{"plays": [{"play": {"name"}, "tasks": [{"task": {"name"}, "hosts": {host: result}}]}],
"stats": {host: {"ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored"}}}``.
"""

from __future__ import annotations

import json

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase

from ansible_collections.wac.fleet.plugins.callback.fleet_report import task_result_parts

DOCUMENTATION = r"""
name: results_json
type: stdout
short_description: All task results as one JSON document (wac.fleet tests only)
description:
  - Prints every task result of every host as one JSON document when the run ends.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "results_json"

    def __init__(self, display=None):
        super().__init__(display)
        self.plays: list[dict] = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def _task(self, task):
        tasks = self.plays[-1]["tasks"]
        if not tasks or tasks[-1]["task"]["id"] != str(task._uuid):
            tasks.append({"task": {"name": task.get_name(), "id": str(task._uuid)}, "hosts": {}})
        return tasks[-1]

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task(task)

    def _record(self, result, **status):
        host, task, answer = task_result_parts(result)
        entry = self._task(task)
        data = self._clean(dict(answer))
        data.update(status)
        entry["hosts"][host.get_name()] = data

    @staticmethod
    def _clean(data):
        return {k: v for k, v in data.items() if not k.startswith("_ansible")}

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        output = {"plays": self.plays, "stats": summary}
        self._display.display(json.dumps(output, cls=AnsibleJSONEncoder, indent=1, sort_keys=True))
