"""Tokens of the emulated tenant (PyJWT): issuing access and ID tokens, verifying them for Graph, and checking
client assertions (certificate-signed, and federated ones from an external OIDC issuer).

The stand-in external issuer (a CI system such as GitHub Actions, or AKS) lives at `<base>/_issuer`; its tokens
are minted here and verified against its own key, as Entra would after fetching the issuer's JWKS.
"""

import base64
import json
import time
import uuid

import jwt
from jwt.algorithms import RSAAlgorithm

from . import pki
from .errors import GraphError, TokenError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
TOKEN_LIFETIME = 3599


def _jwk(key, kid):
    data = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    data.update(kid=kid, use="sig", alg="RS256")
    return data


class TokenService:
    def __init__(self, tenant, base_url):
        self.tenant = tenant
        self.base_url = base_url.rstrip("/")
        self._key, self._kid = pki.new_rsa_key(), uuid.uuid4().hex
        self._issuer_key, self._issuer_kid = pki.new_rsa_key(), uuid.uuid4().hex

    # ---- discovery -------------------------------------------------------------------------------------
    @property
    def issuer(self):
        return f"{self.base_url}/{self.tenant.tenant_id}/v2.0"

    @property
    def federated_issuer(self):
        return f"{self.base_url}/_issuer"

    def jwks(self):
        return {"keys": [_jwk(self._key, self._kid)]}

    def federated_issuer_jwks(self):
        return {"keys": [_jwk(self._issuer_key, self._issuer_kid)]}

    # ---- issuing -----------------------------------------------------------------------------------------
    def _sign(self, claims):
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid, "typ": "JWT"})

    def access_token(self, client_app_id, client_sp_id, resource, *, roles=None, scopes=None, user=None,
                     lifetime=TOKEN_LIFETIME):
        now = int(time.time())
        claims = {"aud": resource, "iss": self.issuer, "iat": now, "nbf": now, "exp": now + lifetime,
                  "tid": self.tenant.tenant_id, "appid": client_app_id, "azp": client_app_id,
                  "appidacr": "1", "uti": uuid.uuid4().hex, "ver": "1.0", "rh": "0.emulated."}
        if user:
            claims.update(oid=user["id"], sub=user["id"], idtyp="user", upn=user["userPrincipalName"],
                          name=user["displayName"], scp=" ".join(sorted(scopes or ())))
        else:
            claims.update(oid=client_sp_id, sub=client_sp_id, idtyp="app", roles=sorted(roles or ()))
        return self._sign(claims)

    def id_token(self, client_app_id, user, nonce=None):
        now = int(time.time())
        claims = {"aud": client_app_id, "iss": self.issuer, "iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME,
                  "sub": user["id"], "oid": user["id"], "tid": self.tenant.tenant_id, "ver": "2.0",
                  "preferred_username": user["userPrincipalName"], "name": user["displayName"]}
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)

    def client_info(self, user):
        raw = json.dumps({"uid": user["id"], "utid": self.tenant.tenant_id}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def federated_token(self, subject, audience=FEDERATION_AUDIENCE, lifetime=3600, issuer=None):
        """A token of the stand-in external issuer, as a CI system writes to AZURE_FEDERATED_TOKEN_FILE."""
        now = int(time.time())
        claims = {"iss": issuer or self.federated_issuer, "sub": subject, "aud": audience, "iat": now,
                  "nbf": now, "exp": now + lifetime, "jti": uuid.uuid4().hex}
        return jwt.encode(claims, self._issuer_key, algorithm="RS256", headers={"kid": self._issuer_kid})

    # ---- verifying ---------------------------------------------------------------------------------------
    def verify_access_token(self, token):
        """Claims of a bearer token presented to Graph, or GraphError 401 as Graph answers."""
        try:
            claims = jwt.decode(token, self._key.public_key(), algorithms=["RS256"],
                                options={"verify_aud": False}, leeway=30)
        except jwt.ExpiredSignatureError:
            raise _invalid_token("Lifetime validation failed, the token is expired.") from None
        except jwt.PyJWTError:
            raise _invalid_token("Access token validation failure.") from None
        if claims.get("tid") != self.tenant.tenant_id:
            raise _invalid_token("Access token validation failure. Invalid tenant.")
        resource = self.tenant.resource_service_principal(claims.get("aud", ""))
        if resource is None or resource.props["appId"] != "00000003-0000-0000-c000-000000000000":
            raise _invalid_token("Access token validation failure. Invalid audience.")
        return claims

    def check_client_assertion(self, app, assertion, token_urls):
        """Authenticate `app` by a JWT client assertion: certificate-signed (iss = sub = client ID) or
        federated (iss/sub/aud of a federated identity credential of the app)."""
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenError(401, "invalid_client", 50027, "JWT token is invalid or malformed.") from None
        client_id = app.props["appId"]
        if unverified.get("iss") == client_id:
            self._check_certificate_assertion(app, assertion, header, token_urls)
        else:
            self._check_federated_assertion(app, assertion, unverified)

    def _check_certificate_assertion(self, app, assertion, header, token_urls):
        client_id = app.props["appId"]
        wanted = (header.get("x5t#S256") or header.get("x5t") or "").rstrip("=")  # msal pads, RFC 7515 does not
        cert = next((c for c in app.certificates if wanted and wanted in pki.thumbprints(c)), None)
        if cert is None:
            raise TokenError(401, "invalid_client", 700027,
                             "The certificate with identifier used to sign the client assertion is not registered "
                             f"on application. [Reason - The key was not found., Thumbprint of key used by client: "
                             f"'{wanted}']")
        try:
            claims = jwt.decode(assertion, cert.public_key(), algorithms=["RS256", "PS256"], audience=token_urls,
                                issuer=client_id, options={"require": ["exp", "aud", "iss", "sub"]}, leeway=30)
        except jwt.ExpiredSignatureError:
            raise TokenError(401, "invalid_client", 700024,
                             "Client assertion is not within its valid time range.") from None
        except jwt.InvalidAudienceError:
            raise TokenError(401, "invalid_client", 70002,
                             "Client assertion audience claim does not match Realm issuer.") from None
        except jwt.PyJWTError:
            raise TokenError(401, "invalid_client", 700027, "Client assertion failed signature validation.") from None
        if claims.get("sub") != client_id:
            raise TokenError(401, "invalid_client", 700023,
                             "Client assertion subject does not match the client ID.")

    def _check_federated_assertion(self, app, assertion, unverified):
        iss, sub, aud = unverified.get("iss"), unverified.get("sub"), unverified.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        match = next((f for f in app.federated if f["issuer"] == iss and f["subject"] == sub
                      and any(a in f["audiences"] for a in auds)), None)
        if match is None:
            raise TokenError(400, "invalid_request", 70021,
                             "No matching federated identity record found for presented assertion. "
                             f"Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: "
                             f"'{aud}'.")
        if iss != self.federated_issuer:
            raise TokenError(401, "invalid_client", 5002727,
                             f"Unable to obtain the signing keys of issuer '{iss}'.")
        try:
            jwt.decode(assertion, self._issuer_key.public_key(), algorithms=["RS256"], audience=match["audiences"],
                       issuer=iss, leeway=30)
        except jwt.ExpiredSignatureError:
            raise TokenError(400, "invalid_client", 700024,
                             "Client assertion is not within its valid time range.") from None
        except jwt.PyJWTError:
            raise TokenError(401, "invalid_client", 5002738,
                             "Invalid JWT token. The token signature could not be validated.") from None


def _invalid_token(message):
    return GraphError(401, "InvalidAuthenticationToken", message,
                      headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
