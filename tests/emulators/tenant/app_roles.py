"""An application's app roles: what Graph accepts in `appRoles`, and which changes to existing roles it refuses.

Sources:
- Graph v1.0 appRole resource (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/approle.md):
  `allowedMemberTypes` is ["User"] (users and groups), ["Application"] (other apps' service principals) or both;
  `id` is a GUID, "Unique role identifier inside the appRoles collection"; `isEnabled` "When creating or updating an
  app role, this must be set to true (which is the default). To delete a role, this must first be set to false. At
  that point, in a subsequent call, this role may be removed."; `origin` "Must not be included in any POST or PATCH
  requests. Read-only."; `value` "Must not exceed 120 characters", only the listed characters, no space, may not
  begin with `.`.
- The refusal of deleting or changing an enabled role: 400 `CannotDeleteOrUpdateEnabledEntitlement` "Permission
  (scope or role) cannot be deleted or updated unless disabled first." (the Graph error body quoted in
  OfficeDev/microsoft-365-agents-toolkit PR #9420 and microsoftgraph/msgraph-sdk-powershell issues #1054, #1211).
  That Graph refuses any change of an enabled role's properties but `isEnabled` (not only its removal) is
  UNCONFIRMED beyond the message's "or updated"; the stricter reading is modelled.
- A value used by two roles (or by a role and an oauth2PermissionScope) is refused: hashicorp/terraform-provider-
  azuread checks it before writing ("Checking for duplicate app role / oauth2_permissions values"); Graph's own
  message for it is UNCONFIRMED (the emulator answers 400 Request_BadRequest naming appRoles).
- Refusing `origin` in a write follows the docs' "Must not be included"; whether Graph really refuses an echoed
  `origin` is UNCONFIRMED (the stricter behaviour is modelled).
"""

import re
import uuid

from .errors import GraphError, bad_request

MEMBER_TYPES = frozenset({"User", "Application"})
ROLE_KEYS = frozenset({"allowedMemberTypes", "description", "displayName", "id", "isEnabled", "value"})
MAX_VALUE_LENGTH = 120
_VALUE = re.compile(r"^[0-9A-Za-z:!#$%&'()*+,\-./;<=>?@\[\]^_`{|}~]+$")


def _invalid(reason):
    return bad_request(f"Invalid value specified for property 'appRoles' of resource 'Application'. {reason}")


def _is_guid(value):
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def check_roles(roles, scopes=()):
    """Shape of an appRoles collection as written: every role well formed, ids and values unique."""
    if not isinstance(roles, list):
        raise _invalid("appRoles must be a collection.")
    ids, values = set(), {s.get("value") for s in scopes or () if isinstance(s, dict) and s.get("value")}
    for role in roles:
        if not isinstance(role, dict):
            raise _invalid("Each app role must be an object.")
        if "origin" in role:
            raise _invalid("'origin' is read-only and must not be included.")
        unknown = set(role) - ROLE_KEYS - {k for k in role if k.startswith("@odata.")}
        if unknown:
            raise _invalid(f"Unknown app role properties: {', '.join(sorted(unknown))}.")
        role_id = role.get("id")
        if not _is_guid(role_id):
            raise _invalid(f"App role id {role_id!r} is not a GUID.")
        if role_id.lower() in ids:
            raise _invalid(f"App role id {role_id} is used twice.")
        ids.add(role_id.lower())
        types = role.get("allowedMemberTypes")
        if not isinstance(types, list) or not types or not set(types) <= MEMBER_TYPES or len(set(types)) != len(types):
            raise _invalid("allowedMemberTypes must be ['User'], ['Application'] or both.")
        if not isinstance(role.get("isEnabled", True), bool):
            raise _invalid("isEnabled must be a boolean.")
        value = role.get("value")
        if value is not None:
            if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH or not _VALUE.match(value) \
                    or value.startswith("."):
                raise _invalid(f"App role value {value!r} has characters that are not allowed, starts with '.' or "
                               f"is longer than {MAX_VALUE_LENGTH} characters.")
            if value in values:
                raise _invalid(f"The value {value!r} is used by another app role or permission scope.")
            values.add(value)


def normalized(role):
    """A role as Graph stores it (defaults filled in, @odata annotations dropped)."""
    return {"allowedMemberTypes": list(role.get("allowedMemberTypes") or []), "description": role.get("description"),
            "displayName": role.get("displayName"), "id": role["id"].lower(), "isEnabled": role.get("isEnabled", True),
            "origin": "Application", "value": role.get("value")}


def check_transition(before, after):
    """Refuse removing or changing a role that is enabled now (it must be disabled in an earlier write)."""
    new_by_id = {r["id"].lower(): r for r in after}
    for old in before:
        if not old.get("isEnabled", True):
            continue
        new = new_by_id.get(old["id"].lower())
        changed = new is None or any(new.get(k) != old.get(k) for k in ROLE_KEYS - {"isEnabled", "id"})
        if changed:
            raise GraphError(400, "CannotDeleteOrUpdateEnabledEntitlement",
                             "Permission (scope or role) cannot be deleted or updated unless disabled first.")


def removed_ids(before, after):
    """Ids of the roles a write removes (already disabled, checked by check_transition)."""
    return {r["id"].lower() for r in before} - {r["id"].lower() for r in after}
