"""Graph v1.0 resource shapes (application, servicePrincipal, oauth2PermissionGrant, appRoleAssignment):
the full property set with Graph's defaults, which properties a client may write, and body validation."""

import base64
import datetime
import uuid
from urllib.parse import urlsplit

from .errors import bad_request

SIGN_IN_AUDIENCES = ("AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount",
                     "PersonalMicrosoftAccount")

APPLICATION_WRITABLE = frozenset({
    "addIns", "api", "appRoles", "defaultRedirectUri", "description", "displayName", "groupMembershipClaims",
    "identifierUris", "info", "isDeviceOnlyAuthSupported", "isFallbackPublicClient", "keyCredentials", "notes",
    "optionalClaims", "parentalControlSettings", "publicClient", "requiredResourceAccess",
    "requestSignatureVerification", "samlMetadataUrl", "serviceManagementReference",
    "servicePrincipalLockConfiguration", "signInAudience", "spa", "tags", "tokenEncryptionKeyId", "uniqueName",
    "web", "nativeAuthenticationApisEnabled",
})
APPLICATION_READ_ONLY = frozenset({
    "id", "appId", "createdDateTime", "deletedDateTime", "publisherDomain", "applicationTemplateId",
    "verifiedPublisher", "certification", "disabledByMicrosoftStatus", "passwordCredentials",
})
SERVICE_PRINCIPAL_WRITABLE = frozenset({
    "appId", "accountEnabled", "alternativeNames", "appRoleAssignmentRequired", "description", "homepage",
    "loginUrl", "logoutUrl", "notes", "notificationEmailAddresses", "preferredSingleSignOnMode", "replyUrls",
    "samlSingleSignOnSettings", "tags", "tokenEncryptionKeyId", "keyCredentials",
})
GRANT_WRITABLE = frozenset({"clientId", "consentType", "principalId", "resourceId", "scope"})
ASSIGNMENT_WRITABLE = frozenset({"principalId", "resourceId", "appRoleId"})


