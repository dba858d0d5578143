"""The Pabulib rules on a live call: a vote for one project, the minimum score, the reserve step;
each counted as published and exported so that anyone recomputes the same winners."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallArea, CallPhase
from civic.calls.queries import get_call
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import VoteResult
from civic.voting.rules.election import VoteType
from civic.voting.rules.meta import tally
from civic.voting.rules.pabulib import parse
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_voter, make_voting_call


def _vote_and_count(
    db: Session, call_id: int, area: int, ballots: list[list[int]], *, budget_cents: int
) -> VoteResult:
    call = get_call(db, call_id)
    assert call is not None
    for choice in ballots:
        services.cast_ballot(
            db, make_voter(db, area), call, area, dict.fromkeys(choice, 1), now=utcnow()
        )
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.execute(
        update(CallArea)
        .where(CallArea.call_id == call_id, CallArea.area_id == area)
        .values(budget_cents=budget_cents)
    )
    db.commit()
    call = get_call(db, call_id)
    assert call is not None
    staff = make_user(db, roles=(Role.STAFF,))
    services.tally_call(db, staff, call, now=utcnow())
    services.publish_results(db, staff, call, now=utcnow())
    db.commit()
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    return result


@pytest.fixture
def small_votes_publish(app_ctx: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app_ctx.config, "MIN_PUBLISHED_BALLOTS", 1)


def test_a_vote_for_one_takes_exactly_one_project_and_exports_as_choose_1(
    app_ctx: Flask, db: Session, small_votes_publish: None
) -> None:
    call, projects = make_voting_call(db, ballot_kind="single")
    area = next(iter(projects))
    first, second, third = projects[area]
    with pytest.raises(services.VoteRefused) as refused:
        services.cast_ballot(
            db, make_voter(db, area), call, area, {first: 1, second: 1}, now=utcnow()
        )
    assert [str(p) for p in refused.value.problems] == ["too_many"]
    db.rollback()
    # 50k + 40k fit in 90k; the 30k project has one vote and does not fit after them.
    result = _vote_and_count(
        db, call.id, area, [[third], [third], [second], [second], [first]], budget_cents=90_000_00
    )
    assert sorted(result.winners) == sorted([second, third])
    election = parse(services.export_pb(db, call, area))
    assert election.vote_type is VoteType.CHOOSE_1
    assert election.meta["rule"] == "greedy"
    assert sorted(tally(election).winners) == sorted(str(w) for w in result.winners)


def test_the_reserve_step_funds_the_project_that_stopped_the_count_and_exports_its_mark(
    app_ctx: Flask, db: Session, small_votes_publish: None
) -> None:
    call, projects = make_voting_call(db, rule="greedy-custom", reserve_percent=70)
    area = next(iter(projects))
    cheap, middle, dear = projects[area]  # 30k, 40k, 50k
    # dear (3 votes) is funded, 30k of 80k is left; middle (2 votes, 40k) does not fit, but
    # 30k is 75% of it, over the call's 70%: the reserve funds it. cheap (1 vote) is after it.
    result = _vote_and_count(
        db, call.id, area, [[dear], [dear], [dear], [middle], [middle], [cheap]],
        budget_cents=80_000_00,
    )  # fmt: skip
    assert result.rule == "greedy-custom"
    assert result.winners == [dear, middle]
    assert result.explanation[str(middle)]["reason"] == "selected_by_reserve"
    assert result.explanation[str(cheap)]["reason"] == "stopped"
    election = parse(services.export_pb(db, call, area))
    assert election.meta["rule"] == "greedy-custom"
    assert election.selected == {str(cheap): 0, str(middle): 2, str(dear): 1}
    # The file carries its own definition: anyone's tally of it gives the same marks.
    assert tally(election).marks() == {str(dear): 1, str(middle): 2}


def test_the_reserve_step_waits_for_its_share(
    app_ctx: Flask, db: Session, small_votes_publish: None
) -> None:
    call, projects = make_voting_call(db, rule="greedy-custom", reserve_percent=80)
    area = next(iter(projects))
    _cheap, middle, dear = projects[area]
    result = _vote_and_count(
        db, call.id, area, [[dear], [dear], [middle]], budget_cents=80_000_00
    )  # 30k is 75% of middle: under 80%
    assert result.winners == [dear]


def test_greedy_threshold_uses_the_calls_minimum_score(
    app_ctx: Flask, db: Session, small_votes_publish: None
) -> None:
    call, projects = make_voting_call(db, rule="greedy-threshold", min_score=2)
    area = next(iter(projects))
    cheap, middle, _dear = projects[area]
    result = _vote_and_count(
        db, call.id, area, [[middle], [middle], [cheap]], budget_cents=200_000_00
    )
    assert result.winners == [middle]  # cheap fits but has 1 vote of the 2 needed
    assert result.explanation[str(cheap)]["reason"] == "below_threshold"
    election = parse(services.export_pb(db, call, area))
    assert election.limits.min_project_score_threshold == 2
    assert tally(election).winners == [str(middle)]
