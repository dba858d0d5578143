"""50 clients at once, casting and changing ballots: exactly one ballot per voter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from civic.calls.queries import get_call
from civic.core.db import get_database
from civic.core.migrate import upgrade
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import SealedBallot, VoterRoll
from tests.conftest import make_test_app
from tests.factories.calls import make_voter, make_voting_call
from tests.support import Mailbox, postgres_url_or_skip, run_in_parallel, throwaway_database

CLIENTS = 50
VOTERS = CLIENTS // 2


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


def _in_parallel(app: Flask, work: Callable[[object, int], str]) -> list[str]:
    return run_in_parallel(app, CLIENTS, work, services.VoteRefused)


def test_fifty_clients_casting_and_changing_end_with_one_ballot_per_voter(live_app: Flask) -> None:
    with live_app.test_request_context("/"):
        setup = get_database(live_app).session_factory()
        call, projects = make_voting_call(setup)
        area = next(iter(projects))
        voters = [make_voter(setup, area) for _ in range(VOTERS)]
        call_id, voter_ids, choices = call.id, [v.id for v in voters], projects[area]
        setup.close()

    def load(session, i):  # type: ignore[no-untyped-def]
        from civic.accounts.queries import get_user

        return get_call(session, call_id), get_user(session, voter_ids[i % VOTERS])

    def cast(session, i):  # type: ignore[no-untyped-def]
        call, voter = load(session, i)
        cast = services.cast_ballot(session, voter, call, area, {choices[i % 3]: 1}, now=utcnow())
        return cast.receipt

    # Every voter casts from two clients at the same moment: one is accepted, one refused.
    first_wave = _in_parallel(live_app, cast)
    accepted = [o for o in first_wave if not o.startswith(("refused", "error"))]
    assert [o for o in first_wave if o.startswith("error")] == []
    assert len(accepted) == VOTERS
    assert first_wave.count("refused:already_voted") == CLIENTS - VOTERS

    receipts: dict[int, str] = {}
    for i, outcome in enumerate(first_wave):
        if not outcome.startswith("refused"):
            receipts[i % VOTERS] = outcome

    def change(session, i):  # type: ignore[no-untyped-def]
        call, voter = load(session, i)
        services.change_ballot(
            session,
            voter,
            call,
            area,
            receipts[i % VOTERS],
            {choices[(i + 1) % 3]: 1},
            now=utcnow(),
        )
        return "changed"

    # Every voter changes their ballot from two clients at once: both are accepted, in turn.
    second_wave = _in_parallel(live_app, change)
    assert second_wave == ["changed"] * CLIENTS

    with live_app.app_context():
        session = get_database(live_app).session_factory()
        ballots = session.scalar(select(func.count()).select_from(SealedBallot))
        roll = session.scalar(select(func.count()).select_from(VoterRoll))
        per_voter = session.execute(
            select(VoterRoll.user_id, func.count()).group_by(VoterRoll.user_id)
        ).all()
        session.close()
    assert ballots == roll == VOTERS
    assert {count for _user, count in per_voter} == {1}
