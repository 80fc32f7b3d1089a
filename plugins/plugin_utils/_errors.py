# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one root of every error a wac.fleet plugin turns into a failed task."""

from __future__ import annotations


class WacFleetError(Exception):
    """A failure the task reports: the message is its ``msg``; ``result`` holds what the task had done or seen before
    it failed (such as ``changed``, ``last_state``, ``graph_error``) and is merged into the failed result, as
    ansible.windows' reboot code carries a result out with its ``_ReturnResultException``."""

    def __init__(self, msg: str, **result):
        super().__init__(msg)
        self.result = result
