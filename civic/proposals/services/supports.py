"""Supports: once per person, and the threshold that sends a proposal to review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.domain import PhaseKind
from ...calls.models import Call
from ...core.db import add_once
from ...core.refusals import PermissionDenied
from .. import permissions
from ..domain import Status, reaches_threshold
from ..models import Proposal, Support
from .common import NotAllowed, _change_status, _locked, _require_phase


def count_supports(session: Session, proposal_id: int) -> int:
    return session.scalar(select(func.count()).where(Support.proposal_id == proposal_id)) or 0


def support_proposal(
    session: Session, user: User, proposal: Proposal, call: Call, *, now: datetime
) -> bool:
    """Support once while the supports phase is open; at the threshold the proposal is reviewed."""
    if not permissions.can_support(user, proposal):
        raise PermissionDenied
    _require_phase(call, PhaseKind.SUPPORTS, now)
    proposal = _locked(session, proposal.id)
    if Status(proposal.status) not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise NotAllowed("not_supportable")
    if not add_once(session, Support(proposal_id=proposal.id, user_id=user.id, created_at=now)):
        return False  # already supported (perhaps by a double click)
    if Status(proposal.status) is Status.SUBMITTED and reaches_threshold(
        count_supports(session, proposal.id), call.support_threshold
    ):
        _change_status(session, proposal, Status.IN_REVIEW, now, actor_id=None)
    return True


def withdraw_support(
    session: Session, user: User, proposal: Proposal, call: Call, *, now: datetime
) -> bool:
    """Take a support back while the supports phase is open."""
    _require_phase(call, PhaseKind.SUPPORTS, now)
    result = session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    )
    return bool(getattr(result, "rowcount", 0))
