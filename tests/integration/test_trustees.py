"""Trustee mode: the key is made when the last trustee is ready, each collects a share once,
k of them open the box at the count, fewer cannot; the count agrees with a count in the clear."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.calls.queries import get_call
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.voting import sealing, services
from civic.voting.models import (
    Ballot,
    ElectionKey,
    ElectionTrustee,
    SealedBallot,
    VoteSettings,
)
from civic.voting.rules import Ballot as RuleBallot
from civic.voting.rules import Election, Project
from civic.voting.rules.election import VoteType, group_ballots
from civic.voting.rules.meta import tally
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_voter, make_voting_call


def _trustee_call(db: Session, n: int = 3, k: int = 2):  # type: ignore[no-untyped-def]
    call, projects = make_voting_call(db, projects_per_area=4, secrecy="trustees")
    staff = make_user(db, roles=(Role.STAFF,))
    people = [make_user(db, email=f"garante{i}-{call.id}@example.org") for i in range(n)]
    services.set_up_box(
        db, staff, call, mode="trustees", trustee_emails=[p.email for p in people],
        threshold=k, now=utcnow(),
    )  # fmt: skip
    db.commit()
    return call, projects, staff, people


def _hand_out(db: Session, call, people) -> list[str]:  # type: ignore[no-untyped-def]
    pickups = [services.declare_ready(db, p, call.id, now=utcnow()) for p in people]
    db.commit()
    shares = [
        services.collect_share(db, p, call.id, pickup, now=utcnow())
        for p, pickup in zip(people, pickups, strict=True)
    ]
    db.commit()
    return shares


def _close(db: Session, call_id: int):  # type: ignore[no-untyped-def]
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.commit()
    db.expire_all()
    return get_call(db, call_id)


def test_no_vote_is_taken_before_every_trustee_is_ready(app_ctx: Flask, db: Session) -> None:
    call, projects, _staff, people = _trustee_call(db)
    area = next(iter(projects))
    services.declare_ready(db, people[0], call.id, now=utcnow())
    db.commit()
    with pytest.raises(services.VoteRefused, match="box_not_ready"):
        services.cast_ballot(
            db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow()
        )
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 0


def test_the_server_keeps_no_private_key_and_no_share(app_ctx: Flask, db: Session) -> None:
    call, _projects, _staff, people = _trustee_call(db)
    shares = _hand_out(db, call, people)
    key = db.get(ElectionKey, call.id)
    assert key is not None
    assert key.public_key is not None
    private = sealing.combine(shares[:2])
    assert sealing.public_of(private) == key.public_key
    # Everything stored about the box, read as bytes and text: neither key nor share is there.
    stored = [*(v for k, v in vars(key).items() if not k.startswith("_"))]
    for seat in db.scalars(select(ElectionTrustee).where(ElectionTrustee.call_id == call.id)):
        stored += [v for k, v in vars(seat).items() if not k.startswith("_")]
        assert seat.sealed_share is None  # erased when collected
    for value in stored:
        assert value != private
        if isinstance(value, bytes) and len(value) == 32:
            assert sealing.public_of(value) != key.public_key
        for share in shares:
            assert share not in str(value)
    audit = " ".join(str(e.after) + str(e.before) for e in db.scalars(select(AuditEntry)))
    assert all(share not in audit for share in shares)


def test_a_share_is_collected_once_and_only_with_the_key_of_its_own_session(
    app_ctx: Flask, db: Session
) -> None:
    call, _projects, _staff, people = _trustee_call(db)
    pickups = [services.declare_ready(db, p, call.id, now=utcnow()) for p in people]
    db.commit()
    with pytest.raises(services.VoteRefused, match="pickup_lost"):
        services.collect_share(db, people[0], call.id, pickups[1], now=utcnow())
    with pytest.raises(services.VoteRefused, match="pickup_lost"):
        services.collect_share(db, people[0], call.id, None, now=utcnow())
    share = services.collect_share(db, people[0], call.id, pickups[0], now=utcnow())
    assert len(share.split()) == 33
    with pytest.raises(services.VoteRefused, match="share_collected"):
        services.collect_share(db, people[0], call.id, pickups[0], now=utcnow())
    outsider = make_user(db)
    with pytest.raises(services.PermissionDenied):
        services.collect_share(db, outsider, call.id, pickups[2], now=utcnow())


def _cast_twelve(db: Session, call, projects) -> list[dict[int, int]]:  # type: ignore[no-untyped-def]
    area = next(iter(projects))
    sets = [c for n in (1, 2, 3) for c in itertools.combinations(projects[area], n)][:12]
    for chosen in sets:
        services.cast_ballot(
            db, make_voter(db, area), call, area, dict.fromkeys(chosen, 1), now=utcnow()
        )
        db.commit()
    return [dict.fromkeys(c, 1) for c in sets]


def _clear_tally(budget_cents: int, costs: dict[int, int], cast: list[dict[int, int]]) -> list[str]:
    """The same ballots counted in the clear, as if they had never been sealed."""
    projects = {str(p): Project(str(p), -(-c // 100)) for p, c in costs.items()}
    ballots = [RuleBallot(tuple((str(p), 1) for p in sorted(b))) for b in cast]
    election = Election(
        budget_cents // 100, projects, group_ballots(ballots), VoteType.APPROVAL, {}
    )
    return sorted(tally(election, "greedy").winners)


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_any_k_of_n_trustees_open_the_box_and_count_as_in_the_clear(
    app_ctx: Flask, db: Session, pair: tuple[int, int]
) -> None:
    call, projects, staff, people = _trustee_call(db)
    shares = _hand_out(db, call, people)
    cast = _cast_twelve(db, call, projects)
    closed = _close(db, call.id)
    first, second = pair
    state = services.enter_share(db, people[first], closed, shares[first], now=utcnow())
    db.commit()
    assert (state.entered, state.threshold, state.opened) == (1, 2, False)
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # k-1 shares open nothing
    with pytest.raises(services.VoteRefused, match="box_sealed"):
        services.tally_call(db, staff, closed, now=utcnow())
    db.rollback()
    state = services.enter_share(db, people[second], closed, shares[second], now=utcnow())
    db.commit()
    assert state.opened
    assert db.scalar(select(func.count()).select_from(Ballot)) == 12
    assert db.scalars(select(ElectionTrustee.held_share)).all() == [None, None, None]
    key = db.get(ElectionKey, call.id)
    area = next(iter(projects))
    assert key is not None
    assert key.box[str(area)]["ciphertexts"] == 12
    assert key.box[str(area)]["valid"] == 12
    assert key.box[str(area)]["invalid"] == 0
    results = services.tally_call(db, staff, closed, now=utcnow())
    db.commit()
    result = next(r for r in results if r.area_id == area)
    costs = services.candidates(db, call.id, area)
    budget = next(a.budget_cents for a in closed.areas if a.area_id == area)  # type: ignore[union-attr]
    assert sorted(str(w) for w in result.winners) == _clear_tally(budget, costs, cast)
    assert result.ballots == 12
    entered = db.scalars(
        select(AuditEntry.actor_id).where(AuditEntry.action == "vote.share_entered")
    ).all()
    assert sorted(entered) == sorted([people[first].id, people[second].id])


def test_k_minus_one_shares_cannot_rebuild_the_key() -> None:
    pair = sealing.new_keypair()
    shares = sealing.split(pair.private, 3, 5)
    with pytest.raises(sealing.ShareRefused, match="too_few"):
        sealing.combine(shares[:2])
    for chosen in itertools.combinations(shares, 3):
        assert sealing.combine(list(chosen)) == pair.private


def test_a_wrong_or_mistyped_share_is_refused_with_its_message(app_ctx: Flask, db: Session) -> None:
    call, _projects, _staff, people = _trustee_call(db)
    shares = _hand_out(db, call, people)
    other_call, _p, _s, other_people = _trustee_call(db)
    other_shares = _hand_out(db, other_call, other_people)
    closed = _close(db, call.id)
    words = shares[0].split()
    swapped = " ".join([words[1], words[0], *words[2:]])
    misspelt = " ".join([*words[:6], "zzzz", *words[7:]])
    cases = [
        (swapped, "share_checksum", ""),
        (misspelt, "share_unknown_word", "7"),
        (" ".join(words[:20]), "share_word_count", ""),
        (shares[1], "share_not_yours", ""),  # another trustee's share
        (other_shares[0], "share_not_yours", ""),  # a share of another call
    ]
    for text, code, detail in cases:
        with pytest.raises(services.VoteRefused) as refused:
            services.enter_share(db, people[0], closed, text, now=utcnow())
        db.rollback()
        assert (refused.value.code, refused.value.detail) == (code, detail)
        assert words[0] not in str(refused.value)  # the message never repeats the secret
    assert db.scalars(
        select(ElectionTrustee.entered_at).where(ElectionTrustee.call_id == call.id)
    ).all() == [None, None, None]
    typed = "\n".join(f"{n}. {w.upper()}" for n, w in enumerate(words, start=1))
    state = services.enter_share(db, people[0], closed, typed, now=utcnow())
    assert state.entered == 1  # numbered, in capitals, on several lines: accepted


def test_shares_are_refused_before_voting_closes(app_ctx: Flask, db: Session) -> None:
    call, _projects, _staff, people = _trustee_call(db)
    shares = _hand_out(db, call, people)
    with pytest.raises(services.VoteRefused, match="voting_not_closed"):
        services.enter_share(db, people[0], call, shares[0], now=utcnow())


def test_the_box_is_set_up_again_only_while_nobody_has_voted(app_ctx: Flask, db: Session) -> None:
    call, projects, staff, people = _trustee_call(db)
    _hand_out(db, call, people)
    area = next(iter(projects))
    services.cast_ballot(db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow())
    db.commit()
    with pytest.raises(services.VoteRefused, match="rules_frozen"):
        services.set_up_box(db, staff, call, mode="server", now=utcnow())
    db.rollback()
    assert db.get(ElectionKey, call.id).mode == "trustees"  # type: ignore[union-attr]


def test_trustees_must_have_accounts_and_a_threshold_they_can_meet(
    app_ctx: Flask, db: Session
) -> None:
    call, _projects = make_voting_call(db, secrecy="trustees")
    staff = make_user(db, roles=(Role.STAFF,))
    person = make_user(db, email="unica@example.org")
    refusals = [
        ((["nessuno@example.org"], 1), "no_such_trustee"),
        ((["unica@example.org", "UNICA@example.org"], 1), "trustee_twice"),
        (([person.email], 2), "bad_threshold"),
        (([], 1), "trustee_count"),
    ]
    for (emails, k), code in refusals:
        with pytest.raises(services.VoteRefused) as refused:
            services.set_up_box(
                db, staff, call, mode="trustees", trustee_emails=emails, threshold=k, now=utcnow()
            )
        db.rollback()
        assert refused.value.code == code
    assert db.get(ElectionKey, call.id) is None
    with pytest.raises(services.PermissionDenied):
        services.set_up_box(db, person, call, mode="server", now=utcnow())
    assert db.get(VoteSettings, call.id).secrecy == "trustees"  # type: ignore[union-attr]
