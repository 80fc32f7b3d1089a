"""Test-only action: the garbage collector's state of the worker Ansible forked for this host and task."""

from __future__ import annotations

import gc

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # objects inherited frozen from the controller; objects the collector would walk in a full collection
        result.update(changed=False, frozen=gc.get_freeze_count(), walked=len(gc.get_objects()))
        return result
