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
  - Calls the gateway's own REST API on the host (C(https://localhost:<port>)) with Windows authentication, under
    C(/api/gateway/aad) for classic gateways and C(/api/aad) for v2.
  - "UNCONFIRMED: the verbs and bodies of the registration calls. This collection sends
    C(PUT <root>/cloudName/<cloud>/application) with C({properties: {tenantId, clientId}}), then
    C(PUT <root>/writeAppInfo) with C({properties: {redirectUri, appObjectId}}) (the second is the call of
    Microsoft's C(New-AadApp.ps1) for classic gateways), reads C(GET <root>/appInfo) and unregisters with
    C(DELETE <root>/application)."
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
    description: The Azure cloud; those Windows Admin Center offers.
    type: str
    choices: [AzureCloud, AzureChinaCloud, AzureUSGovernment]
    default: AzureCloud
  tenant_id:
    description: The tenant GUID. Required when O(state=present).
    type: str
  app_id:
    description: The shared app's application (client) ID, a GUID. Required when O(state=present).
    type: str
  app_object_id:
    description: The shared app's object ID (GUID), which classic gateways store with the registration.
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
    app_object_id: 99999999-8888-7777-6666-555555555555
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
  description: The registration after the task (empty when unregistered).
  returned: always
  type: dict
  sample: {cloud: AzureCloud, tenant_id: 11111111-2222-3333-4444-555555555555,
           app_id: 66666666-7777-8888-9999-000000000000, app_object_id: null,
           redirect_uri: https://wac01.contoso.com}
"""
