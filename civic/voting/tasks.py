"""Background jobs of voting: the tally runs as a job once staff close the count."""

from __future__ import annotations

from huey import crontab

from ..core.mail import job_app_context
from ..core.queue import huey


# huey has no type hints, so its decorator is untyped.
@huey.task(retries=2, retry_delay=30)  # type: ignore[untyped-decorator]
def tally_call_job(call_id: int, actor_id: int | None) -> int:
    """Count every area of a call; returns the number of areas counted."""
    from ..accounts.queries import get_user
    from ..calls.queries import get_call
    from ..core.db import get_database
    from ..core.time import utcnow
    from . import services

    with job_app_context():
        session = get_database().session_factory()
        try:
            call = get_call(session, call_id)
            actor = get_user(session, actor_id) if actor_id else None
            if call is None:
                return 0
            results = services.tally_call(session, actor, call, now=utcnow())
            session.commit()
            return len(results)
        finally:
            session.close()


@huey.periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def announce_openings_job() -> int:
    """Every ten minutes: the next residents of an open vote are told it opened."""
    from flask import current_app

    from ..core.db import get_database
    from ..core.time import utcnow
    from .services.announce import announce_openings

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session = get_database().session_factory()
        try:
            told = announce_openings(session, now=utcnow())
            session.commit()
            return told
        finally:
            session.close()
