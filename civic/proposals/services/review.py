"""Feasibility review: reviewers, and the outcome the author is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...core import audit
from ...core.db import add_once
from ...core.refusals import PermissionDenied
from .. import permissions
from ..domain import Status
from ..models import FeasibilityReview, Proposal, ReviewAssignment
from .common import NotAllowed, _change_status, _locked


def start_review(session: Session, actor: User, proposal: Proposal, *, now: datetime) -> None:
    """Staff move a submitted proposal to review (whatever its supports)."""
    if not permissions.can_assign_reviewers(actor):
        raise PermissionDenied
    _change_status(session, _locked(session, proposal.id), Status.IN_REVIEW, now, actor_id=actor.id)


def assign_reviewer(
    session: Session, actor: User, proposal: Proposal, reviewer: User, *, now: datetime
) -> bool:
    """Staff give a proposal to a staff member to check."""
    if not permissions.can_assign_reviewers(actor) or not is_staff(reviewer):
        raise PermissionDenied
    if not add_once(
        session,
        ReviewAssignment(
            proposal_id=proposal.id,
            reviewer_id=reviewer.id,
            assigned_by_id=actor.id,
            assigned_at=now,
        ),
    ):
        return False
    audit.record(
        session,
        actor_id=actor.id,
        action="proposal.assign_reviewer",
        target_type="proposal",
        target_id=proposal.id,
        after={"reviewer_id": reviewer.id},
        now=now,
    )
    return True


def reviewer_ids(session: Session, proposal_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ReviewAssignment.reviewer_id).where(ReviewAssignment.proposal_id == proposal_id)
        )
    )


@dataclass
class ReviewData:
    feasible: bool
    public_reason: str
    cost_estimate_cents: int
    running_cost_cents: int
    duration_months: int
    private_notes: str = ""
    # Only after voting opened, only by an admin: why the ballot changes (published).
    ballot_override_reason: str = ""


def record_review(
    session: Session, reviewer: User, proposal: Proposal, data: ReviewData, *, now: datetime
) -> FeasibilityReview:
    """Record feasible / not feasible with a public reason; the author is e-mailed the outcome."""
    if not permissions.can_record_review(reviewer, reviewer_ids(session, proposal.id)):
        raise PermissionDenied
    if not data.public_reason.strip():
        raise NotAllowed("reason_required")
    proposal = _locked(session, proposal.id)
    if session.scalar(
        select(FeasibilityReview.id).where(FeasibilityReview.proposal_id == proposal.id)
    ):
        raise NotAllowed("already_reviewed")  # one review per proposal (a UNIQUE backs it)
    target = Status.FEASIBLE if data.feasible else Status.NOT_FEASIBLE
    review = FeasibilityReview(
        proposal_id=proposal.id,
        reviewer_id=reviewer.id,
        outcome=target.value,
        public_reason=data.public_reason.strip(),
        cost_estimate_cents=data.cost_estimate_cents,
        running_cost_cents=data.running_cost_cents,
        duration_months=data.duration_months,
        private_notes=data.private_notes,
        decided_at=now,
    )
    _change_status(
        session,
        proposal,
        target,
        now,
        actor_id=reviewer.id,
        reason=data.public_reason,
        actor=reviewer,
        override_reason=data.ballot_override_reason,
    )
    session.add(review)
    session.flush()
    return review
