"""Shared by the proposal use cases: refusals, phase checks, row locks, status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.domain import Role
from ...accounts.permissions import has_role
from ...calls.domain import PhaseKind, has_phase_started, is_phase_open
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core import audit
from ...core.refusals import Conflict, Refused
from ..domain import Status, move
from ..models import BallotAmendment, Proposal
from .following import _notify


class PhaseClosed(Conflict):
    """The call is not in the phase this action belongs to; ``phase`` says which."""

    def __init__(self, phase: PhaseKind) -> None:
        super().__init__("phase_closed", phase=phase)
        self.phase = phase


class NotAllowed(Refused):
    """A rule of the call or proposal refuses this; ``code`` says which."""


def _require_phase(call: Call, phase: PhaseKind, now: datetime) -> None:
    if not is_phase_open(windows_of(call), phase, now):
        raise PhaseClosed(phase)


def review_started(call: Call, now: datetime) -> bool:
    return has_phase_started(windows_of(call), PhaseKind.REVIEW, now)


def _locked(session: Session, proposal_id: int) -> Proposal:
    """The proposal row, locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    locked = session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def guard_ballot(
    session: Session,
    proposal: Proposal,
    before: str,
    after: str,
    now: datetime,
    *,
    actor: Any = None,
    override_reason: str | None = None,
) -> None:
    """Once voting has opened, the projects on a ballot are fixed: a move in or out of it is
    refused, unless an admin overrides with a public reason (shown with the results)."""
    feasible = Status.FEASIBLE.value
    if (before == feasible) == (after == feasible):
        return
    call = session.get(Call, proposal.call_id)
    if call is None or not has_phase_started(windows_of(call), PhaseKind.VOTING, now):
        return
    reason = (override_reason or "").strip()
    if not reason or actor is None or not has_role(actor, Role.ADMIN):
        raise NotAllowed("ballot_frozen")
    session.add(
        BallotAmendment(
            call_id=call.id,
            proposal_id=proposal.id,
            added=after == feasible,
            reason=reason,
            actor_id=actor.id,
            at=now,
        )
    )


def _change_status(
    session: Session,
    proposal: Proposal,
    target: Status,
    now: datetime,
    *,
    actor_id: int | None,
    reason: str | None = None,
    actor: Any = None,
    override_reason: str | None = None,
) -> None:
    before = proposal.status
    guard_ballot(
        session, proposal, before, target.value, now, actor=actor, override_reason=override_reason
    )
    proposal.status = move(Status(before), target).value
    proposal.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="proposal.status",
        target_type="proposal",
        target_id=proposal.id,
        before={"status": before},
        after={"status": proposal.status},
        reason=reason,
        now=now,
    )
    params: dict[str, Any] = {"status": proposal.status}
    if reason:
        params["reason"] = reason
    _notify(session, proposal, "status_changed", params, now)
