"""Which Graph permission each emulated route needs: data, so that the enforcement and the documentation
cannot drift apart. A request passes when its token's `roles` (application permissions) or `scp` (delegated
permissions) contain at least one of the route's permissions (all of an alternative written "A+B"); otherwise
Graph answers 403
Authorization_RequestDenied. Application.ReadWrite.OwnedBy on a write to an existing object further requires
that the caller owns the application (the creator of an application becomes its owner).
"""

OWNED_BY = "Application.ReadWrite.OwnedBy"

READ_APPLICATIONS = ("Application.Read.All", OWNED_BY, "Application.ReadWrite.All", "Directory.Read.All",
                     "Directory.ReadWrite.All", "Directory.AccessAsUser.All")
WRITE_APPLICATIONS = ("Application.ReadWrite.All", OWNED_BY, "Directory.AccessAsUser.All")
READ_GRANTS = ("DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All",
               "Directory.ReadWrite.All", "Directory.AccessAsUser.All")
WRITE_GRANTS = ("DelegatedPermissionGrant.ReadWrite.All",)
READ_ASSIGNMENTS = ("Application.Read.All", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
                    "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All")
# POST appRoleAssignedTo needs two permissions together, "AppRoleAssignment.ReadWrite.All and Application.Read.All,
# AppRoleAssignment.ReadWrite.All and Directory.Read.All" (Graph serviceprincipal-post-approleassignedto.md); a "+"
# joins the permissions an alternative needs all of. DELETE needs AppRoleAssignment.ReadWrite.All alone
# (serviceprincipal-delete-approleassignedto.md).
ASSIGN_APP_ROLES = ("AppRoleAssignment.ReadWrite.All+Application.Read.All",
                    "AppRoleAssignment.ReadWrite.All+Directory.Read.All")
WRITE_ASSIGNMENTS = ("AppRoleAssignment.ReadWrite.All",)

APP = "/v1.0/applications"
SP = "/v1.0/servicePrincipals"
GRANTS = "/v1.0/oauth2PermissionGrants"

# (method, aiohttp route path, handler name in graph_routes, permissions any one of which suffices)
# `({key})` stands for an alternate key: (appId='...') or (uniqueName='...') for applications, (appId='...')
# for service principals.
ROUTES = (
    ("GET", APP, "list_applications", READ_APPLICATIONS),
    ("POST", APP, "create_application", WRITE_APPLICATIONS),
    ("GET", APP + "/{id}", "get_application", READ_APPLICATIONS),
    ("GET", APP + "({key})", "get_application", READ_APPLICATIONS),
    ("PATCH", APP + "/{id}", "update_application", WRITE_APPLICATIONS),
    ("PATCH", APP + "({key})", "update_application", WRITE_APPLICATIONS),
    ("DELETE", APP + "/{id}", "delete_application", WRITE_APPLICATIONS),
    ("DELETE", APP + "({key})", "delete_application", WRITE_APPLICATIONS),
    ("GET", SP, "list_service_principals", READ_APPLICATIONS),
    ("POST", SP, "create_service_principal", WRITE_APPLICATIONS),
    ("GET", SP + "/{id}", "get_service_principal", READ_APPLICATIONS),
    ("GET", SP + "({key})", "get_service_principal", READ_APPLICATIONS),
    ("DELETE", SP + "/{id}", "delete_service_principal", WRITE_APPLICATIONS),
    ("DELETE", SP + "({key})", "delete_service_principal", WRITE_APPLICATIONS),
    ("GET", SP + "/{id}/appRoleAssignedTo", "list_assigned_to", READ_ASSIGNMENTS),
    ("POST", SP + "/{id}/appRoleAssignedTo", "assign_app_role", ASSIGN_APP_ROLES),
    ("DELETE", SP + "/{id}/appRoleAssignedTo/{assignment}", "unassign_app_role", WRITE_ASSIGNMENTS),
    ("GET", SP + "/{id}/appRoleAssignments", "list_assignments", READ_ASSIGNMENTS),
    ("GET", GRANTS, "list_grants", READ_GRANTS),
    ("POST", GRANTS, "create_grant", WRITE_GRANTS),
    ("GET", GRANTS + "/{id}", "get_grant", READ_GRANTS),
    ("PATCH", GRANTS + "/{id}", "update_grant", WRITE_GRANTS),
    ("DELETE", GRANTS + "/{id}", "delete_grant", WRITE_GRANTS),
)


def granted(claims):
    """The permissions a verified token carries: application roles, or delegated scopes."""
    return set(claims.get("roles") or ()) | set((claims.get("scp") or "").split())


def satisfied(held, allowed):
    """The route's alternatives (`allowed`) the permissions `held` satisfy; "A+B" needs both A and B."""
    return {alternative for alternative in allowed if set(alternative.split("+")) <= set(held)}


def markdown_table():
    """The route -> permission table, for docs/development.md."""
    lines = ["| method | path | any of these permissions |", "|---|---|---|"]
    for method, path, _handler, perms in ROUTES:
        lines.append(f"| {method} | `{path}` | {', '.join(perms)} |")
    return "\n".join(lines)
