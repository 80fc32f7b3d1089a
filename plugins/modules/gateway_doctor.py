# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_doctor.py).

DOCUMENTATION = r"""
module: gateway_doctor
short_description: Hold a Windows Admin Center gateway against every fact the collection relies on, read-only
version_added: 0.1.0
description:
  - Collects, in one WinRM command that writes nothing, the evidence for every fact of the collection's table of
    Windows Admin Center facts (C(docs/gateway.md)) and judges each one on this gateway as C(confirmed),
    C(contradicted) (with what was found) or C(absent) (what the fact is about is not on this gateway, or it cannot
    be checked without writing; the result says which).
  - "The evidence: the settings (registry key of the classic gateway, C(appsettings.json) of the modernized one,
    with every secret and credential blob replaced by whether it is set and its form, never its value), services
    and their start types, processes, the desktop client certificate, the http.sys TLS bindings, the certificate
    served on the gateway's port (its subject and expiry: a warning within O(expiry_warning_days)), read-only
    C(GET <root>/appInfo) calls with the logon's default credentials and, where O(rest_credentials) gives them, the
    connection's (which shows whether the logon has delegated credentials for the registration step), the v1 and
    v2 installs side by side (C(MarkedMigrated.txt)), the v1 high-availability key, the WinRM quotas
    C(MaxShellsPerUser) and C(MaxMemoryPerShellMB), the OS and PowerShell versions, the WAC version and the cmdlets
    of the configuration module C(Microsoft.WindowsAdminCenter.Configuration) (imported from
    C(%ProgramFiles%\\WindowsAdminCenter\\PowerShellModules) when it is not loaded)."
  - Writes one JSON report per gateway (schema C(wac.fleet/doctor/1), no secrets) into O(report_dir) on the
    controller, and sets the fact C(wac_doctor) to it; the filter P(wac.fleet.doctor_summary#filter) turns the
    reports of a fleet into a Markdown summary. The playbook C(wac.fleet.doctor) does all of this for a fleet.
  - Contradictions are reported, never fatal. The task fails only where the collection itself would fail on this
    gateway (no gateway installed; the registration read unreachable or refused on a running gateway), with the
    facts that decided it, unless O(fail_on_blocking=false).
  - A report replays in the collection's fleet emulator (C(python -m tests.emulators.fleet --from-doctor FILE)), so a
    gateway that contradicts a fact becomes a test case; see C(docs/guide.md).
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
options:
  report_dir:
    description:
      - Folder on the controller for the report, C(<report_dir>/<inventory_hostname>.json) (or the host's pseudonym
        with O(hash_host_names)); created when missing. Written in check mode too (nothing is written to the
        gateway). Omitted, no file is written.
    type: path
  hash_host_names:
    description:
      - Replace every host name of the gateway in the report (inventory name, computer name, FQDN, endpoint and
        service FQDN) by C(host-) and 12 hex digits of its SHA-256, before the report is written or returned.
      - "A pseudonym, not anonymity: anyone who knows a name can compute its pseudonym."
    type: bool
    default: false
  expiry_warning_days:
    description:
      - Warn when the certificate the gateway serves expires within this many days (the self-signed one lasts 60).
    type: int
    default: 14
  fail_on_blocking:
    description:
      - Fail the task where the collection itself would fail on this gateway. The playbook C(wac.fleet.doctor) sets
        it false, writes the fleet summary, then fails those gateways.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Check one gateway of each generation before the first run
  wac.fleet.gateway_doctor:
    report_dir: "{{ playbook_dir }}/wac-doctor"

- name: A report to attach to a bug report, without host names
  wac.fleet.gateway_doctor:
    report_dir: /tmp/wac-doctor
    hash_host_names: true
  register: doctor

- name: Show what this gateway contradicts
  ansible.builtin.debug:
    var: doctor.contradicted
"""

RETURN = r"""
generation:
  description: The gateway's generation as M(wac.fleet.gateway_info) detects it; null when no gateway was found.
  returned: always
  type: str
  sample: modern
summary:
  description: How many facts came out C(confirmed), C(contradicted) and C(absent).
  returned: always
  type: dict
  sample: {"confirmed": 40, "contradicted": 1, "absent": 26}
contradicted:
  description: The facts this gateway contradicts, each with C(id) and C(found) (what was found instead).
  returned: always
  type: list
  elements: dict
blocking:
  description:
    - What would make the collection fail on this gateway, each with C(msg) and C(facts) (the fact ids that decided
      it); empty when nothing would.
  returned: always
  type: list
  elements: dict
report_path:
  description: The report file written on the controller.
  returned: when report_dir is set
  type: str
ansible_facts:
  description:
    - C(wac_doctor), the whole report (schema C(wac.fleet/doctor/1)) with C(gateway), C(environment), C(facts)
      (each with C(id), C(result), C(found) and the fact's C(value), C(status), C(source)), C(summary),
      C(unconfirmed), C(blocking), C(warnings) and C(evidence).
  returned: always
  type: dict
"""
