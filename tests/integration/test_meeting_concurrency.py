"""50 people at once for the last places: never over capacity, no one lost from the list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.queries import get_user
from civic.core.db import get_database
from civic.core.migrate import upgrade
from civic.core.time import utcnow
from civic.meetings import queries, services
from civic.meetings.models import Registration
from tests.conftest import make_test_app
from tests.factories.accounts import make_user
from tests.factories.meetings import make_meeting
from tests.support import Mailbox, postgres_url_or_skip, run_in_parallel, throwaway_database

CLIENTS = 50
CAPACITY = 10
ALREADY = 5  # places taken before the rush: 5 are left for 50 people


@pytest.fixture(params=["sqlite", "postgresql"])
def live_app(
    request: pytest.FixtureRequest, tmp_path: Path, smtp: tuple[int, Mailbox]
) -> Iterator[Flask]:
    base = postgres_url_or_skip() if request.param == "postgresql" else "sqlite://"
    with throwaway_database(base, str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(url, smtp[0])
        yield app
        get_database(app).engine.dispose()


def _in_parallel(app: Flask, count: int, work: Callable[[Session, int], str]) -> list[str]:
    return run_in_parallel(app, count, work, services.MeetingRefused, request_context=True)


def test_fifty_registrations_for_the_last_places(live_app: Flask) -> None:
    with live_app.test_request_context("/"):
        setup = get_database(live_app).session_factory()
        meeting = make_meeting(setup, capacity=CAPACITY)
        for _ in range(ALREADY):
            services.register(setup, make_user(setup), meeting, consent=True, now=utcnow())
        people = [make_user(setup).id for _ in range(CLIENTS)]
        setup.commit()
        meeting_id = meeting.id
        setup.close()

    def register(session: Session, i: int) -> str:
        meeting = queries.get_meeting(session, meeting_id)
        person = get_user(session, people[i])
        assert meeting is not None
        assert person is not None
        return services.register(session, person, meeting, consent=True, now=utcnow()).status

    outcomes = _in_parallel(live_app, CLIENTS, register)
    assert [o for o in outcomes if o not in ("confirmed", "waiting")] == []
    assert outcomes.count("confirmed") == CAPACITY - ALREADY
    assert outcomes.count("waiting") == CLIENTS - (CAPACITY - ALREADY)

    # Twenty people with a place cancel at once: twenty are promoted, first come first served.
    with live_app.app_context():
        session = get_database(live_app).session_factory()
        line_before = session.scalars(
            select(Registration.user_id)
            .where(Registration.status == "waiting")
            .order_by(Registration.waiting_since, Registration.id)
        ).all()
        leaving = session.scalars(
            select(Registration.user_id).where(Registration.status == "confirmed")
        ).all()
        session.close()
    cancellations = CAPACITY

    def cancel(session: Session, i: int) -> str:
        meeting = queries.get_meeting(session, meeting_id)
        person = get_user(session, leaving[i])
        assert meeting is not None
        assert person is not None
        promoted = services.cancel_registration(session, person, meeting, now=utcnow())
        return f"promoted:{len(promoted)}"

    outcomes = _in_parallel(live_app, cancellations, cancel)
    assert [o for o in outcomes if not o.startswith("promoted")] == []
    assert sum(int(o.split(":")[1]) for o in outcomes) == cancellations

    with live_app.app_context():
        session = get_database(live_app).session_factory()
        rows = session.execute(select(Registration.user_id, Registration.status)).all()
        session.close()
    status = dict(rows)
    assert len(rows) == ALREADY + CLIENTS  # no one lost, no one twice
    confirmed = [user for user, state in rows if state == "confirmed"]
    assert len(confirmed) == CAPACITY  # never over capacity
    assert set(confirmed) == set(line_before[:cancellations])  # promoted in order
    assert [status[u] for u in line_before[cancellations:]] == ["waiting"] * (
        len(line_before) - cancellations
    )
