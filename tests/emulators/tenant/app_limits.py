"""How many redirect URIs an application may hold, by sign-in audience: the rule Entra applies to every write of an
application (create, update, upsert), checked on the application as it would be after the write.

Source: Microsoft identity platform docs, "Redirect URI (reply URL) restrictions and limitations"
(learn.microsoft.com/entra/identity-platform/reply-url, section "Maximum number of redirect URIs";
MicrosoftDocs/entra-docs docs/identity-platform/reply-url.md): "the maximum number of redirect URIs you can add to
an app registration" is 256 when signInAudience is AzureADMyOrg or AzureADMultipleOrgs, and 100 when it is
AzureADandPersonalMicrosoftAccount; "The maximum number of redirect URIs can't be raised".

- The limit is per app registration, not per platform: the URIs of the spa, web and publicClient platforms count
  together (the page gives one number per app registration; its predecessor, "Why update to Microsoft identity
  platform (v2.0)", said of the old limit that it "applies across all app types that the registration supports
  (single-page application (SPA), native client, web app, and service)", quoted in MicrosoftDocs/azure-docs issue
  #57641). A URI listed on two platforms counts twice. UNCONFIRMED whether Graph counts a URI present on two
  platforms once; the stricter count is modelled.
- PersonalMicrosoftAccount is not in the page's table; it allows personal accounts, so the stricter 100 is modelled
  (UNCONFIRMED).
- The refusal is Graph's 400 Request_BadRequest "Invalid value specified for property '<platform>' of resource
  'Application'." (the shape Graph gives for an invalid redirectUris value); the exact message Graph gives for this
  case is UNCONFIRMED, so the emulator adds its own second sentence with the figures. Clients must branch on the
  status and code, never on the message.
"""

from .errors import bad_request

PLATFORMS = ("spa", "web", "publicClient")
MAX_REDIRECT_URIS = {
    "AzureADMyOrg": 256,
    "AzureADMultipleOrgs": 256,
    "AzureADandPersonalMicrosoftAccount": 100,
    "PersonalMicrosoftAccount": 100,  # UNCONFIRMED: not in the docs' table; the stricter limit of personal accounts
}


def redirect_uri_limit(props):
    return MAX_REDIRECT_URIS.get(props.get("signInAudience") or "AzureADMyOrg", 100)


def redirect_uri_count(props):
    """URIs of every platform together (a URI on two platforms counts twice)."""
    return sum(len(((props.get(p) or {}).get("redirectUris")) or []) for p in PLATFORMS)


def check_redirect_uri_limit(props, changed):
    """Refuse an application whose redirect URIs (after the write) exceed its audience's limit. ``changed``: the
    properties the write sets, to name the platform in the error as Graph names the property it refuses."""
    count, limit = redirect_uri_count(props), redirect_uri_limit(props)
    if count <= limit:
        return
    platform = next((p for p in PLATFORMS if p in changed), "signInAudience" if "signInAudience" in changed
                    else "spa")
    raise bad_request(f"Invalid value specified for property '{platform}' of resource 'Application'. An application "
                      f"with signInAudience '{props.get('signInAudience')}' holds at most {limit} redirect URIs on all "
                      f"platforms together; this write would leave {count}.")
