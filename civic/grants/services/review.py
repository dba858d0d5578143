"""The city's formal check, integrations asked of the applicant, the consensus report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit
from ...core.refusals import PermissionDenied
from .. import application as rules
from ..models import GrantApplication
from ..permissions import is_applicant
from ..states import State, move
from . import GrantRefused, _log, _staff, notify_applicant
from .applying import _may_edit


def save_consensus_report(
    session: Session, actor: User, application: GrantApplication, text: str, *, now: datetime
) -> None:
    """The jury's consensus report, which the applicant reads with the final ranking."""
    _staff(actor)
    application.consensus_report = text.strip()
    application.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="grant.consensus_report",
        target_type="grant_application",
        target_id=application.id,
        now=now,
    )


def start_formal_check(
    session: Session, actor: User, application: GrantApplication, *, now: datetime
) -> None:
    _staff(actor)
    application.state = move(application.state, State.FORMAL_CHECK)
    application.updated_at = now
    _log(session, actor, "formal_check", application, now)
    notify_applicant(session, application, "grant_state", state=application.state)


def decide_formal_check(
    session: Session,
    actor: User,
    application: GrantApplication,
    *,
    outcome: str,
    reason: str = "",
    sections: list[str] | None = None,
    until: datetime | None = None,
    now: datetime,
) -> None:
    """Admissible (to the jury), inadmissible with a reason, or integration requested on named
    sections until a deadline. A submitted application enters the formal check first."""
    _staff(actor)
    if application.state == State.SUBMITTED.value:
        start_formal_check(session, actor, application, now=now)
    if outcome == "admissible":
        application.state = move(application.state, State.UNDER_REVIEW)
    elif outcome == "inadmissible":
        if not reason.strip():
            raise GrantRefused("reason_needed")
        application.state = move(application.state, State.INADMISSIBLE)
        application.decision_reason = reason.strip()
    elif outcome == "integration":
        named = [s for s in (sections or []) if s in (*rules.SECTIONS, "budget")]
        if not named or until is None or until <= now or not reason.strip():
            raise GrantRefused("integration_invalid")
        application.state = move(application.state, State.INTEGRATION_REQUESTED)
        application.integration_sections = named
        application.integration_deadline = until
        application.decision_reason = reason.strip()
    else:
        raise GrantRefused("outcome_unknown")
    application.updated_at = now
    _log(session, actor, f"formal.{outcome}", application, now, reason=reason.strip() or None)
    notify_applicant(session, application, "grant_state", state=application.state)


def send_integration(
    session: Session, applicant: User, application: GrantApplication, *, now: datetime
) -> None:
    """The applicant sends the integrated sections back to the formal check."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if not _may_edit(application, None, now) or application.state != State.INTEGRATION_REQUESTED:
        raise GrantRefused("not_editable")
    application.state = move(application.state, State.FORMAL_CHECK)
    application.updated_at = now
    _log(session, applicant, "integration_sent", application, now)
    notify_applicant(session, application, "grant_state", state=application.state)
