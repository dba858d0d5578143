"""Who may do what with execution tracking."""

from __future__ import annotations

from typing import Any

from ..accounts.permissions import is_staff


def can_manage_execution(user: Any) -> bool:
    """City staff and admins report progress, milestones, money and updates."""
    return is_staff(user)


def can_follow(user: Any) -> bool:
    """Following a project (e-mail on each change) needs an account with an address."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "email", None))
