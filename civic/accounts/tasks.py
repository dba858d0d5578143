"""Background jobs of accounts: the password-reset and sign-in-link e-mails.

The request that asks for either only queues its job, whether or not the address has an
account, so it does the same work either way and its timing tells nothing; the job looks the
address up and writes to it only if there is an account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from ..core.mail import job_app_context
from ..core.queue import huey

Sender = Callable[..., bool]


def _send(sender: Callable[[], Sender], email: str) -> bool:
    """Run ``sender()(session, email, links=..., now=...)`` in a transaction of its own, with
    links on the public address."""
    from ..core.db import get_database
    from ..core.time import utcnow
    from .links import RequestLinks

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session: Session = get_database().session_factory()
        try:
            now: datetime = utcnow()
            sent = sender()(session, email, links=RequestLinks(), now=now)
            session.commit()
            return bool(sent)
        finally:
            session.close()


def _reset() -> Any:
    from .services.passwords import send_reset_link

    return send_reset_link


def _sign_in_link() -> Any:
    from .services.signin_link import send_sign_in_link

    return send_sign_in_link


@huey.task(retries=2, retry_delay=30)  # type: ignore[untyped-decorator]  # huey is untyped
def send_reset_link_job(email: str) -> bool:
    """E-mail a reset link if ``email`` has an account; True if one was queued."""
    return _send(_reset, email)


@huey.task(retries=2, retry_delay=30)  # type: ignore[untyped-decorator]  # huey is untyped
def send_sign_in_link_job(email: str) -> bool:
    """E-mail a sign-in link if ``email`` has an account; True if one was queued."""
    return _send(_sign_in_link, email)


@huey.periodic_task(crontab(day_of_week="1", hour="7", minute="0"))  # type: ignore[untyped-decorator]
def send_digests_job() -> int:
    """Monday morning (07:00 UTC): each person's weekly digest of the notices they gathered."""
    from ..core.db import get_database
    from ..core.time import utcnow
    from .notices import send_digests

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session: Session = get_database().session_factory()
        try:
            sent: int = send_digests(session, now=utcnow())
            session.commit()
            return sent
        finally:
            session.close()
