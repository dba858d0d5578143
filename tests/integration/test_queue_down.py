"""Redis down: requests still succeed. E-mails committed while the job queue is unreachable
wait in the database and leave once it is back; rate limits count in memory meanwhile; staff
asking for a job are told to retry. The queue here is a real Redis client pointed at a port
where nothing listens."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import RedisHuey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core import mail
from civic.core.mail import SpooledEmail
from tests.conftest import make_test_app
from tests.factories.accounts import log_in, make_user
from tests.factories.meetings import make_meeting
from tests.support import Mailbox, free_port
from tests.web.helpers import post_with_token, submit, text


@pytest.fixture
def queue_down(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every job below goes to a Redis that cannot be reached."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    from civic.extensions import huey

    down = RedisHuey("civic-down", url=url)
    down._registry = huey._registry  # the same jobs, a queue that cannot be reached
    monkeypatch.setattr(mail.send_email, "huey", down)
    from civic.crowdfunding import tasks

    monkeypatch.setattr(tasks.close_campaign_job, "huey", down)
    return url


def _spooled(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(SpooledEmail)) or 0)


def test_an_email_committed_while_the_queue_is_down_waits_and_leaves_later(
    client: FlaskClient, db: Session, mailbox: Mailbox, queue_down: str, monkeypatch: Any
) -> None:
    with client.application.test_request_context("/"):
        meeting = make_meeting(db, capacity=5)
    person = make_user(db, email="iscritta@example.org")
    log_in(client, person)
    mailbox.clear()
    response = submit(client, f"/incontri/{meeting.slug}/iscrizione", {"consent": "y"})
    assert response.status_code == 302  # the registration succeeded
    assert mailbox.to("iscritta@example.org") == []
    assert _spooled(db) == 1
    # Still down: the periodic job leaves it where it is.
    with client.application.app_context():
        assert mail.resend_spooled(db) == 0
    assert _spooled(db) == 1
    # The queue is back (the tests' queue runs jobs at once): the message leaves the spool.
    monkeypatch.undo()
    with client.application.app_context():
        assert mail.resend_spooled(db) == 1
    assert _spooled(db) == 0
    delivered = mailbox.last_to("iscritta@example.org")
    assert meeting.title in Mailbox.body(delivered)
    assert any(part.get_filename() for part in delivered.iter_attachments())  # the .ics survived


def test_staff_asking_for_a_job_while_the_queue_is_down_are_told_to_retry(
    client: FlaskClient, db: Session, queue_down: str
) -> None:
    from tests.factories.crowdfunding import make_campaign

    with client.application.test_request_context("/"):
        campaign = make_campaign(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    response = post_with_token(
        client, f"/gestione/crowdfunding/campagne/{campaign.id}/chiudi", {"confirmed": "yes"}
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "La coda dei lavori non è raggiungibile" in page


def test_rate_limits_fall_back_to_memory_when_redis_is_down(
    database_url: str, smtp: Any, db: Session
) -> None:
    from civic.core.db import get_database

    app: Flask = make_test_app(
        database_url,
        smtp[0],
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        RATELIMIT_SIGN_IN="2 per minute",
    )
    get_database(app).session_factory = lambda: db
    client = app.test_client()
    codes = [
        submit(client, "/accedi", {"email": "a@example.org", "password": "x"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]  # no error, and still limited, in this process
