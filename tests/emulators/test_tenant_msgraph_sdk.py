"""Microsoft's own Graph SDK for Python (msgraph-sdk, kiota, httpx) with azure-identity's ClientSecretCredential,
pointed at the emulated tenant: authority host, Graph base URL, and the test CA given to both transports
(azure-core's aiohttp transport for the credential, httpx for the SDK). SSL_CERT_FILE alone is not enough:
aiohttp builds its default SSL context once, at import."""

import asyncio
import ssl
from urllib.parse import urlsplit

import pytest

pytest.importorskip("msgraph")
azure_identity_aio = pytest.importorskip("azure.identity.aio")

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from azure.core.pipeline.transport import AioHttpTransport  # noqa: E402
from kiota_abstractions.base_request_configuration import RequestConfiguration  # noqa: E402
from kiota_authentication_azure.azure_identity_authentication_provider import (  # noqa: E402
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient  # noqa: E402
from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder  # noqa: E402
from msgraph.generated.models.application import Application  # noqa: E402
from msgraph_core import GraphClientFactory  # noqa: E402

# Also registered by tests/conftest.py; naming it here keeps this file runnable on its own.
pytest_plugins = ["tests.emulators.tenant.fixture"]


async def _with_sdk(endpoints, work):
    admin = endpoints["identities"]["admin"]
    trust = ssl.create_default_context(cafile=endpoints["ca_bundle"])
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trust))
    credential = azure_identity_aio.ClientSecretCredential(
        endpoints["tenant_id"], admin["client_id"], admin["client_secret"], authority=endpoints["authority_host"],
        disable_instance_discovery=True, transport=AioHttpTransport(session=session, session_owner=False))
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(verify=trust))
    try:
        auth = AzureIdentityAuthenticationProvider(credential, scopes=["https://graph.microsoft.com/.default"],
                                                   allowed_hosts=[urlsplit(endpoints["graph_url"]).hostname])
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = endpoints["graph_url"]
        return await work(GraphServiceClient(request_adapter=adapter))
    finally:
        await credential.close()
        await session.close()
        await http.aclose()


def test_msgraph_sdk_creates_and_lists_applications(tenant):
    tenant.model.faults.configure(page_size=2)

    async def work(client):
        created = await client.applications.post(Application(display_name="made by msgraph-sdk"))
        query = ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(
            filter="displayName eq 'made by msgraph-sdk'", select=["id", "appId", "displayName"])
        config = RequestConfiguration(query_parameters=query)
        found = await client.applications.get(request_configuration=config)
        first_page = await client.applications.get()
        by_app_id = await client.applications_with_app_id(created.app_id).get()
        return created, found, first_page, by_app_id

    created, found, first_page, by_app_id = asyncio.run(_with_sdk(tenant.endpoints, work))
    assert created.id and created.app_id
    assert [a.id for a in found.value] == [created.id]
    assert len(first_page.value) == 2 and first_page.odata_next_link
    assert by_app_id.display_name == "made by msgraph-sdk"
    sdk_calls = [(e["method"], e["status"]) for e in tenant.requests()]
    assert sdk_calls == [("POST", 201), ("GET", 200), ("GET", 200), ("GET", 200)]
    assert tenant.requests()[1]["query"]["$filter"] == "displayName eq 'made by msgraph-sdk'"
