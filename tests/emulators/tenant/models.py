"""State of the emulated Microsoft Entra tenant: applications, service principals, delegated permission
grants, app role assignments, users, and the test identities' credentials. Pure state, no HTTP.

Every object has `visible_at`: a create under a replication delay is invisible to reads by key, to lists,
and to writes that reference it until then, as in Entra (eventual consistency). Methods raise GraphError
with Graph's status and code. One re-entrant lock guards everything: the HTTP server runs in another thread.
"""

import copy
import threading
import time
import uuid
from dataclasses import dataclass, field

from . import app_limits, app_roles, pki, shapes
from .errors import GraphError, bad_request, conflict, not_found
from .faults import Faults, RequestLog
from .sessions import Sessions
from .wellknown import GRAPH_APP_ID, builtin_service_principals

DEFAULT_ROLE_ID = "00000000-0000-0000-0000-000000000000"


@dataclass
class Record:
    """One directory object: its Graph properties plus the state Graph does not show."""

    props: dict
    visible_at: float = 0.0
    owners: set = field(default_factory=set)
    secrets: list = field(default_factory=list)  # client secrets (plain text) of an application
    certificates: list = field(default_factory=list)  # cryptography x509 certificates of an application
    federated: list = field(default_factory=list)  # {"issuer", "subject", "audiences"} of an application
    kind: str = "Application"

    @property
    def id(self):
        return self.props["id"]

    def visible(self, now=None):
        return (now or time.time()) >= self.visible_at


@dataclass
class IdentitySpec:
    """A test caller seeded into the tenant: an application + service principal with app roles on Graph."""

    name: str
    app_id: str
    app_object_id: str
    sp_object_id: str
    display_name: str
    roles: list
    secrets: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    federated: list = field(default_factory=list)
    delegated_scopes: list = field(default_factory=list)  # admin-consented Graph scopes (public clients)
    public_client: bool = False
    managed: bool = False


