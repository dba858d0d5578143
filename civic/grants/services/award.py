"""After the ranking: the award steps, instalments, reports and closing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import signals
from ...core.refusals import PermissionDenied
from ...core.uploads import UploadRefused, store_pdf
from ..models import GrantApplication, GrantFile, GrantInstalment
from ..permissions import is_applicant
from ..states import State, move
from . import GrantRefused, _log, _staff, notify_applicant


def award_step(
    session: Session,
    actor: User,
    application: GrantApplication,
    target: State,
    *,
    reason: str = "",
    now: datetime,
) -> None:
    """Agreement signed, reporting, closed, revoked (with a reason) or renounced."""
    _staff(actor)
    if target in (State.REVOKED, State.RENOUNCED) and not reason.strip():
        raise GrantRefused("reason_needed")
    moved = move(application.state, target)
    if target is State.CLOSED:
        problem = closing_problem(session, application)
        if problem:
            raise GrantRefused(problem)
    application.state = moved
    if reason.strip():
        application.decision_reason = reason.strip()
    application.updated_at = now
    _log(session, actor, f"award.{target.value}", application, now, reason=reason.strip() or None)
    notify_applicant(session, application, "grant_state", state=application.state)
    if target is State.FUNDED:  # a reserve moved up when funds freed
        session.flush()
        signals.projects_funded.send(
            "grants", session=session, call_id=application.call_id, now=now
        )
    elif target in (State.REVOKED, State.RENOUNCED):
        signals.funding_withdrawn.send(
            "grants",
            session=session,
            source="grant",
            source_id=application.id,
            reason=reason.strip(),
            now=now,
        )


def plan_instalments(
    session: Session,
    actor: User,
    application: GrantApplication,
    plan: list[tuple[int, date]],
    *,
    now: datetime,
) -> None:
    """Payments in instalments that add up exactly to the grant."""
    _staff(actor)
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("no_agreement")
    if sum(amount for amount, _due in plan) != application.total_cents or any(
        amount <= 0 for amount, _due in plan
    ):
        raise GrantRefused("instalments_do_not_add_up")
    existing = session.scalar(
        select(func.count())
        .select_from(GrantInstalment)
        .where(GrantInstalment.application_id == application.id)
    )
    if existing:
        raise GrantRefused("instalments_exist")
    for number, (amount, due) in enumerate(plan, start=1):
        session.add(
            GrantInstalment(
                application_id=application.id, number=number, amount_cents=amount, due_on=due
            )
        )
    session.flush()
    _log(session, actor, "instalments", application, now, count=len(plan))


def instalments_of(session: Session, application_id: int) -> list[GrantInstalment]:
    return list(
        session.scalars(
            select(GrantInstalment)
            .where(GrantInstalment.application_id == application_id)
            .order_by(GrantInstalment.number)
        )
    )


def reports_of(session: Session, application_id: int) -> list[GrantFile]:
    return list(
        session.scalars(
            select(GrantFile)
            .where(GrantFile.application_id == application_id, GrantFile.kind == "report")
            .order_by(GrantFile.uploaded_at, GrantFile.id)
        )
    )


def mark_paid(
    session: Session,
    actor: User,
    application: GrantApplication,
    instalment: GrantInstalment,
    *,
    now: datetime,
) -> None:
    """Record that the city paid an instalment; the grantee is told. Instalments are paid in
    order, each once."""
    _staff(actor)
    if instalment.application_id != application.id:
        raise GrantRefused("instalment_unknown")
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("no_agreement")
    if instalment.paid_at is not None:
        raise GrantRefused("instalment_paid")
    earlier = [
        i
        for i in instalments_of(session, application.id)
        if i.number < instalment.number and i.paid_at is None
    ]
    if earlier:
        raise GrantRefused("instalment_order")
    instalment.paid_at = now
    session.flush()
    _log(
        session,
        actor,
        "instalment_paid",
        application,
        now,
        number=instalment.number,
        cents=instalment.amount_cents,
    )
    notify_applicant(session, application, "grant_instalment_paid", instalment=instalment)


def add_report(
    session: Session,
    applicant: User,
    application: GrantApplication,
    *,
    title: str,
    stream: IO[bytes] | None,
    folder: Path,
    now: datetime,
) -> GrantFile:
    """The grantee uploads a periodic report (a PDF) while the grant runs; the file is kept
    only once the rules allow it."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("reports_closed")
    if stream is None:
        raise UploadRefused("empty")
    stored = store_pdf(stream, folder)
    report = GrantFile(
        application_id=application.id,
        kind="report",
        title=title.strip()[:200] or "Relazione",
        stored_name=stored.stored_name,
        size_bytes=stored.size_bytes,
        uploaded_at=now,
    )
    session.add(report)
    session.flush()
    _log(session, applicant, "report_uploaded", application, now, file_id=report.id)
    return report


def accept_report(
    session: Session,
    actor: User,
    application: GrantApplication,
    report: GrantFile,
    *,
    now: datetime,
) -> None:
    _staff(actor)
    if report.application_id != application.id or report.kind != "report":
        raise GrantRefused("report_unknown")
    if report.accepted_at is not None:
        raise GrantRefused("report_accepted")
    report.accepted_at = now
    session.flush()
    _log(session, actor, "report_accepted", application, now, file_id=report.id)
    notify_applicant(session, application, "grant_report_accepted", report=report)


def closing_problem(session: Session, application: GrantApplication) -> str | None:
    """A grant closes once every instalment is paid and its reports are accepted."""
    instalments = instalments_of(session, application.id)
    if not instalments or any(i.paid_at is None for i in instalments):
        return "instalments_unpaid"
    reports = reports_of(session, application.id)
    if not reports or any(r.accepted_at is None for r in reports):
        return "reports_pending"
    return None
