"""Casting, changing and counting ballots: once per voter, secret, by the published rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import Ballot, SealedBallot, VoteResult, VoterRoll
from civic.voting.rules.meta import tally
from civic.voting.rules.pabulib import parse
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_voter, make_voting_call, open_now
from tests.support import Mailbox


def _close(db: Session, call_id: int) -> None:
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.commit()


def test_a_ballot_is_cast_once_with_a_receipt_and_no_link_to_the_voter(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area)
    cast = services.cast_ballot(db, voter, call, area, {projects[area][0]: 1}, now=utcnow())
    db.commit()
    assert len(cast.receipt) == 23
    sealed = db.scalar(select(SealedBallot))
    assert sealed is not None
    assert cast.receipt not in (sealed.receipt_hash or "")
    assert sealed.cast_on.time() == datetime.min.time()  # the day only
    assert sealed.tracking_code == cast.tracking_code
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # nothing readable yet
    assert db.scalar(select(VoterRoll.user_id)) == voter.id
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.cast_ballot(db, voter, call, area, {projects[area][1]: 1}, now=utcnow())


def test_nothing_in_the_ballot_tables_points_to_a_person() -> None:
    assert {c.name for c in inspect(Ballot).columns} == {"id", "call_id", "area_id", "choices"}
    assert {c.name for c in inspect(SealedBallot).columns} == {
        "id", "call_id", "area_id", "channel", "receipt_hash", "ciphertext", "tracking_code",
        "cast_on",
    }  # fmt: skip
    for table in (Ballot.__table__, SealedBallot.__table__):
        assert not [fk for fk in table.foreign_keys if fk.column.table.name == "users"]


def test_ballot_ids_are_random_not_sequential(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    for _ in range(5):
        services.cast_ballot(
            db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow()
        )
    for model in (SealedBallot, VoterRoll):
        ids = list(db.scalars(select(model.id)))
        assert len(set(ids)) == 5
        assert all(len(i) == 32 for i in ids)
    open_now(db, call)
    ids = list(db.scalars(select(Ballot.id)))
    assert len(set(ids)) == 5
    assert all(len(i) == 32 for i in ids)


def test_the_voter_changes_their_ballot_with_the_receipt(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area)
    cast = services.cast_ballot(db, voter, call, area, {projects[area][0]: 1}, now=utcnow())
    with pytest.raises(services.VoteRefused, match="bad_receipt"):
        services.change_ballot(
            db, voter, call, area, "AAAAA-BBBBB-CCCCC-DDDDD", {projects[area][1]: 1}, now=utcnow()
        )
    code = services.change_ballot(
        db, voter, call, area, cast.receipt.lower(), {projects[area][1]: 1}, now=utcnow()
    )
    db.commit()
    assert code != cast.tracking_code
    assert db.scalar(select(SealedBallot.tracking_code)) == code
    open_now(db, call)
    assert db.scalar(select(Ballot.choices)) == {str(projects[area][1]): 1}
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1


def test_someone_who_has_not_voted_cannot_use_a_receipt(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    cast = services.cast_ballot(
        db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow()
    )
    with pytest.raises(services.VoteRefused, match="no_online_ballot"):
        services.change_ballot(
            db, make_voter(db, area), call, area, cast.receipt, {projects[area][1]: 1},
            now=utcnow(),
        )  # fmt: skip


def test_an_invalid_ballot_is_refused_with_its_problems(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db, ballot_kind="knapsack")
    area = next(iter(projects))
    db.execute(
        update(type(call.areas[0]))
        .where(type(call.areas[0]).call_id == call.id)
        .values(budget_cents=60_000_00)
    )
    db.commit()
    from civic.calls.queries import get_call

    call = get_call(db, call.id)  # type: ignore[assignment]
    with pytest.raises(services.VoteRefused) as refused:
        services.cast_ballot(
            db, make_voter(db, area), call, area, {p: 1 for p in projects[area]}, now=utcnow()
        )
    assert refused.value.code == "invalid_ballot"
    assert [p.value for p in refused.value.problems] == ["over_budget"]
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 0


def test_votes_are_refused_outside_the_voting_phase(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db, voting_open=False)
    area = next(iter(projects))
    with pytest.raises(services.VoteRefused, match="voting_closed"):
        services.cast_ballot(
            db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow()
        )


def test_residents_vote_in_their_own_municipio_plus_the_allowed_others(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db, extra_areas=0)
    own, other = list(projects)
    voter = make_voter(db, own)
    with pytest.raises(services.VoteRefused, match="area_not_open"):
        services.cast_ballot(db, voter, call, other, {projects[other][0]: 1}, now=utcnow())
    wider, wider_projects = make_voting_call(db, extra_areas=1)
    services.cast_ballot(db, voter, wider, own, {wider_projects[own][0]: 1}, now=utcnow())
    services.cast_ballot(db, voter, wider, other, {wider_projects[other][0]: 1}, now=utcnow())


def test_paper_and_online_votes_exclude_each_other(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    operator = make_user(db, roles=(Role.STAFF,))
    on_paper, online = make_voter(db, area), make_voter(db, area)
    services.record_paper_ballot(
        db, operator, call, on_paper, area, {projects[area][0]: 1}, desk="Municipio 3", now=utcnow()
    )
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.cast_ballot(db, on_paper, call, area, {projects[area][0]: 1}, now=utcnow())
    services.cast_ballot(db, online, call, area, {projects[area][0]: 1}, now=utcnow())
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.record_paper_ballot(
            db, operator, call, online, area, {projects[area][0]: 1}, desk="Desk", now=utcnow()
        )
    roll = db.scalar(select(VoterRoll).where(VoterRoll.user_id == on_paper.id))
    assert roll is not None
    assert (roll.channel, roll.desk, roll.operator_id) == ("paper", "Municipio 3", operator.id)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "vote.paper"))
    assert entry is not None
    assert all(ballot_id not in str(entry.after) for ballot_id in db.scalars(select(Ballot.id)))
    with pytest.raises(services.PermissionDenied):
        services.record_paper_ballot(
            db,
            make_user(db),
            call,
            make_voter(db, area),
            area,
            {projects[area][0]: 1},
            desk="x",
            now=utcnow(),
        )


def test_the_count_waits_for_the_close_then_follows_the_rule_and_is_published(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db, rule="greedy")
    area = next(iter(projects))
    staff = make_user(db, roles=(Role.STAFF,))
    first, second, third = projects[area]
    for choice in ([first], [first, second], [second], [first]):
        services.cast_ballot(
            db, make_voter(db, area), call, area, dict.fromkeys(choice, 1), now=utcnow()
        )
    with pytest.raises(services.VoteRefused, match="voting_not_closed"):
        services.tally_call(db, staff, call, now=utcnow())
    assert services.running_counts_hidden(db, call)
    _close(db, call.id)
    from civic.calls.queries import get_call

    call = get_call(db, call.id)  # type: ignore[assignment]
    services.tally_call(db, staff, call, now=utcnow())
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    assert result.winners[0] == first  # 3 approvals
    assert (result.ballots, result.voters) == (4, 4)
    assert result.explanation[str(third)]["reason"] == "below_threshold"  # nobody voted for it
    assert services.running_counts_hidden(db, call)  # still hidden until published
    with pytest.raises(services.VoteRefused, match="reason_required"):
        services.override_winner(db, staff, result, third, add=True, reason=" ", now=utcnow())
    services.override_winner(
        db, staff, result, third, add=True, reason="Cofinanziato", now=utcnow()
    )
    services.publish_results(db, staff, call, now=utcnow())
    db.commit()
    assert not services.running_counts_hidden(db, call)
    assert result.overrides == [{"project_id": third, "add": True, "reason": "Cofinanziato"}]


def test_the_exported_pb_file_tallies_to_the_same_winners(
    app_ctx: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app_ctx.config, "MIN_PUBLISHED_BALLOTS", 1)  # a small test vote
    call, projects = make_voting_call(db, rule="mes-add1")
    area = next(iter(projects))
    staff = make_user(db, roles=(Role.STAFF,))
    first, second, third = projects[area]
    for choice in ([first, second], [first], [third], [second, third], [first, third]):
        services.cast_ballot(
            db, make_voter(db, area), call, area, dict.fromkeys(choice, 1), now=utcnow()
        )
    _close(db, call.id)
    from civic.calls.queries import get_call

    call = get_call(db, call.id)  # type: ignore[assignment]
    with pytest.raises(services.VoteRefused, match="not_published"):
        services.export_pb(db, call, area)
    services.tally_call(db, staff, call, now=utcnow())
    services.publish_results(db, staff, call, now=utcnow())
    text = services.export_pb(db, call, area)
    election = parse(text)
    assert election.voters == 5
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    assert sorted(tally(election, "meta").winners) == sorted(str(w) for w in result.winners)
    assert sorted(election.official_winners or []) == sorted(str(w) for w in result.winners)
    assert "@" not in text


def test_times_on_the_roll_are_coarse_too(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    services.cast_ballot(
        db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=datetime.now(UTC)
    )
    voted_on = db.scalar(select(VoterRoll.voted_on))
    assert voted_on is not None
    assert voted_on.time() == datetime.min.time()


def test_export_pb_command_writes_a_file_per_area(
    app: Flask, db: Session, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "MIN_PUBLISHED_BALLOTS", 1)  # a small test vote
    with app.test_request_context("/"):
        call, projects = make_voting_call(db)
        area = next(iter(projects))
        services.cast_ballot(
            db, make_voter(db, area), call, area, {projects[area][0]: 1}, now=utcnow()
        )
        db.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["voting", "export-pb", call.slug, "--out", str(tmp_path)])
    assert refused.exit_code != 0
    assert "not_published" in refused.output
    with app.test_request_context("/"):
        _close(db, call.id)
        from civic.calls.queries import get_call

        closed = get_call(db, call.id)
        staff = make_user(db, roles=(Role.STAFF,))
        services.tally_call(db, staff, closed, now=utcnow())  # type: ignore[arg-type]
        services.publish_results(db, staff, closed, now=utcnow())  # type: ignore[arg-type]
        db.commit()
    done = runner.invoke(args=["voting", "export-pb", call.slug, "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    files = sorted(tmp_path.glob("*.pb"))
    assert [f.name for f in files] == [f"{call.slug}-{area}.pb"]  # the one area with ballots
    assert (
        done.output.count("too few ballots to publish one by one, skipped") == len(call.areas) - 1
    )
    assert parse(files[0].read_text()).budget > 0


def test_an_imported_pabulib_election_tallies_to_its_official_winners(
    app_ctx: Flask, db: Session
) -> None:
    from civic.core.paths import ROOT
    from civic.proposals.models import Proposal

    path = ROOT / "tests" / "data" / "pabulib" / "Netherlands_Assen_2024.pb"
    if not path.exists():
        pytest.skip("no Pabulib files beside the checkout")
    call, _none = make_voting_call(db, rule="mes-add1", projects_per_area=0)
    area = call.areas[3].area_id
    # The tally uses the call's budget for the area: here €100,000, as in Assen's file.
    assert next(a.budget_cents for a in call.areas if a.area_id == area) == 100_000 * 100
    staff = make_user(db, roles=(Role.STAFF,))
    ids = services.import_pb(
        db, staff, call, area, path.read_text(encoding="utf-8-sig"), now=utcnow()
    )
    db.commit()
    with pytest.raises(services.VoteRefused, match="already_voted"):
        services.import_pb(
            db, staff, call, area, path.read_text(encoding="utf-8-sig"), now=utcnow()
        )
    _close(db, call.id)
    from civic.calls.queries import get_call

    closed = get_call(db, call.id)
    services.tally_call(db, staff, closed, now=utcnow())  # type: ignore[arg-type]
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    official = parse(path.read_text(encoding="utf-8-sig")).official_winners or []
    assert sorted(result.winners) == sorted(ids[p] for p in official)
    assert result.ballots == 84
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 0  # the file names no one
    assert (
        db.scalar(select(func.count()).select_from(Proposal).where(Proposal.area_id == area)) == 14
    )


def test_only_verified_residents_may_vote(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    unverified = make_user(db)  # a Municipio in the profile is not enough
    from civic.accounts.models import User

    db.get(User, unverified.id).municipio_id = area  # type: ignore[union-attr]
    db.commit()
    with pytest.raises(services.VoteRefused, match="not_verified"):
        services.cast_ballot(db, unverified, call, area, {projects[area][0]: 1}, now=utcnow())


def test_the_minimum_age_is_checked_on_the_first_day_of_the_vote(
    app_ctx: Flask, db: Session
) -> None:
    from datetime import date

    from civic.core.time import to_rome
    from civic.voting.models import VoteSettings

    call, projects = make_voting_call(db)
    area = next(iter(projects))
    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    settings.min_age = 16
    db.commit()
    first_day = to_rome(next(p.starts_at for p in call.phases if p.kind == "voting")).date()
    turns_16_that_day = date(first_day.year - 16, first_day.month, first_day.day)
    turns_16_next_day = date.fromordinal(turns_16_that_day.toordinal() + 1)
    services.cast_ballot(
        db,
        make_voter(db, area, birth_date=turns_16_that_day),
        call,
        area,
        {projects[area][0]: 1},
        now=utcnow(),
    )
    with pytest.raises(services.VoteRefused, match="too_young"):
        services.cast_ballot(
            db,
            make_voter(db, area, birth_date=turns_16_next_day),
            call,
            area,
            {projects[area][0]: 1},
            now=utcnow(),
        )


def test_publishing_tells_each_author_once_whether_their_project_won(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    from civic.accounts.models import User
    from civic.calls.queries import get_call
    from civic.proposals.models import Proposal

    call, projects = make_voting_call(db, rule="greedy")
    area = next(iter(projects))
    staff = make_user(db, roles=(Role.STAFF,))
    first, second, _third = projects[area]
    for choice in ([first], [first], [second]):
        services.cast_ballot(
            db, make_voter(db, area), call, area, dict.fromkeys(choice, 1), now=utcnow()
        )
    _close(db, call.id)
    call = get_call(db, call.id)  # type: ignore[assignment]
    services.tally_call(db, staff, call, now=utcnow())
    mailbox.clear()
    services.publish_results(db, staff, call, now=utcnow())
    db.commit()
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    ballot = list(db.scalars(select(Proposal).where(Proposal.id.in_(projects[area]))))
    author = db.get(User, ballot[0].author_id)  # the factory's one author of every project
    assert author is not None
    bodies = [Mailbox.body(m) for m in mailbox.to(author.email or "")]
    # One message per project on any ballot of the call (the factory's author wrote them all).
    assert len(bodies) == sum(len(ids) for ids in projects.values())
    for proposal in ballot:
        (said,) = [b for b in bodies if proposal.title in b]
        assert ("Buone notizie" in said) == (proposal.id in result.winners)
    mailbox.clear()
    services.publish_results(db, staff, call, now=utcnow())  # again: nothing new to tell
    db.commit()
    assert mailbox.to(author.email or "") == []
