"""Built-in service principals of a Microsoft Entra tenant, with their real, public permission IDs.

The IDs are Microsoft's published ones (Microsoft Graph permissions reference; they are the same in every
tenant), so that a client that hard-codes them, or resolves them by name, behaves as against a real tenant.
"""

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

# name: (delegated scope id or None, application role id or None)
GRAPH_PERMISSIONS = {
    "openid": ("37f7f235-527c-4136-accd-4a02d197975b", None),
    "email": ("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", None),
    "profile": ("14dad69e-099b-42c9-810b-d002981feec1", None),
    "offline_access": ("7427e0e9-2fdb-4417-809c-591378161370", None),
    "User.Read": ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", None),
    "User.Read.All": (None, "df021288-bdef-4463-88db-98f22de89214"),
    "Directory.AccessAsUser.All": ("0e263e50-5827-48a4-b97c-d940288653c7", None),
    "Directory.Read.All": ("06da0dbc-49e2-44d2-8312-53f166ab848a", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
    "Directory.ReadWrite.All": ("c5366453-9fb0-48a5-a156-24f0c49a4b84", "19dbc75e-c2e2-444c-a770-ec69d8559fc7"),
    "Application.Read.All": ("c79f8feb-a9db-4090-85f9-90d820caa0eb", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
    "Application.ReadWrite.All": ("bdfbf15f-ee85-4955-8675-146e8e5296b5", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
    "Application.ReadWrite.OwnedBy": (None, "18a4783c-866b-4cc7-a460-3d5e5662c884"),
    "AppRoleAssignment.ReadWrite.All": ("84bccea3-f856-4a8a-967b-dbe0a3d53a64", "06b708a9-e830-4db3-a914-8e69da51d44f"),
    "DelegatedPermissionGrant.Read.All": (
        "a197cdc4-a8e8-4d49-9d35-4ca7c83887b4",
        "81b4724a-58aa-41c1-8a55-84ef97466587",
    ),
    "DelegatedPermissionGrant.ReadWrite.All": (
        "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
        "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    ),
}

ARM_PERMISSIONS = {
    "user_impersonation": ("41094075-9dad-400e-a0bd-54e686782033", None),
}

# Identifier URIs a client may use as the resource of a scope ("<resource>/.default"), besides the appId.
GRAPH_RESOURCE_URIS = ("https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us",
                       "https://microsoftgraph.chinacloudapi.cn", "https://canary.graph.microsoft.com")
ARM_RESOURCE_URIS = ("https://management.azure.com", "https://management.core.windows.net",
                     "https://management.chinacloudapi.cn", "https://management.usgovcloudapi.net")


def _scope(name, scope_id, resource_name):
    return {
        "adminConsentDescription": f"Allows the app to use {name} ({resource_name}).",
        "adminConsentDisplayName": name,
        "id": scope_id,
        "isEnabled": True,
        "type": "User" if name in ("openid", "email", "profile", "offline_access", "User.Read") else "Admin",
        "userConsentDescription": f"Allows the app to use {name}.",
        "userConsentDisplayName": name,
        "value": name,
    }


def _role(name, role_id, resource_name):
    return {
        "allowedMemberTypes": ["Application"],
        "description": f"Allows the app to use {name} ({resource_name}) without a signed-in user.",
        "displayName": name,
        "id": role_id,
        "isEnabled": True,
        "origin": "Application",
        "value": name,
    }


def builtin_service_principals():
    """(appId, displayName, servicePrincipalNames, oauth2PermissionScopes, appRoles) of each built-in resource."""
    out = []
    for app_id, name, uris, table in (
        (GRAPH_APP_ID, "Microsoft Graph", GRAPH_RESOURCE_URIS, GRAPH_PERMISSIONS),
        (ARM_APP_ID, "Windows Azure Service Management API", ARM_RESOURCE_URIS, ARM_PERMISSIONS),
    ):
        scopes = [_scope(n, s, name) for n, (s, _r) in table.items() if s]
        roles = [_role(n, r, name) for n, (_s, r) in table.items() if r]
        out.append((app_id, name, [app_id, *uris], scopes, roles))
    return out