def now_iso(ts=None):
    when = datetime.datetime.fromtimestamp(ts, datetime.UTC) if ts else datetime.datetime.now(datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def check_properties(body, writable, read_only=frozenset()):
    """Graph's answer to a body naming an unknown or read-only property: 400 Request_BadRequest."""
    if not isinstance(body, dict):
        raise bad_request("Invalid request body: a JSON object was expected.")
    for key in body:
        if key.startswith("@odata."):
            continue
        if key in read_only:
            raise bad_request(f"Property '{key}' is read-only and cannot be set.")
        if key not in writable:
            raise bad_request(f"Property '{key}' does not exist as a declared property or extension property.")


def _check_redirect_uri(uri, platform):
    parts = urlsplit(uri) if isinstance(uri, str) else None
    ok = parts is not None and parts.scheme and parts.netloc
    if ok and parts.scheme == "http":
        ok = parts.hostname in ("localhost", "127.0.0.1") or platform == "publicClient"
    elif ok and parts.scheme != "https":
        ok = platform == "publicClient"
    if not ok:
        raise bad_request("Invalid value specified for property 'redirectUris' of resource 'Application'.")


def validate_application(body):
    """Value checks Graph makes on an application body (after the property-name check)."""
    if "displayName" in body and not (isinstance(body["displayName"], str) and body["displayName"].strip()):
        raise bad_request("Invalid value specified for property 'displayName' of resource 'Application'.")
    if "signInAudience" in body and body["signInAudience"] not in SIGN_IN_AUDIENCES:
        raise bad_request("Invalid value specified for property 'signInAudience' of resource 'Application'.")
    for platform in ("spa", "web", "publicClient"):
        value = body.get(platform)
        if value is None:
            continue
        if not isinstance(value, dict) or not isinstance(value.get("redirectUris", []), list):
            raise bad_request(f"Invalid value specified for property '{platform}' of resource 'Application'.")
        for uri in value.get("redirectUris", []):
            _check_redirect_uri(uri, platform)
    rra = body.get("requiredResourceAccess")
    if rra is not None:
        ok = isinstance(rra, list) and all(
            isinstance(r, dict) and _is_guid(r.get("resourceAppId")) and isinstance(r.get("resourceAccess"), list)
            and all(isinstance(a, dict) and _is_guid(a.get("id")) and a.get("type") in ("Scope", "Role")
                    for a in r["resourceAccess"])
            for r in rra)
        if not ok:
            raise bad_request("Invalid value specified for property 'requiredResourceAccess' of resource "
                              "'Application'.")
    if "tags" in body and not (isinstance(body["tags"], list) and all(isinstance(t, str) for t in body["tags"])):
        raise bad_request("Invalid value specified for property 'tags' of resource 'Application'.")


def _is_guid(value):
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


is_guid = _is_guid


def merge_properties(target, body):
    """PATCH semantics: properties left out keep their values; a complex value is merged one level deep,
    a collection is replaced as a whole (as Graph does for redirectUris)."""
    for key, value in body.items():
        if key.startswith("@odata."):
            continue
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = {**target[key], **value}
        else:
            target[key] = value


def application_props(object_id, app_id, tenant_domain, created):
    return {
        "id": object_id, "deletedDateTime": None, "appId": app_id, "applicationTemplateId": None,
        "disabledByMicrosoftStatus": None, "createdDateTime": now_iso(created), "displayName": None,
        "description": None, "groupMembershipClaims": None, "identifierUris": [], "isDeviceOnlyAuthSupported": None,
        "isFallbackPublicClient": None, "nativeAuthenticationApisEnabled": None, "notes": None,
        "publisherDomain": tenant_domain, "serviceManagementReference": None, "signInAudience": "AzureADMyOrg",
        "tags": [], "tokenEncryptionKeyId": None, "uniqueName": None, "samlMetadataUrl": None,
        "defaultRedirectUri": None, "certification": None, "optionalClaims": None,
        "requestSignatureVerification": None, "servicePrincipalLockConfiguration": None, "addIns": [],
        "api": {"acceptMappedClaims": None, "knownClientApplications": [], "requestedAccessTokenVersion": None,
                "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
        "appRoles": [],
        "info": {"logoUrl": None, "marketingUrl": None, "privacyStatementUrl": None, "supportUrl": None,
                 "termsOfServiceUrl": None},
        "keyCredentials": [],
        "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [], "publicClient": {"redirectUris": []}, "requiredResourceAccess": [],
        "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
        "web": {"homePageUrl": None, "logoutUrl": None, "redirectUris": [],
                "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False},
                "redirectUriSettings": []},
        "spa": {"redirectUris": []},
    }


def service_principal_props(object_id, app, tenant_id, sp_type="Application"):
    return {
        "id": object_id, "deletedDateTime": None, "accountEnabled": True, "alternativeNames": [],
        "appDisplayName": app["displayName"], "appDescription": app.get("description"), "appId": app["appId"],
        "applicationTemplateId": None, "appOwnerOrganizationId": tenant_id, "appRoleAssignmentRequired": False,
        "description": None, "disabledByMicrosoftStatus": None, "displayName": app["displayName"],
        "homepage": None, "loginUrl": None, "logoutUrl": None, "notes": None, "notificationEmailAddresses": [],
        "preferredSingleSignOnMode": None, "preferredTokenSigningKeyThumbprint": None,
        "replyUrls": list(app.get("web", {}).get("redirectUris", [])),
        "servicePrincipalNames": [app["appId"], *app.get("identifierUris", [])],
        "servicePrincipalType": sp_type, "signInAudience": app.get("signInAudience", "AzureADMyOrg"),
        "tags": [], "tokenEncryptionKeyId": None, "samlSingleSignOnSettings": None, "addIns": [],
        "appRoles": [dict(r) for r in app.get("appRoles", [])],
        "info": dict(app.get("info") or {}), "keyCredentials": [],
        "oauth2PermissionScopes": [dict(s) for s in app.get("api", {}).get("oauth2PermissionScopes", [])],
        "passwordCredentials": [], "resourceSpecificApplicationPermissions": [],
        "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None},
    }


def grant_id(client_id, resource_id, principal_id=None):
    """Graph's oauth2PermissionGrant ids are the base64url of the key's GUID bytes, not GUIDs."""
    raw = uuid.UUID(client_id).bytes_le + uuid.UUID(resource_id).bytes_le
    if principal_id:
        raw += uuid.UUID(principal_id).bytes_le
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assignment_id(principal_id):
    """appRoleAssignment ids look like grant ids: the principal's GUID bytes plus random bytes, base64url."""
    raw = uuid.UUID(principal_id).bytes_le + uuid.uuid4().bytes[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
