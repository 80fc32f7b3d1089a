# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_ready.py).

DOCUMENTATION = r"""
module: gateway_ready
short_description: Read a Windows Admin Center gateway, apply its proxy and make sure it runs with it, in one task
version_added: 0.1.0
description:
  - What the C(wac.fleet.gateway) role does to each gateway, in one task, so that a fleet costs one task per
    gateway on a re-run (one WinRM command when nothing differs).
  - Reads the gateway as M(wac.fleet.gateway_info) does and sets the same C(wac_gateway) facts, updated with what
    the task changed, for later tasks to reuse (O(wac.fleet.gateway_registration#module:gateway_facts)). Only the
    facts carry them, to keep the result small (the controller handles one per gateway).
  - With O(proxy), sets or clears the proxy as M(wac.fleet.gateway_proxy) does, writing only when it differs.
    Without it, the proxy is left alone.
  - Restarts the gateway when the proxy changed, or when an earlier run wrote the proxy and stopped before the
    restart (C(wac_gateway.restart_pending)); otherwise starts it when one of its services is not running (a crash, a
    restart that never completed). Then waits until it answers HTTPS (O(timeout), O(delay)).
  - A desktop-mode gateway has no service; a proxy change there returns RV(restart_required) and a warning (the
    user closes and reopens Windows Admin Center).
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
  - wac.fleet.gateway.WAIT
options:
  proxy:
    description:
      - The proxy the gateway uses to reach Azure; omit to leave it alone. Its options are those of
        M(wac.fleet.gateway_proxy).
    type: dict
    suboptions:
      state:
        description: C(present) sets the proxy; C(absent) removes it (and its credentials).
        type: str
        choices: [present, absent]
        default: present
      address:
        description: Proxy URL C(http[s]://host[:port]) without path. Required when O(proxy.state=present).
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
        description: User name for the proxy. Omit for a proxy without authentication.
        type: str
      password:
        description: Password for O(proxy.username); never returned, logged or shown in a diff.
        type: str
      update_password:
        description: C(always) makes sure the stored password is O(proxy.password); C(on_create) sets it only
          when credentials for O(proxy.username) are not stored yet.
        type: str
        choices: [always, on_create]
        default: on_create
"""

EXAMPLES = r"""
- name: Read each gateway, set its proxy, restart it where the proxy changed
  wac.fleet.gateway_ready:
    proxy:
      address: http://proxy.contoso.com:3128
      bypass_on_local: true
      bypass_list:
        - "*.contoso.com"
    timeout: 300

- name: Register it with what was read (no second read)
  wac.fleet.gateway_registration:
    tenant_id: 2f4a9838-26b7-47ee-be60-ccc1fdec5953
    app_id: 8a1f4b6e-3c2d-4e5f-9a8b-7c6d5e4f3a2b
    gateway_facts: "{{ ansible_facts.wac_gateway }}"
"""

RETURN = r"""
generation:
  description: C(classic_server), C(classic_desktop) or C(modern).
  returned: always
  type: str
redirect_uris:
  description: The redirect URIs this gateway needs in the shared Entra app.
  returned: always
  type: list
  elements: str
proxy:
  description: The proxy after the task (never a password); null when none.
  returned: always
  type: dict
proxy_managed:
  description: Whether O(proxy) was given (false - the proxy was left alone).
  returned: always
  type: bool
proxy_changed:
  description: The proxy was (or in check mode would be) written.
  returned: always
  type: bool
restart:
  description: C(restarted), C(started) or C(none) (what was, or in check mode would be, done to the service).
  returned: always
  type: str
restart_required:
  description: The proxy changed on a desktop-mode gateway, which only a user can restart.
  returned: always
  type: bool
state:
  description: The last health check (services and HTTPS answer) after a restart or start.
  returned: when the gateway was restarted or started
  type: dict
ansible_facts:
  description: The facts the task sets.
  returned: always
  type: dict
  contains:
    wac_gateway:
      description: The gateway as read, updated with what the task changed; the keys M(wac.fleet.gateway_info)
        returns.
      type: dict
"""
