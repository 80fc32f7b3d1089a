# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_info.py).

DOCUMENTATION = r"""
module: gateway_info
short_description: Read the generation, service, port, proxy and Azure registration of a Windows Admin Center gateway
version_added: 0.1.0
description:
  - Reads in one WinRM command everything the other gateway_* tasks need, and returns it as the fact
    C(wac_gateway) so that later tasks can reuse it with their C(gateway_facts) option.
  - Detects the generation of the gateway (classic server mode, classic desktop mode, modernized v2), its version,
    service and state, HTTPS port, gateway URL, the FQDN of the host, the redirect URIs the gateway needs in a
    shared Entra app, the current proxy (never its password) and the current Azure registration.
  - "Redirect URIs: C(https://localhost:6516) and C(http://localhost:6516) (the desktop port) for a desktop-mode
    gateway, as Microsoft's procedure adds so that many PCs can share one app ID; C(https://<fqdn>[:<port>])
    for a gateway server; for v2 the endpoint FQDN (C(Get-WACEndpointFqdn)) and HTTPS port."
  - "UNCONFIRMED: where v2 keeps its port and endpoint FQDN in C(appsettings.json)
    (C(WindowsAdminCenter.Hosting.Port), C(WindowsAdminCenter.Hosting.EndpointFqdn)), the v2 version read from
    C(WindowsAdminCenter.exe), and the shape of the answer of the gateway's C(appInfo) REST path that tells the
    registration."
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
options: {}
"""

EXAMPLES = r"""
- name: Read the gateway
  wac.fleet.gateway_info:
  register: gateway

- name: Show what the shared Entra app needs for this gateway
  ansible.builtin.debug:
    var: ansible_facts.wac_gateway.redirect_uris

- name: Reuse the facts in a later task (no second read)
  wac.fleet.gateway_registration:
    tenant_id: 11111111-2222-3333-4444-555555555555
    app_id: 66666666-7777-8888-9999-000000000000
    gateway_facts: "{{ ansible_facts.wac_gateway }}"
"""

RETURN = r"""
generation:
  description: C(classic_server), C(classic_desktop) or C(modern).
  returned: always
  type: str
  sample: classic_server
generation_label:
  description: The generation in words.
  returned: always
  type: str
version:
  description: The installed version of Windows Admin Center.
  returned: always
  type: str
  sample: 1.5.2306.14001
service_name:
  description: The gateway's main Windows service; null for desktop mode.
  returned: always
  type: str
  sample: ServerManagementGateway
service_state:
  description: State of that service (Running, StopPending, Stopped, StartPending); null for desktop mode.
  returned: always
  type: str
services:
  description: Every service of the generation, in start order, with its state.
  returned: always
  type: list
  elements: dict
restart_supported:
  description: Whether M(wac.fleet.gateway_service) can restart this gateway (false in desktop mode).
  returned: always
  type: bool
restart_pending:
  description:
    - Whether a proxy written by M(wac.fleet.gateway_proxy) still waits for a restart of the gateway. The proxy
      write sets the registry value C(GatewayRestartPending) of C(HKLM:\SOFTWARE\wac.fleet) (the UTC time of
      the write); a start or restart of all the gateway's services by M(wac.fleet.gateway_service) clears it.
    - True after a run stopped between the two, so the gateway still runs with its old proxy; restart it (the
      gateway role does). Always false in desktop mode.
  returned: always
  type: bool
  sample: false
process_name:
  description: C(SmeDesktop.exe) for desktop mode.
  returned: when generation is classic_desktop
  type: str
process_state:
  description: C(Running) while a user has the desktop gateway open, else C(NotRunning).
  returned: when generation is classic_desktop
  type: str
port:
  description: The gateway's HTTPS port.
  returned: always
  type: int
  sample: 443
fqdn:
  description: Fully qualified name of the host.
  returned: always
  type: str
gateway_url:
  description: The URL users open for this gateway.
  returned: always
  type: str
  sample: https://wac01.contoso.com
redirect_uris:
  description: Redirect URIs (SPA platform) this gateway needs in the shared Entra app.
  returned: always
  type: list
  elements: str
  sample: ["https://localhost:6516", "http://localhost:6516"]
rest_root:
  description: Root of the gateway's Azure REST API (C(/api/gateway/aad) classic, C(/api/aad) v2).
  returned: always
  type: str
proxy:
  description:
    - The gateway proxy, or null when none is set. The password is never returned.
  returned: always
  type: dict
  contains:
    address:
      description: Proxy URL.
      type: str
    bypass_on_local:
      description: Local addresses bypass the proxy.
      type: bool
    bypass_list:
      description: Hosts reached directly.
      type: list
      elements: str
    credentials_set:
      description: Whether proxy credentials are stored.
      type: bool
    username:
      description: The proxy user name when credentials are set and readable.
      type: str
registration:
  description: The gateway's Azure registration as its REST API reports it.
  returned: always
  type: dict
  contains:
    readable:
      description: Whether the gateway answered (false while it is stopped).
      type: bool
    registered:
      description: Whether the gateway is registered; null when not readable.
      type: bool
    cloud:
      description: AzureCloud, AzureChinaCloud or AzureUSGovernment.
      type: str
    tenant_id:
      description: Tenant GUID.
      type: str
    app_id:
      description: Application (client) ID.
      type: str
    app_object_id:
      description: Object ID of the app.
      type: str
    redirect_uri:
      description: Redirect URI the gateway uses.
      type: str
    error:
      description: Why the registration could not be read.
      type: str
ansible_facts:
  description: C(wac_gateway), all of the above in one dict.
  returned: always
  type: dict
"""
