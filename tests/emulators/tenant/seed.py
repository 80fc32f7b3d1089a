"""The test identities seeded into the emulated tenant, with their credentials written to the state directory.
Returns the `identities` part of the endpoints file (docs/development.md, "Entra emulator endpoints file")."""

import os
import secrets

from . import pki
from .tokens import FEDERATION_AUDIENCE

ADMIN_ROLES = ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
               "DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All"]
READER_ROLES = ["Application.Read.All"]
OWNED_BY_ROLES = ["Application.ReadWrite.OwnedBy"]
DEVICE_USER_SCOPES = ["User.Read", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
                      "DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All"]
FEDERATED_SUBJECT = "repo:wac-fleet/wac.fleet:ref:refs/heads/main"


def seed_identities(tenant, tokens, state_dir):
    out = {}
    for name, roles in (("admin", ADMIN_ROLES), ("reader", READER_ROLES), ("owned_by", OWNED_BY_ROLES)):
        secret = secrets.token_urlsafe(24)
        ident = tenant.add_identity(name, roles, secrets=[secret], display_name=f"wac-fleet emulator {name}")
        out[name] = {"client_id": ident.app_id, "client_secret": secret, "roles": roles,
                     "object_id": ident.app_object_id, "service_principal_id": ident.sp_object_id}

    cert, pem_path, pfx_path, passphrase = pki.client_certificate(state_dir, "wac-fleet-emulator-cert")
    ident = tenant.add_identity("cert", ADMIN_ROLES, certificates=[cert], display_name="wac-fleet emulator cert")
    x5t, x5t_s256 = pki.thumbprints(cert)
    out["cert"] = {"client_id": ident.app_id, "certificate_path": pem_path, "pfx_path": pfx_path,
                   "pfx_password": passphrase, "thumbprint": cert.fingerprint(pki.hashes.SHA1()).hex().upper(),
                   "x5t": x5t, "x5t_s256": x5t_s256, "roles": ADMIN_ROLES}

    credential = {"issuer": tokens.federated_issuer, "subject": FEDERATED_SUBJECT, "audiences": [FEDERATION_AUDIENCE]}
    ident = tenant.add_identity("federated", ADMIN_ROLES, federated=[credential],
                                display_name="wac-fleet emulator federated")
    token_file = pki.write_file(os.path.join(state_dir, "federated-token.jwt"),
                                tokens.federated_token(FEDERATED_SUBJECT, lifetime=24 * 3600))
    out["federated"] = {"client_id": ident.app_id, "token_file": token_file, "issuer": tokens.federated_issuer,
                        "subject": FEDERATED_SUBJECT, "audience": FEDERATION_AUDIENCE, "roles": ADMIN_ROLES}

    user = tenant.add_user(f"admin@{tenant.domain}", "Emulated Administrator")
    ident = tenant.add_identity("device_user", (), public_client=True, delegated_scopes=DEVICE_USER_SCOPES,
                                display_name="wac-fleet emulator device login")
    out["device_user"] = {"client_id": ident.app_id, "username": user["userPrincipalName"], "user_id": user["id"],
                          "scopes": DEVICE_USER_SCOPES}

    ident = tenant.add_identity("managed", ADMIN_ROLES, managed=True, display_name="wac-fleet emulator managed")
    out["managed"] = {"client_id": ident.app_id, "object_id": ident.sp_object_id, "roles": ADMIN_ROLES}
    return out, user["id"]
