# Copyright: wac.fleet contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep the controller's objects out of the garbage collections of the workers Ansible forks (gc.freeze)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gc_freeze
type: aggregate
short_description: Keep the controller's objects out of the garbage collections of the workers Ansible forks
description:
  - Ansible forks a worker process for every host and every task. When Python's cyclic garbage collector runs in a
    worker, it walks the objects the worker inherited from the controller's main process and writes to each
    object's header, so the kernel copies page after page of the controller's memory into the worker
    (copy-on-write), and frees it again when the worker ends. The controller's memory grows with the inventory and
    the facts of every host, so at thousands of hosts this costs a worker more than its task's own work.
  - This callback moves every object of the controller to the permanent generation that no collection walks
    (C(gc.freeze()) of Python's standard library, made for processes that fork) when each task starts and after
    each host's result, so every worker starts from a frozen heap; when the next task starts it unfreezes them and
    runs one full collection first, so garbage is collected once a task and nothing stays frozen past the play.
  - It changes no output, no result and no task; it only changes when the controller's garbage is collected.
  - Enable it next to the fleet report, C(callbacks_enabled = wac.fleet.fleet_report, wac.fleet.gc_freeze) in
    C(ansible.cfg). It pays off for large inventories (thousands of hosts); with a few hosts it costs one
    collection per task.
requirements:
  - enable in configuration
"""

import gc

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wac.fleet.gc_freeze"
    CALLBACK_NEEDS_ENABLED = True

    def _new_task(self) -> None:
        # The previous task's objects are collectable again, then collected once; what stays is frozen before this
        # task forks its first worker.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._new_task()

    def v2_playbook_on_handler_task_start(self, task):
        self._new_task()

    def _after_result(self, result, *args, **kwargs) -> None:
        gc.freeze()  # O(1): the young generations join the permanent one before the next worker forks

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _after_result

    def v2_playbook_on_stats(self, stats):
        gc.unfreeze()
