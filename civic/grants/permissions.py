"""Who may do what with grants. Jurors see only what they are assigned to and have declared
no conflict on; applicants never see jurors' names."""

from __future__ import annotations

from typing import Any

from ..accounts.domain import Role
from ..accounts.permissions import has_role, is_staff


def can_manage_grants(user: Any) -> bool:
    """City staff configure calls, check applications, assign jurors and publish rankings."""
    return is_staff(user)


def is_juror(user: Any) -> bool:
    return has_role(user, Role.JUROR)


def is_applicant(user: Any, application: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and application.lead_user_id == user.id


def may_read_as_juror(assignment: Any) -> bool:
    """A juror reads an application only once they have declared no conflict, and never after
    being recused."""
    return (
        assignment is not None
        and assignment.declared_at is not None
        and assignment.recused_at is None
    )


def may_see_other_scores(assignment: Any) -> bool:
    """Other jurors' scores only after one's own are submitted."""
    return may_read_as_juror(assignment) and assignment.submitted_at is not None
