"""Background jobs of execution tracking: telling the followers a request left to tell.

A request tells the first batch of a project's followers itself (``services._tell_followers``)
and, when there are more, records a notice and queues ``tell_followers_job`` after its commit.
The job tells a batch per transaction and moves the notice's cursor in the same transaction, so
a job killed half-way resumes where it stopped and tells nobody twice. A sweep every minute
picks up notices whose job never ran (the queue was down, the request died after its commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.mail import job_app_context
from ..core.queue import huey
from . import services
from .models import FollowerNotice, Milestone, ProjectUpdate, TrackedProject

# A notice this old with followers left to tell has lost its job: the sweep takes it over.
STALE = timedelta(minutes=1)


def tell_followers(session: Session, notice_id: int, *, now: datetime) -> int:
    """Tell the followers a notice has left, a batch per transaction; returns how many."""
    told = 0
    while True:
        notice = session.scalar(
            select(FollowerNotice)
            .where(FollowerNotice.id == notice_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if notice is None or notice.done_at is not None:
            session.rollback()
            return told
        project = session.get(TrackedProject, notice.project_id)
        assert project is not None  # the notice goes with its project (ON DELETE CASCADE)
        update = session.get(ProjectUpdate, notice.update_id) if notice.update_id else None
        milestone = session.get(Milestone, notice.milestone_id) if notice.milestone_id else None
        batch = services.tell_batch(
            session, project, update, milestone, notice.photos, after=notice.told_up_to
        )
        if batch:
            notice.told_up_to = batch[-1]
        if len(batch) < services.FOLLOWERS_PER_BATCH:
            notice.done_at = now
        session.commit()  # the batch's e-mails leave with the cursor that says they did
        told += len(batch)


def stale_notices(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(FollowerNotice.id)
            .where(FollowerNotice.done_at.is_(None), FollowerNotice.created_at <= now - STALE)
            .order_by(FollowerNotice.id)
        )
    )


def _run(notice_id: int | None) -> int:
    from ..core.db import get_database
    from ..core.time import utcnow

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session = get_database().session_factory()
        try:
            ids = [notice_id] if notice_id is not None else stale_notices(session, utcnow())
            return sum(tell_followers(session, n, now=utcnow()) for n in ids)
        finally:
            session.close()


# huey has no type hints, so its decorators are untyped.
@huey.task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]
def tell_followers_job(notice_id: int) -> int:
    """Tell the followers one notice has left."""
    return _run(notice_id)


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def tell_followers_left() -> int:
    """Every minute: notices whose job never ran or died are finished."""
    return _run(None)
