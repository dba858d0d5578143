"""Reads of the grants feature, for its pages: an application's group and files, a call's
applications, jurors' assignments and scores, instalments and reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import (
    GrantApplication,
    GrantFile,
    GrantInstalment,
    GrantMember,
    JuryAssignment,
    JuryScore,
)


def assignment_of(session: Session, application_id: int, juror_id: int) -> JuryAssignment | None:
    """The juror's assignment to the application, if any."""
    return session.scalar(
        select(JuryAssignment).where(
            JuryAssignment.application_id == application_id, JuryAssignment.juror_id == juror_id
        )
    )


def led_by(session: Session, call_id: int, user_id: int) -> list[GrantApplication]:
    """The applications a person leads in a call."""
    return list(
        session.scalars(
            select(GrantApplication).where(
                GrantApplication.call_id == call_id, GrantApplication.lead_user_id == user_id
            )
        )
    )


def members_of(session: Session, application_id: int) -> list[GrantMember]:
    """The application's group, in the order they were invited."""
    return list(
        session.scalars(
            select(GrantMember)
            .where(GrantMember.application_id == application_id)
            .order_by(GrantMember.id)
        )
    )


def files_of(session: Session, application_id: int, kind: str | None = None) -> list[GrantFile]:
    """The application's files (of one kind: attachment, report), oldest first."""
    statement = select(GrantFile).where(GrantFile.application_id == application_id)
    if kind is not None:
        statement = statement.where(GrantFile.kind == kind)
    return list(session.scalars(statement.order_by(GrantFile.id)))


def submitted_applications(session: Session, call_id: int) -> list[GrantApplication]:
    """The call's applications past the draft, in the order they came in."""
    return list(
        session.scalars(
            select(GrantApplication)
            .where(GrantApplication.call_id == call_id, GrantApplication.state != "draft")
            .order_by(GrantApplication.submitted_at, GrantApplication.id)
        )
    )


def assignments_of_call(session: Session, call_id: int) -> list[JuryAssignment]:
    """Every juror's assignment in the call."""
    return list(
        session.scalars(
            select(JuryAssignment)
            .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
            .where(GrantApplication.call_id == call_id)
            .order_by(JuryAssignment.id)
        )
    )


def instalments_by_application(session: Session, call_id: int) -> dict[int, list[GrantInstalment]]:
    """The call's instalments, grouped by application, in order."""
    grouped: dict[int, list[GrantInstalment]] = {}
    for instalment in session.scalars(
        select(GrantInstalment)
        .join(GrantApplication, GrantApplication.id == GrantInstalment.application_id)
        .where(GrantApplication.call_id == call_id)
        .order_by(GrantInstalment.number)
    ):
        grouped.setdefault(instalment.application_id, []).append(instalment)
    return grouped


def reports_by_application(session: Session, call_id: int) -> dict[int, list[GrantFile]]:
    """The call's periodic reports, grouped by application, oldest first."""
    grouped: dict[int, list[GrantFile]] = {}
    for report in session.scalars(
        select(GrantFile)
        .join(GrantApplication, GrantApplication.id == GrantFile.application_id)
        .where(GrantApplication.call_id == call_id, GrantFile.kind == "report")
        .order_by(GrantFile.id)
    ):
        grouped.setdefault(report.application_id, []).append(report)
    return grouped


def assignments_of_juror(session: Session, juror_id: int) -> list[Any]:
    """The juror's assignments with their applications, as (assignment, application) rows."""
    return list(
        session.execute(
            select(JuryAssignment, GrantApplication)
            .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
            .where(JuryAssignment.juror_id == juror_id)
            .order_by(JuryAssignment.id)
        )
    )


def scores_of(session: Session, assignment_id: int) -> dict[str, JuryScore]:
    """One juror's scores on one application, by criterion."""
    return {
        s.criterion: s
        for s in session.scalars(select(JuryScore).where(JuryScore.assignment_id == assignment_id))
    }


def other_jurors_scores(session: Session, assignment: JuryAssignment) -> list[dict[str, JuryScore]]:
    """The submitted scores of the other jurors on the same application (no one recused)."""
    others = session.scalars(
        select(JuryAssignment.id).where(
            JuryAssignment.application_id == assignment.application_id,
            JuryAssignment.id != assignment.id,
            JuryAssignment.submitted_at.is_not(None),
            JuryAssignment.recused_at.is_(None),
        )
    ).all()
    if not others:
        return []
    by_assignment: dict[int, dict[str, JuryScore]] = {other: {} for other in others}
    for score in session.scalars(select(JuryScore).where(JuryScore.assignment_id.in_(others))):
        by_assignment[score.assignment_id][score.criterion] = score
    return [by_assignment[other] for other in others]
