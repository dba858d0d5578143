"""The dashboard's electorate: who the ballot box would have admitted to each published vote."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from civic.calls.models import CallPhase
from civic.core.scope import Scope
from civic.core.time import to_rome, utcnow
from civic.dashboard.figures import electorate
from civic.residency.domain import age_on
from civic.residency.models import CensusRecord
from civic.voting.models import VoteResult
from tests.factories.calls import make_voting_call


def test_each_vote_counts_the_residents_of_its_own_age_on_its_own_first_day(
    app: Flask, db: Session
) -> None:
    """Two votes in the same Municipio, a year apart, one from 16 and one from 18: a resident
    counts in each vote they were old enough for, judged by age_on as at the ballot box."""
    with app.test_request_context("/"):
        younger, projects = make_voting_call(db, voting_open=False, min_age=16)
        older, _ = make_voting_call(db, voting_open=False, min_age=18)
    first, second = sorted(projects)
    starts = {younger.id: utcnow() - timedelta(days=400), older.id: utcnow() - timedelta(days=20)}
    for call_id, starts_at in starts.items():
        db.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
            .values(starts_at=starts_at, ends_at=starts_at + timedelta(days=3))
        )
        for area in (first, second):
            db.add(
                VoteResult(
                    call_id=call_id, area_id=area, rule="greedy", budget_cents=1_000_00,
                    winners=[], explanation={}, ballots=1, voters=1, computed_at=utcnow(),
                    published_at=utcnow(),
                )
            )  # fmt: skip
    today = to_rome(utcnow()).date()
    # Birth dates around every cutoff: 15 to 19 years ago, a few days either side.
    born = [
        today.replace(year=today.year - years, day=1) + timedelta(days=shift)
        for years in range(15, 20)
        for shift in (-400, -30, -1, 0, 1, 30, 200)
    ] + [date(1950, 6, 1)]
    for n, birth_date in enumerate(born):
        db.add(
            CensusRecord(
                fiscal_hash=f"{n:064d}", municipio_id=first, birth_date=birth_date,
                batch="test", imported_at=utcnow(),
            )
        )  # fmt: skip
    db.flush()
    expected = sum(
        age_on(b, to_rome(starts[call_id]).date()) >= min_age
        for call_id, min_age in ((younger.id, 16), (older.id, 18))
        for b in born
    )
    assert 0 < expected < 2 * len(born)  # some residents were too young for one vote or both
    found = electorate(db, Scope())
    assert found == {first: expected}  # the second Municipio has no census: left out
    assert electorate(db, Scope(area_id=second)) == {}
