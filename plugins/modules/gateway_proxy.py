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
    as JSON C({address, bypassOnLocal, bypassList, protectedData2}) (Microsoft's migration module); v2 keeps it in
    C(appsettings.json) at C(WindowsAdminCenter.Http.Proxy) as C({Address, BypassOnLocal, BypassList,
    ProtectedData, Credentials}), which the collection rewrites in place (the file keeps the NetworkService entry
    of its ACL), as C(Set-WACProxy) of Microsoft's configuration module does."
  - "Credentials on v2 are written in C(Set-WACProxy)'s form: C(Credentials) = C(plaintext:) + base64 of
    C(user:password), C(ProtectedData) empty; they take effect when the gateway restarts (C(Set-WACProxy) refuses
    credentials without a restart). On a v2 gateway with an endpoint FQDN its C(ServiceFqdn) stays in the bypass
    list, where C(Set-WACEndpointFqdn) puts it (it is not shown in RV(proxy))."
  - "Classic (v1) proxy credentials are not written: their stored form (C(protectedData2)) is not documented and
    Microsoft's migration tool does not carry it over. O(username) on a classic gateway fails the task before
    anything is written; set the credentials once in the gateway's Settings > Proxy page and leave O(username)
    unset (a change of address or bypass list then keeps them), or use a proxy that needs none."
  - Microsoft's procedure restarts the gateway after a proxy change, or the Azure registration fails. The task
    returns RV(restart_required); with O(restart=true) it restarts the gateway itself and waits until it answers.
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
    default: true
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
      - C(always) makes sure the stored password is O(password) (the PC compares it with the stored plaintext form,
        so it never travels back). Should WAC rewrite that form at start-up (UNCONFIRMED), the password cannot be
        compared and C(always) rewrites it, and restarts the gateway, on every run; use C(on_create) then.
      - C(on_create) sets the password only when credentials for O(username) are not stored yet (credentials whose
        user cannot be read back count as that user's).
    type: str
    choices: [always, on_create]
    default: on_create
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
