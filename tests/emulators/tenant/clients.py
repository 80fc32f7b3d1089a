"""Real clients (msal, requests) configured for an emulated tenant's endpoints, for tests that need a Graph
session without going through the collection's own code."""

import msal
import requests


def http_session(endpoints):
    """A requests.Session trusting the emulator's CA. trust_env is off because requests lets
    REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment override Session.verify (and proxies must not
    intercept loopback)."""
    session = requests.Session()
    session.verify = endpoints["ca_bundle"]
    session.trust_env = False
    return session


def confidential_app(endpoints, identity="admin", **kwargs):
    """msal.ConfidentialClientApplication of a secret identity (admin, reader, owned_by)."""
    ident = endpoints["identities"][identity]
    return msal.ConfidentialClientApplication(
        ident["client_id"], client_credential=ident["client_secret"], authority=endpoints["authority"],
        instance_discovery=False, http_client=http_session(endpoints), token_cache=msal.TokenCache(), **kwargs)


def graph_token(endpoints, identity="admin"):
    result = confidential_app(endpoints, identity).acquire_token_for_client(["https://graph.microsoft.com/.default"])
    if "access_token" not in result:
        raise RuntimeError(f"token request failed: {result.get('error')}: {result.get('error_description')}")
    return result["access_token"]


def graph_session(endpoints, identity="admin"):
    """A requests.Session with a bearer token of `identity`; use it with endpoints["graph_url"]."""
    session = http_session(endpoints)
    session.headers["Authorization"] = f"Bearer {graph_token(endpoints, identity)}"
    return session


def entra_connection(endpoints, identity="admin", with_secret=False, **extra):
    """The options of wac.fleet's Entra plugins (`entra_app_connection`, or module_defaults of the group
    wac.fleet.entra) that point them at this emulated tenant as `identity`: cloud `custom` with the emulator's
    hosts and CA. The client secret is added only with `with_secret` (the demo and playbook tests pass it in
    AZURE_CLIENT_SECRET instead); an `extra` value None drops that option."""
    ident = endpoints["identities"][identity]
    options = {"cloud": "custom", "authority_host": endpoints["authority_host"],
               "graph_host": endpoints["graph_host"], "ca_bundle": endpoints["ca_bundle"],
               "tenant_id": endpoints["tenant_id"], "client_id": ident["client_id"]}
    if with_secret and "client_secret" in ident:
        options["client_secret"] = ident["client_secret"]
    options.update(extra)
    return {key: value for key, value in options.items() if value is not None}


UPSERT = {"Prefer": "create-if-missing"}  # Graph's upsert by alternate key (PATCH applications(uniqueName=...))


class Graph:
    """Graph over real HTTPS as ``identity``: ``graph.get("/applications")``, ``graph.patch(path, json=...)``."""

    def __init__(self, endpoints, identity="admin"):
        self._session = graph_session(endpoints, identity)
        self._base = endpoints["graph_url"]

    def __getattr__(self, method):
        return lambda path, **kw: self._session.request(method.upper(), self._base + path, **kw)


def graph_error(response, status, code):
    """The error body of a Graph error response, after checking its status, code and Graph's error shape."""
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["innerError"]["request-id"] == response.headers["request-id"]
    assert body["innerError"]["date"]
    return body
