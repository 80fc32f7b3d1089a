# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This file holds the documentation of an action plugin (plugins/action/gateway_registration.py).

DOCUMENTATION = r"""
module: gateway_registration
short_description: Register a Windows Admin Center gateway with Azure against a shared Entra app, or unregister it
version_added: 0.1.0
description:
  - Registers the gateway with Azure (cloud, tenant ID, app ID) as the UI's "Use existing" app does, writing only
    when the gateway's current registration differs. O(state=absent) unregisters the gateway; the Entra app stays.
  - Calls the gateway's own REST API on the host (C(https://localhost:<port>)), under C(/api/gateway/aad) for
    classic gateways and C(/api/aad) for v2 (the WAC SDK's paths), as WAC's own client does, a read first, whose
    XSRF cookie (C(XSRF-TOKEN), v2 C(WAC-XSRF)) goes back in the C(X-XSRF-TOKEN) header of each write. A
    desktop-mode gateway is called with its client certificate; the others with Windows authentication, see
    O(rest_credentials).
  - "Sends C(PUT <root>/cloudName/<cloud>/application) with C({properties: {tenant, tenantId, clientId}}) (the
    cloud by the name WAC stores, C(Azure Global), C(Azure China) or C(Azure US Gov)), then
    C(PUT <root>/writeAppInfo) with C({properties: {redirectUri, appObjectId}}), the two writes of Microsoft's
    C(New-AadApp.ps1); reads C(GET <root>/appInfo) and unregisters with C(DELETE <root>/application)."
  - "UNCONFIRMED: the verbs of C(appInfo), C(cloudName/<cloud>/application) and C(application) (the SDK gives their
    paths only), and C(writeAppInfo) under the v2 root."
  - The gateway's answer holds its cloud, tenant and app ID only (the SDK's C(AadAppConfig)), so those three are
    compared; the redirect URI and O(app_object_id) are written with each registration but cannot be read back. A
    gateway registered by wac.fleet 0.1 (cloud stored as C(AzureCloud), application object ID) is registered once
    again by the next run, then stays unchanged.
  - Register the gateway after its proxy is set and the gateway restarted (see M(wac.fleet.gateway_proxy)).
author:
  - wac.fleet maintainers (@wac-fleet)
extends_documentation_fragment:
  - wac.fleet.gateway
  - wac.fleet.gateway.FACTS
options:
  state:
    description: C(present) registers; C(absent) unregisters (the Entra app is kept).
    type: str
    choices: [present, absent]
    default: present
  cloud:
    description:
      - The Azure cloud, one of those Windows Admin Center offers, by the name Azure tools use (C(AzureCloud),
        C(AzureChinaCloud), C(AzureUSGovernment)) or the one WAC stores (C(Azure Global), C(Azure China),
        C(Azure US Gov)); the gateway is sent WAC's name.
    type: str
    default: AzureCloud
  tenant_id:
    description: The tenant GUID. Required when O(state=present), unless O(fleet_apps_var) gives it.
    type: str
  app_id:
    description:
      - The shared app's application (client) ID, a GUID. Required when O(state=present), unless O(fleet_apps_var)
        gives it.
    type: str
  fleet_apps_var:
    description:
      - The name of the host variable holding the fleet's apps as M(wac.fleet.entra_app) publishes them (the fact
        C(entra_app_shared)), for O(tenant_id), O(app_id) and O(app_object_id) when they are not given - the
        gateway's own app of the fleet (P(wac.fleet.gateway_app#filter)). The variable is read as the host holds
        it and only the gateway's entries are used, so each gateway costs the same whatever the fleet's size.
      - When that fact says the Entra step failed, the task fails with its reason and sends nothing. In check mode
        before the shared app exists, the task is skipped.
    type: str
  app_object_id:
    description:
      - The object ID (GUID) of the shared app's service principal (its enterprise application), which the gateway
        stores as C(appObjectId). Microsoft's C(New-AadApp.ps1) sends the service principal's ID, not the
        application's; M(wac.fleet.entra_app) returns it as RV(wac.fleet.entra_app#module:service_principal_id).
    type: str
  redirect_uri:
    description:
      - The redirect URI the gateway uses. Defaults to the gateway URL from M(wac.fleet.gateway_info)
        (C(https://localhost:6516) for a desktop-mode gateway).
    type: str
"""

EXAMPLES = r"""
- name: Register every gateway to the shared app
  wac.fleet.gateway_registration:
    cloud: AzureCloud
    tenant_id: 11111111-2222-3333-4444-555555555555
    app_id: 66666666-7777-8888-9999-000000000000
    app_object_id: 99999999-8888-7777-6666-555555555555  # the service principal's object ID
    gateway_facts: "{{ ansible_facts.wac_gateway }}"

- name: Unregister (the Entra app stays)
  wac.fleet.gateway_registration:
    state: absent
"""

RETURN = r"""
generation:
  description: The gateway generation.
  returned: always
  type: str
registration:
  description: The registration after the task as the gateway reports it (empty when unregistered).
  returned: always
  type: dict
  sample: {cloud: Azure Global, tenant_id: 11111111-2222-3333-4444-555555555555,
           app_id: 66666666-7777-8888-9999-000000000000}
"""
