"""bench/load.py's check after a voting day finds what was lost, doubled or over capacity.

The load test's verdict "nothing lost" is only worth something if the check can fail: here it
reads a small voting day from a real database against records of what clients were told, some
honest and some not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, select

from bench.load import check
from civic.core.db import get_database
from civic.core.migrate import upgrade
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import SealedBallot
from tests.conftest import make_test_app
from tests.factories.calls import make_voter, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.meetings import make_meeting, register
from tests.support import Mailbox, throwaway_database


@pytest.fixture
def voting_day(tmp_path: Path, smtp: tuple[int, Mailbox]) -> Iterator[tuple[Any, Any, dict]]:
    """Two voters cast (one changes), a third does not; one person registers for a meeting."""
    with throwaway_database("sqlite://", str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(url, smtp[0])
        with app.test_request_context("/"):
            session = get_database(app).session_factory()
            call, projects = make_voting_call(session)
            area = next(iter(projects))
            first, second, third = (make_voter(session, area) for _ in range(3))
            choose = {projects[area][0]: 1}
            kept = services.cast_ballot(session, first, call, area, choose, now=utcnow()).receipt
            changed = services.cast_ballot(
                session, second, call, area, choose, now=utcnow()
            ).receipt
            services.change_ballot(
                session, second, call, area, changed, {projects[area][1]: 1}, now=utcnow()
            )
            session.commit()
            campaign = make_campaign(session)
            meeting = make_meeting(session, capacity=5)
            register(session, meeting, first)
            plan = {
                "call_id": call.id,
                "campaign_id": campaign.id,
                "meeting_id": meeting.id,
                "capacity": 5,
            }
            accepted = {
                "casts": [first.id, second.id],
                "changes": [[second.id, changed, [projects[area][1]]]],
                "pledges": [],
                "registrations": [first.id],
            }
            people = {"third": third.id, "kept": kept, "projects": projects[area]}
            yield SimpleNamespace(app=lambda: app, plan=plan), session, {**accepted, **people}
            session.close()
        get_database(app).engine.dispose()


def _told(record: dict, **changes: Any) -> dict:
    kinds = ("casts", "changes", "pledges", "registrations")
    told = {k: v for k, v in record.items() if k in kinds}
    return {**told, **changes}


def test_an_honest_record_finds_nothing_lost(voting_day: tuple[Any, Any, dict]) -> None:
    made, _session, record = voting_day
    assert check(made, _told(record)) == []


def test_a_cast_the_client_was_told_was_taken_but_is_not_on_the_roll_is_lost(
    voting_day: tuple[Any, Any, dict],
) -> None:
    made, _session, record = voting_day
    found = check(made, _told(record, casts=[*record["casts"], record["third"]]))
    assert found == ["1 accepted casts are not on the roll: lost"]


def test_a_ballot_missing_from_the_ballots_table_is_found(
    voting_day: tuple[Any, Any, dict],
) -> None:
    made, session, record = voting_day
    one = session.scalars(select(SealedBallot.id)).first()
    session.execute(delete(SealedBallot).where(SealedBallot.id == one))
    session.commit()
    assert "ballots 1 != voter roll 2" in check(made, _told(record))


def test_a_change_that_did_not_take_is_found(voting_day: tuple[Any, Any, dict]) -> None:
    made, _session, record = voting_day
    voter, receipt, _chosen = record["changes"][0]
    wrong = [[voter, receipt, [record["projects"][2]]]]
    found = check(made, _told(record, changes=wrong))
    assert len(found) == 1
    assert found[0].startswith(f"changed ballot {receipt[:5]}... holds")


def test_a_roll_entry_nobody_was_told_about_is_found(voting_day: tuple[Any, Any, dict]) -> None:
    made, _session, record = voting_day
    assert check(made, _told(record, casts=record["casts"][:1])) == ["1 ballots nobody cast"]


def test_registrations_over_capacity_or_lost_are_found(
    voting_day: tuple[Any, Any, dict],
) -> None:
    made, _session, record = voting_day
    made.plan["capacity"] = 0
    found = check(made, _told(record, registrations=[*record["registrations"], record["third"]]))
    assert "1 accepted registrations lost" in found
    assert any(problem.startswith("meeting over capacity") for problem in found)
