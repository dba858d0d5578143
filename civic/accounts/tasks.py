"""Background jobs of accounts: the password-reset e-mail.

The request that asks for a reset only queues this job, whether or not the address has an
account, so it does the same work either way and its timing tells nothing; the job looks the
address up and writes to it only if there is an account.
"""

from __future__ import annotations

from flask import current_app

from ..core.mail import job_app_context
from ..core.queue import huey


@huey.task(retries=2, retry_delay=30)  # type: ignore[untyped-decorator]  # huey is untyped
def send_reset_link_job(email: str) -> bool:
    """E-mail a reset link if ``email`` has an account; True if one was queued."""
    from ..core.db import get_database
    from ..core.time import utcnow
    from .links import RequestLinks
    from .services.passwords import send_reset_link

    with (
        job_app_context(),
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
    ):
        session = get_database().session_factory()
        try:
            sent = send_reset_link(session, email, links=RequestLinks(), now=utcnow())
            session.commit()
            return sent
        finally:
            session.close()
