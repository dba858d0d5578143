"""Background jobs of crowdfunding: closing campaigns at their deadline and after the grace
period. Each run is idempotent and resumable (see ``closing``)."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from ..core.mail import job_app_context
from ..core.queue import huey


def _run(campaign_id: int) -> str:
    from ..core.db import get_database
    from ..core.time import utcnow
    from .closing import close_campaign

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session = get_database().session_factory()
        try:
            return close_campaign(session, campaign_id, now=utcnow())
        finally:
            session.close()


# huey has no type hints, so its decorators are untyped.
@huey.task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]
@huey.lock_task("crowdfunding-close")  # type: ignore[untyped-decorator]
def close_campaign_job(campaign_id: int) -> str:
    """Close one campaign as far as the clock allows; one closing runs at a time."""
    return _run(campaign_id)


@huey.periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def close_due_campaigns() -> int:
    """Every five minutes: campaigns past their deadline or grace period are closed."""
    from ..core.db import get_database
    from ..core.time import utcnow
    from .closing import due_campaigns

    with job_app_context():
        session = get_database().session_factory()
        try:
            due = due_campaigns(session, utcnow())
        finally:
            session.close()
    for campaign_id in due:
        close_campaign_job(campaign_id)
    return len(due)


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def expire_unconfirmed_pledges() -> int:
    """Every minute: pledges whose card was not confirmed in time give their place back."""
    from datetime import timedelta

    from ..core.db import get_database
    from ..core.time import utcnow
    from .services import expire_unconfirmed_pledges as expire

    with job_app_context():
        session = get_database().session_factory()
        try:
            hold = timedelta(minutes=int(current_app.config["PLEDGE_HOLD_MINUTES"]))
            expired = expire(session, now=utcnow(), hold=hold)
            session.commit()
            return expired
        finally:
            session.close()
