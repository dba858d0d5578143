"""Who may do what with accounts. Pure predicates over a user (or an anonymous visitor)."""

from __future__ import annotations

from typing import Any

from .domain import Role


def has_role(user: Any, role: Role, call_id: int | None = None) -> bool:
    """Whether the user holds a role across the platform, or for the given call."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if role is Role.CITIZEN:
        return True
    return any(
        grant.role == role and (grant.call_id is None or grant.call_id == call_id)
        for grant in user.grants
    )


def is_staff(user: Any) -> bool:
    """City staff or admins: the people who run calls, in every feature."""
    return has_role(user, Role.STAFF) or has_role(user, Role.ADMIN)


def roles_of(user: Any) -> list[Role]:
    """Every platform-wide role a user holds, citizen first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    held = {grant.role for grant in user.grants if grant.call_id is None}
    return [Role.CITIZEN] + [role for role in Role if role is not Role.CITIZEN and role in held]


def can_manage_roles(user: Any) -> bool:
    """Admins grant and revoke roles."""
    return has_role(user, Role.ADMIN)


def can_find_users(user: Any) -> bool:
    """Admins search the people registered."""
    return has_role(user, Role.ADMIN)


def can_view_audit_log(user: Any) -> bool:
    """Admins read the audit log (no one edits it)."""
    return has_role(user, Role.ADMIN)


def can_revoke_role(actor: Any, target: Any, role: Role) -> bool:
    """Admins revoke roles, but not their own admin role (an instance must keep an admin)."""
    if not can_manage_roles(actor):
        return False
    return not (role is Role.ADMIN and actor.id == target.id)


def may_sign_in_with_password(user: Any, oidc_required: bool) -> bool:
    """When the city requires SPID/CIE for citizens, only staff and admins use passwords."""
    return not oidc_required or has_role(user, Role.STAFF) or has_role(user, Role.ADMIN)


def can_see_identity(viewer: Any, person: Any) -> bool:
    """Fiscal number and date of birth: the person, and admins (who must give a reason)."""
    return bool(getattr(viewer, "is_authenticated", False)) and (
        viewer.id == person.id or has_role(viewer, Role.ADMIN)
    )
