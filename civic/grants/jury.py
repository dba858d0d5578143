"""The jury at work: assignments, declarations of conflict of interest, scores.

A juror sees an application only after declaring no conflict; a declared conflict recuses them
and the application goes to the least-loaded eligible juror. Scores are kept per criterion in
half points (None: not applicable) with a required comment, and are final once submitted;
only then does the juror see the others' scores."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import audit
from ..core.refusals import PermissionDenied
from . import assignment as plan
from . import scoring
from .conflicts import interested, jurors_of, reassign
from .models import GrantApplication, GrantSettings, JuryAssignment, JuryScore
from .permissions import can_manage_grants, may_read_as_juror
from .queries import assignments_of_call
from .services import GrantRefused
from .states import State

SCORED_STATES = (State.UNDER_REVIEW.value, State.INTERVIEW.value)


def _log(
    session: Session,
    actor: User,
    action: str,
    target: JuryAssignment,
    now: datetime,
    **after: object,
) -> None:
    audit.record(
        session,
        actor_id=actor.id,
        action=f"grant.jury.{action}",
        target_type="grant_application",
        target_id=target.application_id,
        now=now,
        after={"juror_id": target.juror_id, **after},
    )


def auto_assign(
    session: Session, actor: User, call_id: int, settings: GrantSettings, *, now: datetime
) -> int:
    """Give every application under review its jurors, balancing loads; manual assignments
    and recusals stay. Returns how many assignments were added."""
    if not can_manage_grants(actor):
        raise PermissionDenied()
    applications = [
        str(a)
        for a in session.scalars(
            select(GrantApplication.id).where(
                GrantApplication.call_id == call_id, GrantApplication.state.in_(SCORED_STATES)
            )
        )
    ]
    jurors = [str(j.id) for j in jurors_of(session, call_id)]
    existing: dict[str, list[str]] = {}
    conflicts: dict[str, set[str]] = {}
    for a in assignments_of_call(session, call_id):
        if a.recused_at is not None:
            conflicts.setdefault(str(a.juror_id), set()).add(str(a.application_id))
        else:
            existing.setdefault(str(a.application_id), []).append(str(a.juror_id))
    for app_id, people in interested(session, map(int, applications)).items():
        for person in people:  # the people behind an application never judge it
            conflicts.setdefault(str(person), set()).add(str(app_id))
    try:
        result = plan.assign(
            applications,
            jurors,
            settings.jurors_per_application,
            conflicts,
            {k: v for k, v in existing.items() if k in applications},
        )
    except plan.NotEnoughJurors as error:
        raise GrantRefused("not_enough_jurors") from error
    added = 0
    for application_id, given in result.jurors.items():
        for juror_id in given:
            if juror_id in existing.get(application_id, []):
                continue
            made = JuryAssignment(
                application_id=int(application_id), juror_id=int(juror_id), assigned_at=now
            )
            session.add(made)
            session.flush()
            _log(session, actor, "assign", made, now)
            added += 1
    return added


def add_juror(
    session: Session, actor: User, application: GrantApplication, juror: User, *, now: datetime
) -> JuryAssignment:
    """A manual change: staff put a juror on an application."""
    if not can_manage_grants(actor):
        raise PermissionDenied()
    if juror.id not in {j.id for j in jurors_of(session, application.call_id)}:
        raise GrantRefused("not_a_juror")
    found = session.scalar(
        select(JuryAssignment).where(
            JuryAssignment.application_id == application.id, JuryAssignment.juror_id == juror.id
        )
    )
    if found is not None:
        raise GrantRefused("already_assigned")
    if juror.id in interested(session, [application.id])[application.id]:
        raise GrantRefused("juror_interested")
    made = JuryAssignment(application_id=application.id, juror_id=juror.id, assigned_at=now)
    session.add(made)
    session.flush()
    _log(session, actor, "assign_manual", made, now)
    return made


def remove_juror(
    session: Session, actor: User, assignment: JuryAssignment, *, now: datetime
) -> None:
    """A manual change: staff take a juror off an application they have not scored yet. A
    recusal stays on record; submitted scores are final and stay too."""
    if not can_manage_grants(actor):
        raise PermissionDenied()
    if assignment.recused_at is not None:
        raise GrantRefused("juror_recused")
    if assignment.submitted_at is not None:
        raise GrantRefused("scores_final")
    _log(session, actor, "remove", assignment, now)
    session.execute(delete(JuryScore).where(JuryScore.assignment_id == assignment.id))
    session.delete(assignment)
    session.flush()


def declare(
    session: Session,
    juror: User,
    assignment: JuryAssignment,
    *,
    conflict: bool,
    reason: str,
    now: datetime,
) -> JuryAssignment | None:
    """No conflict: the juror may now read and score. A conflict: they are recused and the
    application is reassigned; returns the new assignment, if one was made."""
    if assignment.juror_id != juror.id or assignment.recused_at is not None:
        raise PermissionDenied()
    if assignment.declared_at is not None:
        raise GrantRefused("already_declared")
    if not conflict:
        assignment.declared_at = now
        _log(session, juror, "no_conflict", assignment, now)
        session.flush()
        return None
    if not reason.strip():
        raise GrantRefused("reason_needed")
    assignment.recused_at = now
    assignment.conflict_reason = reason.strip()[:500]
    _log(session, juror, "conflict", assignment, now)
    session.flush()
    return reassign(session, juror, assignment, now=now)


def criteria_of(settings: GrantSettings) -> list[scoring.Criterion]:
    from fractions import Fraction

    return [
        scoring.Criterion(
            str(c["code"]), int(c["weight"]), Fraction(int(c.get("threshold_half", 0)), 2)
        )
        for c in settings.criteria
    ]


def save_scores(
    session: Session,
    juror: User,
    assignment: JuryAssignment,
    settings: GrantSettings,
    given: Mapping[str, tuple[int | None, str]],
    *,
    submit: bool,
    now: datetime,
) -> None:
    """Scores per criterion (half points, or None for not applicable) each with a comment;
    ``submit`` makes them final (every criterion needs its comment)."""
    if assignment.juror_id != juror.id or not may_read_as_juror(assignment):
        raise PermissionDenied()
    if assignment.submitted_at is not None:
        raise GrantRefused("scores_final")
    application = session.get(GrantApplication, assignment.application_id)
    if application is None or application.state not in SCORED_STATES:
        raise GrantRefused("not_under_review")
    codes = [c.code for c in criteria_of(settings)]
    if set(given) - set(codes):
        raise GrantRefused("unknown_criterion")
    for code, (half, comment) in given.items():
        try:
            scoring.check_score(half)
        except ValueError:
            raise GrantRefused("score_range") from None
        row = session.get(JuryScore, (assignment.id, code)) or JuryScore(
            assignment_id=assignment.id, criterion=code
        )
        row.half_points, row.comment = half, comment.strip()[:5000]
        session.add(row)
    session.flush()
    if submit:
        stored = {
            s.criterion: s
            for s in session.scalars(
                select(JuryScore).where(JuryScore.assignment_id == assignment.id)
            )
        }
        if any(code not in stored or not stored[code].comment for code in codes):
            raise GrantRefused("comment_needed")
        assignment.submitted_at = now
        _log(session, juror, "scores_submitted", assignment, now)
        session.flush()


def submitted_scores(session: Session, call_id: int) -> dict[int, dict[int, dict[str, int | None]]]:
    """application -> juror -> criterion -> half points, for submitted scores only."""
    rows = session.execute(
        select(
            JuryAssignment.application_id,
            JuryAssignment.juror_id,
            JuryScore.criterion,
            JuryScore.half_points,
        )
        .join(JuryScore, JuryScore.assignment_id == JuryAssignment.id)
        .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
        .where(
            GrantApplication.call_id == call_id,
            JuryAssignment.submitted_at.is_not(None),
            JuryAssignment.recused_at.is_(None),
        )
    ).all()
    found: dict[int, dict[int, dict[str, int | None]]] = {}
    for application_id, juror_id, criterion, half in rows:
        found.setdefault(application_id, {}).setdefault(juror_id, {})[criterion] = half
    return found
