"""Wall time and outcomes of every task of a run, as JSON, for benchmarks/fleet.py (profiling, not a product)."""

from __future__ import annotations

import json
import time
from collections import Counter

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: task_times
type: aggregate
short_description: Wall time and per-host outcomes of every task, written as JSON (benchmarks only)
description:
  - Records when each task (and handler) starts, how long it ran until the next one started or the play ended,
    and how many hosts were ok, changed, skipped, failed or unreachable in it.
options:
  path:
    description: JSON file written at the end of the run.
    type: path
    required: true
    env:
      - name: WAC_BENCH_TASK_TIMES
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._tasks = []
        self._started = time.monotonic()

    def _close(self):
        if self._tasks and self._tasks[-1]["seconds"] is None:
            self._tasks[-1]["seconds"] = round(time.monotonic() - self._tasks[-1]["_at"], 3)

    def _begin(self, task, handler=False):
        self._close()
        self._tasks.append({"name": task.get_name(), "action": task.action, "handler": handler,
                            "offset": round(time.monotonic() - self._started, 3), "seconds": None,
                            "hosts": Counter(), "_at": time.monotonic()})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._begin(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._begin(task, handler=True)

    def _count(self, outcome, result):
        if self._tasks:
            self._tasks[-1]["hosts"][outcome] += 1
            if outcome == "ok" and result._result.get("changed"):
                self._tasks[-1]["hosts"]["changed"] += 1

    def v2_runner_on_ok(self, result):
        self._count("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count("failed", result)

    def v2_runner_on_skipped(self, result):
        self._count("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._count("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        self._close()
        tasks = [{k: (dict(v) if isinstance(v, Counter) else v) for k, v in t.items() if k != "_at"}
                 for t in self._tasks]
        with open(self.get_option("path"), "w", encoding="utf-8") as out:
            json.dump({"total_seconds": round(time.monotonic() - self._started, 3), "tasks": tasks}, out, indent=1)
