"""Shared by the proposal use cases: refusals, phase checks, row locks, status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...calls.domain import PhaseKind, has_phase_started, is_phase_open
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core import audit
from ..domain import Status, move
from ..models import Proposal
from .following import _notify


class PhaseClosed(Exception):
    """The call is not in the phase this action belongs to; ``phase`` says which."""

    def __init__(self, phase: PhaseKind) -> None:
        super().__init__(phase.value)
        self.phase = phase


class NotAllowed(Exception):
    """A rule of the call or proposal refuses this; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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


def _change_status(
    session: Session,
    proposal: Proposal,
    target: Status,
    now: datetime,
    *,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    before = proposal.status
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
