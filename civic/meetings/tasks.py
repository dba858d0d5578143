"""Background jobs of meetings: reminders the day before, and deleting registrations' personal
data after each meeting's retention period. Both are periodic and safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from ..core.mail import job_app_context
from ..core.queue import huey


def _in_job(work: Callable[[Session, datetime], int]) -> int:
    """Run ``work`` in its own transaction, with links built on the public address."""
    from ..core.db import get_database
    from ..core.time import utcnow

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session = get_database().session_factory()
        try:
            done = work(session, utcnow())
            session.commit()
            return done
        finally:
            session.close()


def run_reminders() -> int:
    from .services import send_reminders

    return _in_job(lambda session, now: send_reminders(session, now=now))


def run_erasure() -> int:
    from .services import erase_expired

    return _in_job(lambda session, now: erase_expired(session, now=now))


# huey has no type hints, so its decorators are untyped.
@huey.periodic_task(crontab(minute="7"))  # type: ignore[untyped-decorator]
def meeting_reminders() -> int:
    """Every hour: whoever has a place at a meeting held tomorrow gets one reminder."""
    return run_reminders()


@huey.periodic_task(crontab(minute="37", hour="3"))  # type: ignore[untyped-decorator]
def meeting_retention() -> int:
    """Every night: registrations past their meeting's retention period are deleted."""
    return run_erasure()
