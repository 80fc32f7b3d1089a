# Copyright: wac.fleet contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report callback: progress on long runs and one summary of every gateway at the end."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_report
type: aggregate
short_description: Progress and a per-gateway report (JSON, Markdown, JUnit XML) of a wac.fleet run
description:
  - Shows progress while a run goes on (for the task under way, how many of the N gateways have answered, and how
    many gateways have failed so far) and, at the end, a table of every gateway of the play
    with its generation, proxy, restart and registration outcome, the app ID it registers to, its end-to-end check,
    and the reason of any failure; then each app of the fleet with its redirect URIs against its limit.
  - 'The end-to-end check of a gateway - its redirect URIs are in its app, the app''s admin consent is granted, and
    the gateway says it is registered to that app (as read at the start of the run, or as it accepted the
    registration in this run). The report names the checks that fail (C(failed: consent)), or that could not be
    made (C(unknown: consent) when consent was not part of the run). A gateway failing a check fails in the JUnit
    form too.'
  - Writes the same summary as C(report.json), C(report.md) and C(report.junit.xml) to O(report_dir); the JSON
    form also lists the redirect URIs each gateway needs in its app.
  - Records only the fields it shows (outcomes, generation, messages of failures); task arguments, and so secrets,
    are never read.
  - Enable it with C(callbacks_enabled = wac.fleet.fleet_report) in C(ansible.cfg) or
    C(ANSIBLE_CALLBACKS_ENABLED=wac.fleet.fleet_report).
requirements:
  - enable in configuration
options:
  report_dir:
    description:
      - Folder the report files are written to; created if missing.
      - When not set and the run is a job of ansible-runner (AWX, Ansible Automation Platform), which names the job's
        artifact folder in E(AWX_ISOLATED_DATA_DIR), the report goes to its C(wac_fleet_report) subfolder, so it
        comes back with the job's artifacts; otherwise to C(./wac_fleet_report).
    type: path
    env:
      - name: WAC_FLEET_REPORT_DIR
    ini:
      - section: wac_fleet
        key: report_dir
  progress_every:
    description: Show a progress line each time this many more gateways have answered the task under way
      (0 turns progress off).
    type: int
    default: 50
    env:
      - name: WAC_FLEET_PROGRESS_EVERY
    ini:
      - section: wac_fleet
        key: progress_every
"""

import json
import os
import time
from pathlib import Path

from ansible.plugins.callback import CallbackBase

from ansible_collections.wac.fleet.plugins.plugin_utils._fleet_report import FleetReport


def task_result_parts(result):
    """The host, task and result dict of a task result given to a callback. ansible-core 2.19 and later have the public
    properties ``host``, ``task`` and ``result`` (their underscore forms are to be deprecated in 2.23); 2.16 to 2.18
    have only ``_host``, ``_task`` and ``_result``, which every callback of those releases reads (see
    docs/development.md)."""
    try:
        return result.host, result.task, result.result
    except AttributeError:
        return result._host, result._task, result._result


def default_report_dir():
    """The report folder when report_dir is not set: inside the job's artifacts under ansible-runner (it sets
    AWX_ISOLATED_DATA_DIR to the artifact folder of the job, inside the container too), else ./wac_fleet_report."""
    artifacts = os.environ.get("AWX_ISOLATED_DATA_DIR")
    return os.path.join(artifacts, "wac_fleet_report") if artifacts else "./wac_fleet_report"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wac.fleet.fleet_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._report = FleetReport()
        self._started = time.monotonic()
        self._task_name = ""
        self._task_answers = 0

    # play and task bookkeeping -------------------------------------------------------------------------
    def v2_playbook_on_play_start(self, play):
        # The play's hosts (its pattern, --limit applied) as the play's own magic variable ansible_play_hosts_all.
        play_vars = play.get_variable_manager().get_vars(play=play) if play.hosts else {}
        self._report.add_hosts(play_vars.get("ansible_play_hosts_all") or [])

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_name = task.get_name().strip()
        self._task_answers = 0

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, status):
        host, task, answer = task_result_parts(result)
        self._report.record(
            host=host.get_name(),
            action=task.resolved_action or task.action,
            status=status,
            result=answer,
            check_mode=bool(task.check_mode),
        )
        self._progress()

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def _progress(self):
        every = self.get_option("progress_every")
        self._task_answers += 1
        if every and self._task_answers % every == 0:
            elapsed = time.monotonic() - self._started
            self._display.display(
                f"wac.fleet: {self._task_name}: {self._task_answers}/{len(self._report.hosts)} gateways answered, "
                f"{self._report.failed_count()} failed so far ({elapsed:.0f} s)",
                color="cyan",
            )

    # the end -------------------------------------------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        if not self._report.hosts:
            return
        summary = self._report.summary()
        folder = Path(os.path.expanduser(self.get_option("report_dir") or default_report_dir()))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        (folder / "report.md").write_text(self._report.markdown(summary))
        (folder / "report.junit.xml").write_text(self._report.junit(summary))
        self._display.banner("WAC FLEET REPORT")
        self._display.display(self._report.table(summary))
        self._display.display(f"report written to {folder}")
