# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_proxy.py).

DOCUMENTATION = r"""
module: gateway_proxy
short_description: Set or clear the proxy a Windows Admin Center gateway uses to reach Azure
version_added: 0.1.0
description:
  - Sets the gateway proxy (the UI's Settings > Gateway > Proxy), writing only when it differs from what is stored.
  - "Classic gateways keep it in the registry value C(Proxy) of C(HKLM:\\SOFTWARE\\Microsoft\\ServerManagementGateway)
    as JSON C({address, bypassOnLocal, bypassList, protectedData2}); v2 keeps it in
    C(appsettings.json) at C(WindowsAdminCenter.Http.Proxy) as C({Address, BypassOnLocal, BypassList, ProtectedData})."
  - Microsoft's procedure restarts the gateway after a proxy change, or the Azure registration fails. The task
    returns RV(restart_required); with O(restart=true) it restarts the gateway itself and waits until it answers.
  - "UNCONFIRMED: the format of the protected credentials (C(protectedData2), C(ProtectedData)). This collection
    protects C({username, password}) with DPAPI for the local machine; check on one gateway that it authenticates
    before relying on proxy credentials. A v1 proxy with credentials is not migrated to v2 by Microsoft's tool."
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
  - wac.fleet.gateway.FACTS
  - wac.fleet.gateway.WAIT
options:
  state:
    description: C(present) sets the proxy; C(absent) removes it (and its credentials).
    type: str
    choices: [present, absent]
    default: present
  address:
    description:
      - Proxy URL C(http[s]://host[:port]), without path, query, fragment or user info. Required when
        O(state=present).
    type: str
  bypass_on_local:
    description: Local addresses are reached directly.
    type: bool
    default: false
  bypass_list:
    description: Hosts, domains (C(*.contoso.com)) or addresses reached directly; no scheme, no spaces.
    type: list
    elements: str
    default: []
  username:
    description: User name for the proxy. Omit for a proxy without authentication (stored credentials are removed).
    type: str
  password:
    description:
      - Password for O(username). It is never returned, logged or shown in a diff.
      - Cannot be given without O(username).
    type: str
  update_password:
    description:
      - C(always) makes sure the stored password is O(password) (the PC compares it, since it cannot be read back).
      - C(on_create) sets the password only when credentials for O(username) are not stored yet.
    type: str
    choices: [always, on_create]
    default: always
  restart:
    description:
      - Restart the gateway when the proxy changed, and wait until it answers HTTPS (see O(timeout), O(delay)).
      - Fails for a desktop-mode gateway, which has no service.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Read the gateway once
  wac.fleet.gateway_info:

- name: Set the proxy and restart the gateway if it changed
  wac.fleet.gateway_proxy:
    address: http://proxy.contoso.com:3128
    bypass_on_local: true
    bypass_list:
      - contoso.com
      - "*.contoso.com"
    username: CONTOSO\wac-proxy
    password: "{{ vault_proxy_password }}"
    update_password: on_create
    restart: true
    gateway_facts: "{{ ansible_facts.wac_gateway }}"

- name: Remove the proxy
  wac.fleet.gateway_proxy:
    state: absent
"""

RETURN = r"""
generation:
  description: The gateway generation.
  returned: always
  type: str
proxy:
  description: The proxy after the task (never a password); null when none.
  returned: always
  type: dict
restart_required:
  description: The proxy changed and the gateway has not been restarted yet.
  returned: always
  type: bool
restarted:
  description: The task restarted the gateway (O(restart=true)).
  returned: always
  type: bool
"""
