"""Who may do what with meetings."""

from __future__ import annotations

from typing import Any

from ..accounts.permissions import is_staff
from .domain import MeetingStatus


def can_manage_meetings(user: Any) -> bool:
    """City staff and admins create meetings, check people in and publish minutes."""
    return is_staff(user)


def can_view_meeting(user: Any, meeting: Any) -> bool:
    """Published and cancelled meetings are public; drafts are for staff."""
    return meeting.status != MeetingStatus.DRAFT.value or can_manage_meetings(user)


def can_take_part(user: Any) -> bool:
    """Registering, asking to speak and writing a contribution need an account."""
    return bool(user is not None and getattr(user, "is_authenticated", False))
