"""What the sealed box adds to casting: receipts bound to their voter, one ballot per person
across accounts, ballots normalised before sealing, paper ballots sealed alike, the change
e-mailed, the ballot fixed once voting opens, and small areas publishing totals only."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.accounts.services import delete_account
from civic.core.mail import pending
from civic.core.time import utcnow
from civic.proposals import services as proposal_services
from civic.proposals.models import BallotAmendment, Proposal
from civic.voting import services
from civic.voting.models import Ballot, SealedBallot, VoteResult, VoterRoll
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.calls import make_voter, make_voting_call, open_now


def test_someone_elses_receipt_changes_nothing(app_ctx: Flask, db: Session) -> None:
    """A second voter holding lucia's code (shared device, vote buying) cannot touch her ballot,
    and their own ballot stays theirs."""
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    lucia, other = make_voter(db, area), make_voter(db, area)
    hers = services.cast_ballot(db, lucia, call, area, {projects[area][0]: 1}, now=utcnow())
    services.cast_ballot(db, other, call, area, {projects[area][1]: 1}, now=utcnow())
    db.commit()
    before = set(db.scalars(select(SealedBallot.ciphertext)))
    with pytest.raises(services.VoteRefused, match="bad_receipt"):
        services.change_ballot(
            db, other, call, area, hers.receipt, {projects[area][2]: 1}, now=utcnow()
        )
    db.rollback()
    assert set(db.scalars(select(SealedBallot.ciphertext))) == before
    open_now(db, call)
    counted = sorted(tuple(c) for c in db.scalars(select(Ballot.choices)))
    assert counted == sorted([(str(projects[area][0]),), (str(projects[area][1]),)])


def test_a_change_is_sealed_counted_once_and_emailed_to_the_voter(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area)
    cast = services.cast_ballot(db, voter, call, area, {projects[area][0]: 1}, now=utcnow())
    db.commit()
    code = services.change_ballot(
        db, voter, call, area, cast.receipt, {projects[area][2]: 1}, now=utcnow()
    )
    (mail,) = pending(db)
    assert mail.to == voter.email
    assert code in mail.body
    assert "Progetto" not in mail.body  # the e-mail names no choice
    db.commit()
    open_now(db, call)
    assert db.scalars(select(Ballot.choices)).all() == [{str(projects[area][2]): 1}]


def test_a_person_votes_once_even_with_a_new_account(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    first = make_voter(db, area, email="stessa@example.org")
    services.cast_ballot(db, first, call, area, {projects[area][0]: 1}, now=utcnow())
    db.commit()
    assert delete_account(db, first, password=PASSWORD, now=utcnow())
    db.commit()
    again = make_voter(db, area, email="stessa@example.org")
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.cast_ballot(db, again, call, area, {projects[area][1]: 1}, now=utcnow())
    db.rollback()
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 1  # kept, naming no one


def test_the_same_fiscal_number_votes_once_across_accounts(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    first = make_voter(db, area)
    first_row = db.get(User, first.id)
    assert first_row is not None
    first_row.fiscal_number_hash = "f" * 64  # as SPID or the census gave it
    db.commit()
    services.cast_ballot(db, first_row, call, area, {projects[area][0]: 1}, now=utcnow())
    first_row.fiscal_number_hash = None  # the account is gone...
    db.commit()
    second = db.get(User, make_voter(db, area).id)
    assert second is not None
    second.fiscal_number_hash = "f" * 64  # ...and the same person signs in with SPID again
    db.commit()
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.cast_ballot(db, second, call, area, {projects[area][1]: 1}, now=utcnow())


def test_an_approval_ballot_is_normalised_before_it_is_sealed(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    services.cast_ballot(
        db, make_voter(db, area), call, area, {projects[area][0]: 999_999}, now=utcnow()
    )
    db.commit()
    open_now(db, call)
    assert db.scalars(select(Ballot.choices)).all() == [{str(projects[area][0]): 1}]


def test_a_paper_ballot_is_sealed_like_an_online_one(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    staff = make_user(db, roles=(Role.STAFF,))
    code = services.record_paper_ballot(
        db, staff, call, make_voter(db, area), area, {projects[area][1]: 1}, desk="M2", now=utcnow()
    )
    services.cast_ballot(db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow())
    db.commit()
    rows = db.execute(
        select(SealedBallot.channel, SealedBallot.ciphertext, SealedBallot.tracking_code)
    ).all()
    paper = next(r for r in rows if r.channel == "paper")
    assert paper.tracking_code == code
    assert len({len(r.ciphertext) for r in rows}) == 1
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    open_now(db, call)
    assert sorted(next(iter(c)) for c in db.scalars(select(Ballot.choices))) == sorted(
        [str(projects[area][0]), str(projects[area][1])]
    )


def _review(proposal: Proposal, feasible: bool, override: str = "") -> proposal_services.ReviewData:
    return proposal_services.ReviewData(
        feasible=feasible, public_reason="Esito della verifica", cost_estimate_cents=1,
        running_cost_cents=0, duration_months=1, ballot_override_reason=override,
    )  # fmt: skip


def test_the_ballot_is_fixed_once_voting_opens(app_ctx: Flask, db: Session) -> None:
    _call, projects = make_voting_call(db)
    area = next(iter(projects))
    late = db.get(Proposal, projects[area][0])
    assert late is not None
    late.status = "in_review"  # a review still open when voting starts
    db.commit()
    reviewer = make_user(db, roles=(Role.STAFF,))
    admin = make_user(db, roles=(Role.ADMIN,))
    for person in (reviewer, admin):
        proposal_services.assign_reviewer(db, admin, late, person, now=utcnow())
    db.commit()
    with pytest.raises(proposal_services.NotAllowed, match="ballot_frozen"):
        proposal_services.record_review(db, reviewer, late, _review(late, True), now=utcnow())
    db.rollback()
    with pytest.raises(proposal_services.NotAllowed, match="ballot_frozen"):
        proposal_services.record_review(db, admin, late, _review(late, True), now=utcnow())
    db.rollback()
    assert db.get(Proposal, late.id).status == "in_review"  # type: ignore[union-attr]
    reason = "Errore materiale nella verifica: il progetto era fattibile"
    proposal_services.record_review(db, admin, late, _review(late, True, reason), now=utcnow())
    db.commit()
    (amendment,) = db.scalars(select(BallotAmendment)).all()
    assert (amendment.proposal_id, amendment.added, amendment.reason) == (late.id, True, reason)


def test_small_areas_publish_totals_but_never_their_ballots(
    app_ctx: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app_ctx.config, "MIN_PUBLISHED_BALLOTS", 3)
    call, projects = make_voting_call(db)
    big, small = list(projects)[:2]
    for _ in range(3):
        services.cast_ballot(
            db, make_voter(db, big), call, big, {projects[big][0]: 1}, now=utcnow()
        )
    services.cast_ballot(
        db, make_voter(db, small), call, small, {projects[small][0]: 1}, now=utcnow()
    )
    db.commit()
    open_now(db, call)
    staff = make_user(db, roles=(Role.STAFF,))
    services.tally_call(db, staff, call, now=utcnow())
    services.publish_results(db, staff, call, now=utcnow())
    db.commit()
    assert "num_votes;3" in services.export_pb(db, call, big)
    with pytest.raises(services.VoteRefused, match="too_few_to_publish"):
        services.export_pb(db, call, small)
    totals = db.scalar(select(VoteResult).where(VoteResult.area_id == small))
    assert totals is not None
    assert totals.ballots == 1  # the totals are public all the same
