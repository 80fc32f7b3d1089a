# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wac.fleet.doctor_summary: the Markdown fleet summary of the gateway doctor's reports."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.wac.fleet.plugins.plugin_utils._gateway_doctor_report import SCHEMA, summary_markdown

DOCUMENTATION = r"""
name: doctor_summary
short_description: The Markdown fleet summary of the gateway doctor's reports
version_added: 0.1.0
description:
  - "From the C(wac_doctor) facts M(wac.fleet.gateway_doctor) set on each host, a Markdown document: for every fact,
    on how many gateways of each generation it is confirmed / contradicted / absent; then every contradiction with
    what was found, the gateways on which the collection would fail and why, the hosts without a report, and the
    warnings (certificates about to expire)."
  - Runs on the controller and reads no gateway.
author:
  - wac.fleet maintainers (@wac-fleet)
positional: hostvars
options:
  _input:
    description: Inventory host names (for example C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
  hash_host_names:
    description:
      - Do not list the hosts without a report by name, only count them (the reports name their hosts as they were
        written).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Write the fleet summary
  ansible.builtin.copy:
    content: "{{ ansible_play_hosts_all | wac.fleet.doctor_summary(hostvars) }}"
    dest: wac-doctor/summary.md
    mode: "0644"
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The summary, as Markdown.
  type: str
"""


def doctor_summary(hosts, hostvars, hash_host_names=False):
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("doctor_summary: hostvars must be the hostvars magic variable")
    reports, missing = [], []
    for host in hosts:
        report = (hostvars.get(host) or {}).get("wac_doctor")
        if isinstance(report, Mapping) and report.get("schema") == SCHEMA:
            reports.append(report)
        else:
            missing.append(host)
    return summary_markdown(reports, len(missing) if hash_host_names else missing)


class FilterModule:
    def filters(self):
        return {"doctor_summary": doctor_summary}
