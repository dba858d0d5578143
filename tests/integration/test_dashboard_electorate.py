"""Turnout's electorate: who the ballot box would have admitted, counted with each tally."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.scope import Scope
from civic.core.time import to_rome, utcnow
from civic.dashboard.figures import compute
from civic.residency.domain import age_on
from civic.residency.models import CensusRecord
from civic.voting.models import VoteResult
from civic.voting.services import counting
from tests.factories.accounts import make_user
from tests.factories.calls import make_voting_call


def _census(db: Session, municipio_id: int, born: list[date], batch: str) -> None:
    for n, birth_date in enumerate(born):
        db.add(
            CensusRecord(
                fiscal_hash=f"{batch}{n:060d}", municipio_id=municipio_id,
                birth_date=birth_date, batch=batch, imported_at=utcnow(),
            )
        )  # fmt: skip
    db.flush()


def test_each_tally_counts_the_residents_of_its_own_age_on_its_own_first_day(
    app: Flask, db: Session
) -> None:
    """Two votes in the same Municipi, a year apart, one from 16 and one from 18: a resident
    counts in each vote they were old enough for, judged by age_on as at the ballot box; a
    Municipio without a census has no electorate; the dashboard's turnout adds them up and
    keeps them when a later census replaces this one."""
    staff = make_user(db, roles=(Role.STAFF,))
    with app.test_request_context("/"):
        younger, projects = make_voting_call(db, voting_open=False, min_age=16)
        older, _ = make_voting_call(db, voting_open=False, min_age=18)
    first, second = sorted(projects)
    now = utcnow()
    starts = {younger.id: now - timedelta(days=400), older.id: now - timedelta(days=20)}
    for call_id, starts_at in starts.items():
        db.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
            .values(starts_at=starts_at, ends_at=starts_at + timedelta(days=3))
        )
    today = to_rome(now).date()
    # Birth dates on and around both cutoffs: 15 to 19 years ago, a few days either side.
    born = [
        today.replace(year=today.year - years, day=1) + timedelta(days=shift)
        for years in range(15, 20)
        for shift in (-400, -30, -1, 0, 1, 30, 200)
    ] + [date(1950, 6, 1)]
    _census(db, first, born, "a")
    expected = {
        call.id: sum(age_on(b, to_rome(starts[call.id]).date()) >= age for b in born)
        for call, age in ((younger, 16), (older, 18))
    }
    assert 0 < expected[older.id] < expected[younger.id] < len(born)
    with app.test_request_context("/"):
        for call in (younger, older):
            db.expire_all()
            counting.tally_call(db, staff, call, now=now)  # phases read afresh: moved above
            counting.publish_results(db, staff, call, now=now)
    db.commit()
    stored = {
        (call_id, area_id): electorate
        for call_id, area_id, electorate in db.execute(
            select(VoteResult.call_id, VoteResult.area_id, VoteResult.electorate)
        )
    }
    assert stored.pop((younger.id, first)) == expected[younger.id]
    assert stored.pop((older.id, first)) == expected[older.id]
    assert (younger.id, second) in stored
    assert set(stored.values()) == {None}  # the other Municipi have no census
    row = compute(db, Scope()).rows[first]
    assert row.electorate == expected[younger.id] + expected[older.id]
    # A new census (everyone now adult) does not rewrite the turnout of votes already counted.
    db.execute(delete(CensusRecord))
    _census(db, first, [date(1960, 1, 1)] * 5, "b")
    assert compute(db, Scope()).rows[first].electorate == row.electorate
    assert compute(db, Scope()).rows[second].turnout_permille is None
