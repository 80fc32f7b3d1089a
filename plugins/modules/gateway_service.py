# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_service.py).

DOCUMENTATION = r"""
module: gateway_service
short_description: Start, stop or restart a Windows Admin Center gateway and wait until it answers HTTPS
version_added: 0.1.0
description:
  - Starts, stops or restarts the services of the gateway's generation (C(ServerManagementGateway) for classic
    server mode; C(WindowsAdminCenterAccountManagement) and C(WindowsAdminCenter) for v2), then polls one small
    health script every O(delay) seconds until every service is Running AND the gateway answers HTTPS on its port,
    or fails after O(timeout) seconds with the last state seen.
  - A desktop-mode gateway (C(SmeDesktop.exe)) has no service; asking to control it fails with a clear message,
    before any script is sent when O(gateway_facts) is given.
  - "UNCONFIRMED: that restarting both v2 services is equivalent to C(Restart-WACService)."
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
  - wac.fleet.gateway.FACTS
  - wac.fleet.gateway.WAIT
options:
  state:
    description:
      - C(started) starts stopped services and waits; C(stopped) stops them; C(restarted) always restarts and waits.
    type: str
    required: true
    choices: [started, stopped, restarted]
"""

EXAMPLES = r"""
- name: Restart the gateway after its proxy changed and wait until it answers
  wac.fleet.gateway_service:
    state: restarted
    timeout: 300
    delay: 2
    gateway_facts: "{{ ansible_facts.wac_gateway }}"

- name: Make sure the gateway runs
  wac.fleet.gateway_service:
    state: started
"""

RETURN = r"""
generation:
  description: The gateway generation.
  returned: always
  type: str
services:
  description: The services controlled.
  returned: always
  type: list
  elements: str
  sample: [ServerManagementGateway]
healthy:
  description: Whether the gateway ran and answered HTTPS at the end.
  returned: always
  type: bool
state:
  description: The last health reading (services and HTTPS answer).
  returned: always
  type: dict
last_state:
  description: The last health reading when the gateway did not come back in time.
  returned: failure
  type: dict
"""
