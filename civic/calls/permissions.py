"""Who may do what with calls."""

from __future__ import annotations

from typing import Any

from ..accounts.domain import Role
from ..accounts.permissions import has_role


def can_manage_calls(user: Any) -> bool:
    """City staff and admins create, edit and publish calls."""
    return has_role(user, Role.STAFF) or has_role(user, Role.ADMIN)


def can_override_frozen_rules(user: Any) -> bool:
    """Only an admin may change a call's rules once it is in use, and must give a reason."""
    return has_role(user, Role.ADMIN)


def can_view_call(user: Any, call: Any) -> bool:
    """Published calls are public; drafts are for staff."""
    return call.published_at is not None or can_manage_calls(user)
