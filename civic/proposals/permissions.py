"""Who may do what with proposals, comments, flags and reviews."""

from __future__ import annotations

from typing import Any

from ..accounts.domain import Role
from ..accounts.permissions import has_role, is_staff
from .domain import PUBLIC_STATES, Status


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_author(user: Any, proposal: Any) -> bool:
    return _signed_in(user) and proposal.author_id == user.id


def can_create_proposal(user: Any) -> bool:
    """Any signed-in person may start a proposal (the call's phase and areas are checked too)."""
    return _signed_in(user)


def can_view_proposal(user: Any, proposal: Any) -> bool:
    """Public once submitted; drafts for their author and staff; hidden ones show only a notice."""
    if Status(proposal.status) in PUBLIC_STATES or Status(proposal.status) is Status.HIDDEN:
        return True
    return is_author(user, proposal) or is_staff(user)


def can_read_hidden_content(user: Any, proposal: Any) -> bool:
    """A hidden proposal's text stays visible to its author and to staff."""
    return is_author(user, proposal) or is_staff(user)


def can_edit_proposal(user: Any, proposal: Any) -> bool:
    return is_author(user, proposal)


def can_support(user: Any, proposal: Any) -> bool:
    """Signed-in people other than the author."""
    return _signed_in(user) and not is_author(user, proposal)


def can_comment(user: Any, proposal: Any) -> bool:
    return _signed_in(user) and Status(proposal.status) in PUBLIC_STATES


def can_flag(user: Any) -> bool:
    return _signed_in(user)


def can_moderate(user: Any) -> bool:
    return is_staff(user)


def can_assign_reviewers(user: Any) -> bool:
    return is_staff(user)


def can_record_review(user: Any, assigned_reviewer_ids: set[int]) -> bool:
    """An assigned reviewer, or an admin."""
    return _signed_in(user) and (user.id in assigned_reviewer_ids or has_role(user, Role.ADMIN))


def can_follow(user: Any) -> bool:
    return _signed_in(user)
