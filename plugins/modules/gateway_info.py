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
    for a gateway server; for v2 the endpoint FQDN and HTTPS port."
  - "Where v2 keeps them, as Microsoft's configuration module reads them from C(appsettings.json): the port after
    the last C(:) of C(Kestrel.Endpoints.WindowsAdminCenter.Url) (C(Get-WACHttpsPorts); else
    C(WindowsAdminCenter.Http.HttpSysUrls), else 6600), C(WindowsAdminCenter.Http.EndpointFqdn) and
    C(.ServiceFqdn) (C(Get-WACEndpointFqdn)), the version C(WindowsAdminCenter.System.FileVersion), the login mode
    C(WindowsAdminCenter.System.TokenAuthenticationMode)."
  - The registration is read with C(GET <root>/appInfo) on the gateway itself (see O(rest_credentials)); its answer
    holds the cloud, tenant and app ID (the WAC SDK's C(AadAppConfig)). UNCONFIRMED, the verb of that call and
    whether the fields come under C(properties) (both forms are read).
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
  description:
    - Every service of the generation with C(name), C(state), C(start_type) and C(restarted) (whether a restart of
      the gateway restarts it). On v2 that is C(WindowsAdminCenter) only, as C(Restart-WACService) does;
      C(WindowsAdminCenterAccountManagement) is created demand-start, so C(Stopped) is its normal state.
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
endpoint_fqdn:
  description: The v2 endpoint FQDN (C(WindowsAdminCenter.Http.EndpointFqdn)); null when not set or classic.
  returned: always
  type: str
service_fqdn:
  description: The v2 service FQDN (C(WindowsAdminCenter.Http.ServiceFqdn)), kept in the proxy bypass list.
  returned: always
  type: str
login_mode:
  description:
    - The v2 login mode (C(FormLogin), C(WindowsAuthentication), C(AadSso)); null for classic gateways.
      Registration needs C(WindowsAuthentication) or C(AadSso) (a C(FormLogin) gateway takes no Windows
      authentication on its REST API; UNCONFIRMED).
  returned: always
  type: str
rest_auth:
  description: How the gateway's REST API is called, C(windows) or C(client_certificate) (desktop mode).
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
      description: The proxy user name when credentials are set in a form that shows it (v2 C(plaintext:)).
      type: str
    credentials_form:
      description: C(plaintext) (C(Set-WACProxy)'s form), C(protected) (any other), or null without credentials.
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
      description: The cloud as the gateway stores it (C(Azure Global), C(Azure China), C(Azure US Gov)).
      type: str
    tenant_id:
      description: Tenant GUID.
      type: str
    app_id:
      description: Application (client) ID.
      type: str
    interrupted:
      description:
        - True when an earlier run stopped between the registration's two writes (the marker C(RegistrationPending)
          of C(HKLM:\\SOFTWARE\\wac.fleet) is set); the registration is then written again.
      type: bool
    error:
      description: Why the registration could not be read, and what to change.
      type: str
    status:
      description: The HTTP status of the failed read (null when nothing answered).
      type: int
ansible_facts:
  description: C(wac_gateway), all of the above in one dict.
  returned: always
  type: dict
"""
