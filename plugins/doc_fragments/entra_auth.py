# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared options of the entra_* plugins: cloud, authentication, connection. Mirrors AUTH_ARGUMENT_SPEC in
plugins/plugin_utils/_entra_action.py."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The Azure cloud whose Microsoft Entra ID and Microsoft Graph endpoints are used.
      - V(AzureCloud) is global Azure (C(login.microsoftonline.com), C(graph.microsoft.com)).
      - V(AzureChinaCloud) is Azure operated by 21Vianet (C(login.partner.microsoftonline.cn),
        C(microsoftgraph.chinacloudapi.cn)).
      - V(AzureUSGovernment) is Azure US Government L4 (C(login.microsoftonline.us), C(graph.microsoft.us)).
      - V(AzureUSGovernmentDoD) is Azure US Government L5 DoD (C(login.microsoftonline.us),
        C(dod-graph.microsoft.us)).
      - V(custom) takes both hosts from O(authority_host) and O(graph_host) (air-gapped clouds, test tenants).
    type: str
    default: AzureCloud
    choices: [AzureCloud, AzureChinaCloud, AzureUSGovernment, AzureUSGovernmentDoD, custom]
  authority_host:
    description:
      - Host (optionally C(https://) and a port) of the Entra sign-in authority, for example
        C(login.microsoftonline.com). Required with O(cloud=custom); overrides the cloud's host otherwise.
      - Only HTTPS is accepted.
    type: str
  graph_host:
    description:
      - Host (optionally C(https://) and a port) of Microsoft Graph, for example C(graph.microsoft.com).
        Required with O(cloud=custom); overrides the cloud's host otherwise.
      - The token scope is C(<graph_host>/.default); calls go to C(<graph_host>/v1.0).
    type: str
  ca_bundle:
    description:
      - PEM file of the certificate authorities to trust for the authority and Graph (a private cloud's CA).
      - TLS verification is always on; without this option the system's trust store is used.
    type: path
  tenant_id:
    description:
      - The Entra tenant, by its GUID or a verified domain name (C(contoso.onmicrosoft.com)).
      - Falls back to the controller's environment variable E(AZURE_TENANT_ID) when not set.
      - Required for every O(auth_method) except V(managed_identity).
    type: str
  client_id:
    description:
      - Application (client) ID that signs in. For V(device_code) a public client app that allows the device
        code flow.
      - Falls back to the controller's environment variable E(AZURE_CLIENT_ID) when not set.
      - Required for every O(auth_method) except V(managed_identity).
    type: str
  client_secret:
    description:
      - Client secret of O(client_id). Falls back to E(AZURE_CLIENT_SECRET).
    type: str
  certificate_path:
    description:
      - Client certificate of O(client_id) with its private key, as PEM (key and certificate in one file) or as
        PFX/PKCS#12 (C(.pfx), C(.p12)). Read and checked before any network call.
      - Falls back to E(AZURE_CLIENT_CERTIFICATE_PATH).
    type: path
  certificate_password:
    description:
      - Passphrase of the PEM key or the PFX file. Falls back to E(AZURE_CLIENT_CERTIFICATE_PASSWORD).
    type: str
  federated_token_file:
    description:
      - File holding a federated token (workload identity federation, for example GitHub Actions OIDC or AKS workload
        identity) exchanged for an Entra token; read again on every token request because the platform rotates
        it. The token's audience is normally C(api://AzureADTokenExchange).
      - Falls back to E(AZURE_FEDERATED_TOKEN_FILE).
    type: path
  auth_method:
    description:
      - How to sign in.
      - V(auto) uses the one kind of credential given (O(client_secret), O(certificate_path) or
        O(federated_token_file)); options set in the task win over environment variables; two kinds given at
        the same level are an error naming both.
      - V(device_code) shows a sign-in message on the controller while it waits for an admin to complete it;
        tokens are cached (see O(token_cache)).
      - V(managed_identity) uses the controller's Azure managed identity (found from the environment as Azure
        sets it, for example E(IDENTITY_ENDPOINT) and E(IDENTITY_HEADER)); see O(managed_identity_client_id).
    type: str
    default: auto
    choices: [auto, client_secret, certificate, federated, device_code, managed_identity]
  managed_identity_client_id:
    description:
      - Client ID of a user-assigned managed identity. Without it the system-assigned identity is used.
    type: str
  token_cache:
    description:
      - With O(auth_method=device_code), keep tokens in the file O(token_cache_path) (mode 0600) so that later
        tasks and runs sign in silently. V(false) keeps them in memory only.
    type: bool
    default: true
  token_cache_path:
    description:
      - Token cache file of O(auth_method=device_code).
      - Default C($XDG_CACHE_HOME/wac.fleet/msal_token_cache.json), else C(~/.cache/wac.fleet/msal_token_cache.json).
    type: path
  request_timeout:
    description:
      - Seconds to wait for one HTTP response from the authority or Graph.
    type: float
    default: 30
  retry_max_seconds:
    description:
      - Bound on the total time one Graph call keeps retrying HTTP 429, 503 and 504 (honouring C(Retry-After),
        else exponential backoff from 1 s up to 30 s). When reached, the task fails naming this option.
    type: float
    default: 60
  consistency_timeout:
    description:
      - Bound on the time spent retrying the errors of Entra's replication lag right after a create (404,
        400 "does not reference a valid application object", 403 "backing application",
        409 C(Error_MsaAppDoesNotExist)).
    type: float
    default: 120
notes:
  - Runs on the controller only (it never uses the host's connection), so it works in a play on C(localhost) and
    with C(run_once) on Windows hosts. Set the connection options once with C(module_defaults) for the group
    C(group/wac.fleet.entra).
  - Every option is checked before the first network call; bad input fails with no request sent.
  - Secrets and tokens never appear in results, errors or logs.
  - The Graph permissions each plugin needs are listed in the collection's C(docs/entra.md).
requirements:
  - msal >= 1.31 (on the controller)
  - requests (on the controller)
  - cryptography (on the controller, for O(certificate_path))
"""
