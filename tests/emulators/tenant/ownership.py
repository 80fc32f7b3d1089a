"""Who may change an application or its service principal: state rules of the tenant, not of the protocol (the
routes only say who calls: the caller's object ID and whether its only write permission is
Application.ReadWrite.OwnedBy).

Source: Microsoft Graph permissions reference, Application.ReadWrite.OwnedBy: "Allows the app to create other
applications, and fully manage those applications (read, update, update application secrets and delete), without a
signed-in user. It cannot update any apps that it is not an owner of." The creator of an application becomes its
owner (application create, Graph v1.0). A service principal is created for, and deleted with, an application the
caller owns: UNCONFIRMED that Graph asks ownership of the application rather than of the service principal itself;
the emulator models the stricter rule. A refusal is Graph's 403 Authorization_RequestDenied.
"""

from .errors import denied


def check_may_change_application(record, caller_oid, owned_only):
    """PATCH, upsert or DELETE of an existing application."""
    if owned_only and caller_oid not in record.owners:
        raise denied()


def check_may_create_service_principal(tenant, app_id, caller_oid, owned_only):
    """POST /servicePrincipals for the application ``app_id``."""
    if owned_only and not [a for a in tenant.list_applications()
                           if a.props["appId"] == app_id and caller_oid in a.owners]:
        raise denied()


def check_may_delete_service_principal(tenant, record, caller_oid, owned_only):
    """DELETE of the service principal ``record``: its application must be the caller's."""
    if not owned_only:
        return
    apps = [a for a in tenant.list_applications() if a.props["appId"] == record.props["appId"]]
    if not apps or caller_oid not in apps[0].owners:
        raise denied()
