"""The demo's funded projects, with progress, milestones and updates."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session


def _demo_execution(session: Session, staff_id: int, now: datetime) -> int:
    """Every funded project tracked; the first two with a story (progress, milestones, money)."""
    from ..accounts.queries import get_user
    from ..execution import services as execution
    from ..execution.domain import Progress, Status
    from ..execution.models import ProjectUpdate, TrackedProject

    started = execution.track_funded(session, now=now)
    if session.scalar(select(ProjectUpdate.id).limit(1)) is not None:
        return started
    staff = get_user(session, staff_id)
    assert staff is not None
    projects = session.scalars(select(TrackedProject).order_by(TrackedProject.id).limit(2)).all()
    day = timedelta(days=1)
    for index, project in enumerate(projects):
        funded = project.funded_cents
        steps = (("Progetto esecutivo approvato", -20), ("Inizio dei lavori", -5),
                 ("Fine dei lavori", 60))  # fmt: skip
        for number, (title, days) in enumerate(steps):
            milestone = execution.add_milestone(
                session, staff, project.id, title, (now + days * day).date(), now=now - 25 * day
            )
            if number == 0:  # the design was approved a day early
                execution.complete_milestone(
                    session, staff, project.id, milestone.id, (now - 21 * day).date(),
                    now=now - 21 * day,
                )  # fmt: skip
        execution.report(
            session,
            staff,
            project.id,
            Progress(Status.IN_PROGRESS, 10, funded * 8 // 10, 0),
            body="Il progetto esecutivo è approvato e l'impresa è stata incaricata.",
            now=now - 20 * day,
        )
        if index == 0:
            execution.report(
                session,
                staff,
                project.id,
                Progress(Status.IN_PROGRESS, 40, funded * 9 // 10, funded * 3 // 10),
                body="Cantiere aperto: consegnati i materiali, prima parte dei lavori eseguita.",
                now=now - 3 * day,
            )
    session.flush()
    return started
