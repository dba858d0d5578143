"""Background jobs of voting: the tally runs as a job once staff close the count."""

from __future__ import annotations

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
