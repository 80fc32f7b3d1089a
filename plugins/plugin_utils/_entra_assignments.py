# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users and groups assigned to an app's roles (appRoleAssignedTo of its service principal): checked input, what is
assigned vs what is wanted, and the writes that close the gap. Pure logic, no I/O.

Only assignments of users and groups to the roles the task names are managed: assignments of service principals
(application permissions, granted by consent) and to other roles are never touched.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.wac.fleet.plugins.plugin_utils._validate import InputError, check_guid

PRINCIPAL_TYPES = ("User", "Group")


def normalize_assignments(value, option: str = "assignments") -> dict[str, list[str]]:
    """``{role value: [principal object IDs]}``, checked; IDs lower-cased, duplicates dropped."""
    if not isinstance(value, dict):
        raise InputError(f"{option} must be a dict of app role value to a list of user or group object IDs, "
                         f"like {{User: [...], Admin: [...]}}")
    result = {}
    for role, principals in value.items():
        if not isinstance(role, str) or not role.strip():
            raise InputError(f"{option}: an app role value must be a non-empty string, got {role!r}")
        if principals is None:
            principals = []
        if not isinstance(principals, list):
            raise InputError(f"{option}.{role} must be a list of user or group object IDs")
        result[role] = list(dict.fromkeys(check_guid(p, f"{option}.{role}[{i}]") for i, p in enumerate(principals)))
    return result


@dataclasses.dataclass
class AssignmentPlan:
    create: list  # Graph bodies for POST appRoleAssignedTo, with "role" (value) for the report
    delete: list  # {"id", "principal_id", "role"}
    before: dict  # role value -> sorted principal IDs (users and groups)
    after: dict

    @property
    def changed(self) -> bool:
        return bool(self.create or self.delete)


def role_ids(app_roles: list[dict], wanted: dict[str, list[str]]) -> dict[str, str]:
    """Role value -> ID for the roles named; a role the app lacks, or a disabled one, is an error naming it."""
    by_value = {r.get("value"): r for r in app_roles or []}
    result = {}
    for value in wanted:
        role = by_value.get(value)
        if role is None:
            known = ", ".join(sorted(str(v) for v in by_value)) or "none"
            raise InputError(f"assignments: the app has no app role {value!r} (its roles: {known})")
        if not role.get("enabled", role.get("isEnabled", True)):
            raise InputError(f"assignments: the app role {value!r} is disabled and cannot be assigned")
        types = role.get("allowed_member_types", role.get("allowedMemberTypes")) or []
        if "User" not in types:
            raise InputError(f"assignments: the app role {value!r} cannot be assigned to users and groups "
                             f"(allowedMemberTypes {types})")
        result[value] = role["id"].lower()
    return result


def plan_assignments(resource_sp_id: str, roles: dict[str, str], wanted: dict[str, list[str]],
                     current: list[dict], exclusive: bool) -> AssignmentPlan:
    """``roles``: value -> ID of the roles managed; ``current``: the service principal's appRoleAssignedTo."""
    value_of = {role_id: value for value, role_id in roles.items()}
    have: dict[str, dict[str, str]] = {value: {} for value in roles}  # value -> principal -> assignment id
    for assignment in current:
        value = value_of.get((assignment.get("appRoleId") or "").lower())
        if value is None or assignment.get("principalType") not in PRINCIPAL_TYPES:
            continue
        have[value][(assignment.get("principalId") or "").lower()] = assignment.get("id")
    plan = AssignmentPlan([], [], {}, {})
    for value, role_id in roles.items():
        want = wanted.get(value, [])
        for principal in want:
            if principal not in have[value]:
                plan.create.append({"principalId": principal, "resourceId": resource_sp_id, "appRoleId": role_id,
                                    "role": value})
        if exclusive:
            for principal, assignment_id in have[value].items():
                if principal not in set(want):
                    plan.delete.append({"id": assignment_id, "principal_id": principal, "role": value})
        plan.before[value] = sorted(have[value])
        kept = [p for p in have[value] if not exclusive or p in set(want)]
        plan.after[value] = sorted(set(kept) | set(want))
    return plan