class Tenant:
    def __init__(self, tenant_id=None, domain="wacfleet.onmicrosoft.com"):
        self.tenant_id = tenant_id or str(uuid.uuid4())
        self.domain = domain
        self.lock = threading.RLock()
        self.log = RequestLog()
        self.faults = Faults()
        self._fault_defaults = {}
        self.identities = {}
        self.users = {}
        self.groups = {}
        self.resource_aliases = {}  # extra identifier URI -> resource appId (e.g. the emulator's own Graph URL)
        self._builtin_ids = {app_id: (str(uuid.uuid4()), str(uuid.uuid4()))
                             for app_id, *_rest in builtin_service_principals()}
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------------------
    def set_fault_defaults(self, **settings):
        """Settings (page size, auto-approve) that reset() restores instead of the dataclass defaults."""
        self._fault_defaults.update(settings)
        self.faults.configure(**settings)

    def reset(self):
        """Back to the seeded state: built-in and test identities only, no faults, empty request log."""
        with self.lock:
            self.applications = {}
            self.service_principals = {}
            self.grants = {}
            self.assignments = {}
            self.sessions = Sessions()
            self.faults = Faults()
            self.faults.configure(**self._fault_defaults)
            self.log.clear()
            for app_id, name, spns, scopes, roles in builtin_service_principals():
                app_oid, sp_oid = self._builtin_ids[app_id]
                app = shapes.application_props(app_oid, app_id, "microsoft.com", 0)
                app.update(displayName=name, identifierUris=spns[1:], appRoles=roles)
                app["api"]["oauth2PermissionScopes"] = scopes
                sp = shapes.service_principal_props(sp_oid, app, "f8cdef31-a31e-4b4a-93e4-5f571e91255a")
                self.service_principals[sp_oid] = Record(sp)
            for spec in self.identities.values():
                self._seed_identity(spec)

    def add_user(self, user_principal_name, display_name):
        user = {"id": str(uuid.uuid4()), "userPrincipalName": user_principal_name, "displayName": display_name}
        self.users[user["id"]] = user
        return user

    def add_group(self, display_name):
        """A security group (the kind that can be assigned an app role); it survives reset() like users."""
        group = {"id": str(uuid.uuid4()), "displayName": display_name, "securityEnabled": True, "mailEnabled": False}
        self.groups[group["id"]] = group
        return group

    def add_identity(self, name, roles=(), **spec):
        """Register a test caller; it survives reset(). Returns the IdentitySpec (ids fixed for the session)."""
        with self.lock:
            ident = IdentitySpec(name=name, app_id=str(uuid.uuid4()), app_object_id=str(uuid.uuid4()),
                                 sp_object_id=str(uuid.uuid4()), display_name=spec.pop("display_name", name),
                                 roles=list(roles), **spec)
            self.identities[name] = ident
            self._seed_identity(ident)
            return ident

    def _seed_identity(self, ident):
        app = shapes.application_props(ident.app_object_id, ident.app_id, self.domain, time.time())
        app.update(displayName=ident.display_name, tags=["wac-fleet-emulator-identity"])
        if ident.public_client:
            app["isFallbackPublicClient"] = True
        app["keyCredentials"] = [pki.key_credential(c, ident.display_name) for c in ident.certificates]
        app["passwordCredentials"] = [{"customKeyIdentifier": None, "displayName": "emulator", "endDateTime": None,
                                       "hint": s[:3], "keyId": str(uuid.uuid5(uuid.NAMESPACE_OID, s)),
                                       "secretText": None, "startDateTime": app["createdDateTime"]}
                                      for s in ident.secrets]
        rec = Record(app, secrets=list(ident.secrets), certificates=list(ident.certificates),
                     federated=list(ident.federated))
        if not ident.managed:
            self.applications[app["id"]] = rec
        sp = shapes.service_principal_props(ident.sp_object_id, app, self.tenant_id,
                                            "ManagedIdentity" if ident.managed else "Application")
        self.service_principals[sp["id"]] = Record(sp, kind=sp["servicePrincipalType"])
        graph = self.service_principal_by_app_id(GRAPH_APP_ID)
        by_value = {r["value"]: r["id"] for r in graph.props["appRoles"]}
        for role in ident.roles:
            self._add_assignment(graph, {"principalId": sp["id"], "resourceId": graph.id,
                                         "appRoleId": by_value[role]}, 0.0)
        if ident.delegated_scopes:
            self._add_grant({"clientId": sp["id"], "consentType": "AllPrincipals", "principalId": None,
                             "resourceId": graph.id, "scope": " ".join(ident.delegated_scopes)}, 0.0)

    def _created_visible_at(self):
        return time.time() + float(self.faults.replication_delay or 0)

    # ---- applications ------------------------------------------------------------------------------------
    def list_applications(self):
        with self.lock:
            now = time.time()
            return [r for r in self.applications.values() if r.visible(now)]

    def get_application(self, by, value, consistent=False):
        """Find an application by "id", "appId" or "uniqueName". consistent=True reads the primary replica
        (used for the upsert key, which Entra enforces at write time)."""
        with self.lock:
            if by in ("id", "appId"):
                _check_guid(value)
            for rec in self.applications.values():
                if rec.props.get(by) == value and value and (consistent or rec.visible()):
                    return rec
            raise not_found(value if by == "id" else f"{by}={value}")

    def create_application(self, body, owner=None):
        shapes.check_properties(body, shapes.APPLICATION_WRITABLE, shapes.APPLICATION_READ_ONLY)
        shapes.validate_application(body)
        if not body.get("displayName"):
            raise bad_request("Invalid value specified for property 'displayName' of resource 'Application'.")
        with self.lock:
            unique = body.get("uniqueName")
            if unique and any(r.props.get("uniqueName") == unique for r in self.applications.values()):
                raise conflict("Another object with the same value for property uniqueName already exists.")
            props = shapes.application_props(str(uuid.uuid4()), str(uuid.uuid4()), self.domain, time.time())
            shapes.merge_properties(props, body)
            _check_application_rules(props, body, before_roles=[])
            rec = Record(props, visible_at=self._created_visible_at(), owners={owner} if owner else set())
            self.applications[props["id"]] = rec
            return rec

    def update_application(self, rec, body):
        shapes.check_properties(body, shapes.APPLICATION_WRITABLE, shapes.APPLICATION_READ_ONLY)
        shapes.validate_application(body)
        if "uniqueName" in body and body["uniqueName"] != rec.props.get("uniqueName"):
            raise bad_request("Property 'uniqueName' is immutable and cannot be changed once it is set.")
        with self.lock:
            after = copy.deepcopy(rec.props)
            shapes.merge_properties(after, body)
            _check_application_rules(after, body, before_roles=rec.props.get("appRoles") or [])
            removed = app_roles.removed_ids(rec.props.get("appRoles") or [], after.get("appRoles") or [])
            rec.props.clear()
            rec.props.update(after)
            sp = self._sp_of_app(rec.props["appId"], consistent=True)
            if sp is not None and removed:  # UNCONFIRMED: a removed (disabled) role takes its assignments along
                for aid in [a for a, r in self.assignments.items() if r.props["resourceId"] == sp.id
                            and r.props["appRoleId"].lower() in removed]:
                    del self.assignments[aid]
            if sp is not None:  # Entra keeps a service principal in step with its application
                app = rec.props
                sp.props.update(displayName=app["displayName"], appDisplayName=app["displayName"],
                                appRoles=[dict(r) for r in app.get("appRoles") or []],
                                oauth2PermissionScopes=[dict(s) for s in
                                                        (app.get("api") or {}).get("oauth2PermissionScopes") or []],
                                servicePrincipalNames=[app["appId"], *(app.get("identifierUris") or [])],
                                replyUrls=list((app.get("web") or {}).get("redirectUris") or []),
                                signInAudience=app.get("signInAudience"))

    def upsert_application(self, unique_name, body, create_if_missing, owner=None):
        """PATCH /applications(uniqueName=...): (record, created). Without create_if_missing, missing = 404."""
        with self.lock:
            try:
                rec = self.get_application("uniqueName", unique_name, consistent=True)
            except GraphError:
                if not create_if_missing:
                    raise
                if body.get("uniqueName", unique_name) != unique_name:
                    raise bad_request("The uniqueName in the body does not match the key in the URL.") from None
                return self.create_application({**body, "uniqueName": unique_name}, owner), True
            self.update_application(rec, body)
            return rec, False

    def delete_application(self, rec):
        with self.lock:
            self.applications.pop(rec.id, None)
            sp = self._sp_of_app(rec.props["appId"], consistent=True)
            if sp is not None:
                self.delete_service_principal(sp)

    # ---- service principals ------------------------------------------------------------------------------
    def list_service_principals(self):
        with self.lock:
            now = time.time()
            return [r for r in self.service_principals.values() if r.visible(now)]

    def get_service_principal(self, by, value):
        with self.lock:
            _check_guid(value)
            for rec in self.service_principals.values():
                if rec.props.get(by) == value and rec.visible():
                    return rec
            raise not_found(value if by == "id" else f"{by}={value}")

    def service_principal_by_app_id(self, app_id):
        return self.get_service_principal("appId", app_id)

    def service_principal_of_app(self, app_id):
        """The visible service principal of an application, or None."""
        with self.lock:
            return self._sp_of_app(app_id)

    def _sp_of_app(self, app_id, consistent=False):
        for rec in self.service_principals.values():
            if rec.props["appId"] == app_id and (consistent or rec.visible()):
                return rec
        return None

    def create_service_principal(self, body, owner=None):
        shapes.check_properties(body, shapes.SERVICE_PRINCIPAL_WRITABLE)
        app_id = body.get("appId")
        with self.lock:
            app = next((r for r in self.applications.values()
                        if r.props["appId"] == app_id and r.visible()), None) if shapes.is_guid(app_id) else None
            if app is None:
                raise bad_request(f"The appId '{app_id}' of the service principal does not reference a valid "
                                  "application object.")
            if self._sp_of_app(app_id, consistent=True) is not None:
                raise conflict("Another object with the same value for property servicePrincipalNames already "
                               "exists.")
            props = shapes.service_principal_props(str(uuid.uuid4()), app.props, self.tenant_id)
            shapes.merge_properties(props, {k: v for k, v in body.items() if k != "appId"})
            rec = Record(props, visible_at=self._created_visible_at(), owners={owner} if owner else set())
            self.service_principals[props["id"]] = rec
            return rec

    def delete_service_principal(self, rec):
        with self.lock:
            self.service_principals.pop(rec.id, None)
            for gid in [g for g, r in self.grants.items()
                        if rec.id in (r.props["clientId"], r.props["resourceId"])]:
                del self.grants[gid]
            for aid in [a for a, r in self.assignments.items()
                        if rec.id in (r.props["principalId"], r.props["resourceId"])]:
                del self.assignments[aid]

    # ---- oauth2PermissionGrants --------------------------------------------------------------------------
    def list_grants(self):
        with self.lock:
            now = time.time()
            return [r for r in self.grants.values() if r.visible(now)]

    def get_grant(self, grant_id):
        with self.lock:
            rec = self.grants.get(grant_id)
            if rec is None or not rec.visible():
                raise not_found(grant_id)
            return rec

    def create_grant(self, body):
        shapes.check_properties(body, shapes.GRANT_WRITABLE)
        with self.lock:
            return self._add_grant(body, self._created_visible_at())

    def _add_grant(self, body, visible_at):
        consent = body.get("consentType")
        principal = body.get("principalId")
        if consent not in ("AllPrincipals", "Principal"):
            raise bad_request("Invalid value specified for property 'consentType' of resource "
                              "'OAuth2PermissionGrant'.")
        if (consent == "Principal") != bool(principal):
            raise bad_request("Invalid value specified for property 'principalId' of resource "
                              "'OAuth2PermissionGrant'.")
        for key in ("clientId", "resourceId"):
            self.get_service_principal("id", body.get(key))
        if principal and principal not in self.users:
            raise not_found(principal)
        if not isinstance(body.get("scope", ""), str):
            raise bad_request("Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant'.")
        gid = shapes.grant_id(body["clientId"], body["resourceId"], principal)
        if gid in self.grants:
            raise conflict("Permission entry already exists.")
        props = {"clientId": body["clientId"], "consentType": consent, "id": gid, "principalId": principal,
                 "resourceId": body["resourceId"], "scope": body.get("scope", "")}
        rec = Record(props, visible_at=visible_at, kind="OAuth2PermissionGrant")
        self.grants[gid] = rec
        return rec

    def update_grant(self, rec, body):
        shapes.check_properties(body, {"scope"}, shapes.GRANT_WRITABLE - {"scope"})
        with self.lock:
            rec.props["scope"] = body.get("scope", rec.props["scope"])

    def delete_grant(self, rec):
        with self.lock:
            self.grants.pop(rec.id, None)

    # ---- appRoleAssignments ------------------------------------------------------------------------------
    def assignments_to(self, resource_sp):
        with self.lock:
            return [r for r in self.assignments.values()
                    if r.props["resourceId"] == resource_sp.id and r.visible()]

    def assignments_of(self, principal_sp):
        with self.lock:
            return [r for r in self.assignments.values()
                    if r.props["principalId"] == principal_sp.id and r.visible()]

    def assign_app_role(self, resource_sp, body):
        shapes.check_properties(body, shapes.ASSIGNMENT_WRITABLE)
        with self.lock:
            if body.get("resourceId") != resource_sp.id:
                raise bad_request("Invalid value specified for property 'resourceId' of resource "
                                  "'AppRoleAssignment'.")
            return self._add_assignment(resource_sp, body, self._created_visible_at())

    def _add_assignment(self, resource_sp, body, visible_at):
        principal_id = body.get("principalId")
        if principal_id in self.users:
            principal, principal_type = self.users[principal_id], "User"
        elif principal_id in self.groups:
            principal, principal_type = self.groups[principal_id], "Group"
        else:
            principal, principal_type = self.get_service_principal("id", principal_id).props, "ServicePrincipal"
        role_id = (body.get("appRoleId") or "").lower()
        role = next((r for r in resource_sp.props["appRoles"] if r["id"].lower() == role_id), None)
        if role is None and role_id != DEFAULT_ROLE_ID:
            raise bad_request(f"Permission being assigned was not found on application "
                              f"'{resource_sp.props['appId']}'.")
        # appRole.allowedMemberTypes: "User" lets users and groups be assigned, "Application" other apps' service
        # principals (Graph approle.md). A disabled role "becomes inactive and no longer assignable"
        # (MicrosoftDocs/entra-docs howto-add-app-roles-in-apps.md, PR #1405). Graph's messages for these two
        # refusals are UNCONFIRMED.
        member_type = "Application" if principal_type == "ServicePrincipal" else "User"
        if role is not None and member_type not in role.get("allowedMemberTypes", []):
            raise bad_request(f"The app role '{role.get('value')}' cannot be assigned to a {principal_type.lower()}: "
                              f"its allowedMemberTypes are {role.get('allowedMemberTypes')}.")
        if role is not None and not role.get("isEnabled", True):
            raise bad_request(f"The app role '{role.get('value')}' is disabled and cannot be assigned.")
        if any(r.props["principalId"] == principal_id and r.props["resourceId"] == resource_sp.id
               and r.props["appRoleId"].lower() == role_id for r in self.assignments.values()):
            raise conflict("Permission being assigned already exists on the object.")
        props = {"id": shapes.assignment_id(principal_id), "deletedDateTime": None, "appRoleId": role_id,
                 "createdDateTime": shapes.now_iso(), "principalDisplayName": principal["displayName"],
                 "principalId": principal_id, "principalType": principal_type,
                 "resourceDisplayName": resource_sp.props["displayName"], "resourceId": resource_sp.id}
        rec = Record(props, visible_at=visible_at, kind="AppRoleAssignment")
        self.assignments[props["id"]] = rec
        return rec

    def delete_assignment(self, resource_sp, assignment_id):
        with self.lock:
            rec = self.assignments.get(assignment_id)
            if rec is None or rec.props["resourceId"] != resource_sp.id or not rec.visible():
                raise not_found(assignment_id)
            del self.assignments[assignment_id]

    # ---- what tokens carry -------------------------------------------------------------------------------
    def find_client(self, client_id):
        """The visible application (or managed identity's service principal) signing in as client_id."""
        with self.lock:
            for rec in self.applications.values():
                if rec.props["appId"] == client_id and rec.visible():
                    return rec
            return None

    def resource_service_principal(self, resource):
        """The resource SP named by an appId or identifier URI (the part of a scope before the permission)."""
        key = resource.rstrip("/")
        key = self.resource_aliases.get(key, key)
        with self.lock:
            for rec in self.service_principals.values():
                names = [n.rstrip("/") for n in rec.props["servicePrincipalNames"]]
                if rec.visible() and (rec.props["appId"] == key or key in names):
                    return rec
        return None

    def app_roles(self, client_sp, resource_sp):
        by_id = {r["id"]: r["value"] for r in resource_sp.props["appRoles"]}
        return sorted({by_id[a.props["appRoleId"]] for a in self.assignments_of(client_sp)
                       if a.props["resourceId"] == resource_sp.id and a.props["appRoleId"] in by_id})

    def consented_scopes(self, client_sp, resource_sp, user_id):
        out = set()
        for grant in self.list_grants():
            p = grant.props
            if p["clientId"] == client_sp.id and p["resourceId"] == resource_sp.id and (
                    p["consentType"] == "AllPrincipals" or p["principalId"] == user_id):
                out.update(p["scope"].split())
        return out


def _check_application_rules(after, body, before_roles):
    """What Graph checks on the application as a write would leave it: app roles (shape, and no enabled role
    removed or changed) and the redirect-URI limit of its audience (app_roles.py, app_limits.py name the sources)."""
    if "appRoles" in body:
        app_roles.check_roles(after.get("appRoles"), (after.get("api") or {}).get("oauth2PermissionScopes"))
        after["appRoles"] = [app_roles.normalized(r) for r in after["appRoles"]]
        app_roles.check_transition([app_roles.normalized(r) for r in before_roles], after["appRoles"])
    app_limits.check_redirect_uri_limit(after, body)


def _check_guid(value):
    if not shapes.is_guid(value):
        raise GraphError(400, "Request_BadRequest", f"Invalid object identifier '{value}'.")
