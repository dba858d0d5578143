"""From scores to a published ranking: statistics per application, agreement between jurors,
the ranking by the call's published rules, its publication, and the transparency table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import audit, signals
from ..core.mail import queue_email
from ..core.refusals import PermissionDenied
from . import scoring, sessions
from .jury import criteria_of, submitted_scores
from .models import GrantApplication, GrantRanking, GrantSettings
from .permissions import can_manage_grants
from .services import GrantRefused
from .states import State, move

TRANSPARENCY_MIN_CENTS = 1_000_00  # grants over 1,000 euro are published before payment


@dataclass(frozen=True)
class Row:
    application: GrantApplication
    summary: scoring.Summary
    normalised: float | None


@dataclass(frozen=True)
class Board:
    rows: list[Row]
    ranking: scoring.Ranking
    agreement: float | None
    juror_z: dict[int, dict[int, float]]  # juror -> application -> z


AWARDED = (State.FUNDED.value, State.AGREEMENT.value, State.REPORTING.value, State.CLOSED.value)


def session_of_application(application: GrantApplication, settings: GrantSettings) -> date | None:
    if application.submitted_at is None:
        return None
    return sessions.session_of(application.submitted_at, settings.cutoffs)


def default_session(session: Session, call_id: int, settings: GrantSettings) -> date | None:
    """For a rolling call, the session staff work on: the earliest one with applications still
    with the jury, otherwise the latest one that has any application."""
    if settings.mode != "rolling" or not settings.cutoffs:
        return None
    rows = session.execute(
        select(GrantApplication.submitted_at, GrantApplication.state).where(
            GrantApplication.call_id == call_id, GrantApplication.submitted_at.is_not(None)
        )
    ).all()
    found = [
        (day, state)
        for at, state in rows
        if at is not None and (day := sessions.session_of(at, settings.cutoffs)) is not None
    ]
    pending = sorted(
        day for day, state in found if state in (State.UNDER_REVIEW.value, State.INTERVIEW.value)
    )
    if pending:
        return pending[0]
    used = sorted(day for day, _state in found)
    return used[-1] if used else date.fromisoformat(settings.cutoffs[0])


def board(
    session: Session, call_id: int, settings: GrantSettings, cutoff: date | None = None
) -> Board:
    """Everything the ranking page shows, from submitted scores only. In a rolling call it
    covers one session (``cutoff``; by default the one in progress) and the budget left by the
    grants awarded in earlier sessions."""
    rolling = settings.mode == "rolling"
    if rolling and cutoff is None:
        cutoff = default_session(session, call_id, settings)
    criteria = criteria_of(settings)
    scores = submitted_scores(session, call_id)
    applications = list(
        session.scalars(
            select(GrantApplication)
            .where(
                GrantApplication.call_id == call_id,
                GrantApplication.state.in_(
                    [
                        State.UNDER_REVIEW.value,
                        State.INTERVIEW.value,
                        State.RANKED.value,
                        State.FUNDED.value,
                        State.RESERVE.value,
                        State.NOT_ADMITTED.value,
                    ]
                ),
            )
            .order_by(GrantApplication.submitted_at, GrantApplication.id)
        )
    )
    if rolling:
        applications = [a for a in applications if session_of_application(a, settings) == cutoff]
    spread = Fraction(settings.disagreement_half, 2)
    summaries = {
        a.id: scoring.summarise(
            criteria, {str(j): s for j, s in scores.get(a.id, {}).items()}, spread
        )
        for a in applications
    }
    totals: dict[str, dict[str, Fraction]] = {}
    for application_id, summary in summaries.items():
        for juror, total in summary.totals.items():
            totals.setdefault(juror, {})[str(application_id)] = total
    z = scoring.z_scores(totals)
    normalised = scoring.normalised(z)
    agreement = scoring.krippendorff_alpha(
        [[float(t) for t in s.totals.values()] for s in summaries.values()]
    )
    by_code = {str(c["code"]): c for c in settings.criteria}
    candidates = []
    for a in applications:
        summary = summaries[a.id]
        if summary.mean is None:
            continue
        score: Fraction | float = (
            normalised.get(str(a.id), 0.0)
            if settings.ranking_basis == "normalised"
            else summary.mean
        )
        tie: tuple[Any, ...] = (a.submitted_at.timestamp() if a.submitted_at else 0.0, a.id)
        if settings.tie_break.startswith("criterion:") and settings.tie_break[10:] in by_code:
            code = settings.tie_break[10:]
            tie = (-summary.criterion_means.get(code, Fraction(0)), *tie)
        candidates.append(
            scoring.Candidate(
                str(a.id), score, a.total_cents, summary.criterion_means, summary.mean, tie
            )
        )
    from ..calls.models import Call

    call = session.get(Call, call_id)
    budget = call.total_budget_cents if call else 0
    if rolling and cutoff is not None:
        earlier = session.scalars(
            select(GrantApplication).where(
                GrantApplication.call_id == call_id, GrantApplication.state.in_(AWARDED)
            )
        )
        budget -= sum(
            a.total_cents
            for a in earlier
            if (found := session_of_application(a, settings)) is not None and found < cutoff
        )
        budget = max(0, budget)
    ranking = scoring.rank(
        candidates, criteria, Fraction(settings.overall_threshold_half, 2), budget
    )
    rows = [Row(a, summaries[a.id], normalised.get(str(a.id))) for a in applications]
    juror_z = {int(j): {int(a): v for a, v in given.items()} for j, given in z.items()}
    return Board(rows, ranking, agreement, juror_z)


def _published_rows(session: Session, result: Board) -> list[dict[str, Any]]:
    by_id = {str(r.application.id): r for r in result.rows}
    rows: list[dict[str, Any]] = []
    for position, application_id in enumerate(result.ranking.order, start=1):
        outcome = "funded" if application_id in result.ranking.funded else "reserve"
        rows.append(_row(by_id[application_id], position, outcome))
    for application_id in result.ranking.below_threshold:
        rows.append(_row(by_id[application_id], None, "below"))
    return rows


def _row(row: Row, position: int | None, outcome: str) -> dict[str, Any]:
    a = row.application
    mean = row.summary.mean
    return {
        "application_id": a.id,
        "position": position,
        "protocol": a.protocol_number or "",
        "title": a.title,
        "score": f"{float(mean):.2f}".replace(".", ",") if mean is not None else "",
        "normalised": round(row.normalised, 3) if row.normalised is not None else None,
        "requested_cents": a.total_cents,
        "outcome": outcome,
    }


def publish(
    session: Session,
    actor: User,
    call_id: int,
    settings: GrantSettings,
    *,
    kind: str,
    cutoff: date | None = None,
    now: datetime,
) -> GrantRanking:
    """Publish the provisional or the final ranking (of one session, in a rolling call). The
    final one decides: funded, reserve or not admitted, and every applicant is told which side
    of the line they are; the provisional one tells them they are ranked."""
    if not can_manage_grants(actor):
        raise PermissionDenied()
    if kind not in ("provisional", "final"):
        raise GrantRefused("kind_unknown")
    if settings.mode == "rolling":
        if cutoff is None or cutoff.isoformat() not in settings.cutoffs:
            raise GrantRefused("session_unknown")
    else:
        cutoff = None
    result = board(session, call_id, settings, cutoff)
    pending = [
        r.application
        for r in result.rows
        if r.application.state in (State.UNDER_REVIEW.value, State.INTERVIEW.value)
        and r.summary.mean is None
    ]
    if kind == "final" and pending:
        raise GrantRefused("scores_missing")
    if not result.rows:
        raise GrantRefused("nothing_to_rank")
    rows = _published_rows(session, result)
    published = GrantRanking(
        call_id=call_id,
        kind=kind,
        session_on=cutoff,
        rows=rows,
        agreement=result.agreement,
        published_by_id=actor.id,
        published_at=now,
    )
    session.add(published)
    for row in result.rows:
        application = row.application
        if application.state in (State.UNDER_REVIEW.value, State.INTERVIEW.value):
            application.state = move(application.state, State.RANKED)
            application.updated_at = now
            if kind == "provisional":
                _notify_ranked(session, application)
        if kind == "final" and application.state == State.RANKED.value:
            key = str(application.id)
            target = (
                State.FUNDED
                if key in result.ranking.funded
                else State.RESERVE
                if key in result.ranking.reserve
                else State.NOT_ADMITTED
            )
            application.state = move(application.state, target)
            application.updated_at = now
            _tell(session, application, target)
    session.flush()
    if kind == "final":
        signals.projects_funded.send("grants", session=session, call_id=call_id, now=now)
    audit.record(
        session,
        actor_id=actor.id,
        action=f"grant.ranking.{kind}",
        target_type="call",
        target_id=call_id,
        now=now,
        after={
            "rows": len(rows),
            "funded": len(result.ranking.funded),
            "session": cutoff.isoformat() if cutoff else None,
        },
    )
    return published


def _tell(session: Session, application: GrantApplication, outcome: State) -> None:
    lead = session.get(User, application.lead_user_id) if application.lead_user_id else None
    if lead is None or not lead.email:
        return
    queue_email(
        session,
        lead.email,
        "grant_outcome",
        lead.language,
        user=lead,
        application=application,
        outcome=outcome.value,
        application_url=url_for(
            "grants.show_application", application_id=application.id, _external=True
        ),
    )


def _notify_ranked(session: Session, application: GrantApplication) -> None:
    from .services import notify_applicant

    notify_applicant(session, application, "grant_state", state=application.state)


def published_sessions(session: Session, call_id: int) -> list[date]:
    """The sessions of a rolling call that have a published ranking, earliest first."""
    found = session.scalars(
        select(GrantRanking.session_on)
        .where(GrantRanking.call_id == call_id, GrantRanking.session_on.is_not(None))
        .distinct()
    ).all()
    return sorted(d for d in found if d is not None)


def latest(session: Session, call_id: int, cutoff: date | None = None) -> GrantRanking | None:
    return session.scalar(
        select(GrantRanking)
        .where(
            GrantRanking.call_id == call_id,
            *([GrantRanking.session_on == cutoff] if cutoff is not None else []),
        )
        .order_by(GrantRanking.published_at.desc(), GrantRanking.id.desc())
        .limit(1)
    )


def transparency(session: Session) -> list[tuple[str, int, str]]:
    """Awarded grants over 1,000 euro: beneficiary, amount, call. Nothing about hardship."""
    from ..calls.models import Call

    rows = session.execute(
        select(GrantApplication, Call.title_it)
        .join(Call, Call.id == GrantApplication.call_id)
        .where(
            GrantApplication.state.in_(
                [
                    State.FUNDED.value,
                    State.AGREEMENT.value,
                    State.REPORTING.value,
                    State.CLOSED.value,
                ]
            ),
            GrantApplication.total_cents > TRANSPARENCY_MIN_CENTS,
        )
        .order_by(Call.title_it, GrantApplication.protocol_number)
    ).all()
    return [
        (a.organisation_name or a.group_name or a.title, a.total_cents, title) for a, title in rows
    ]
