"""The ballot's view of a call, kept per process: reused while the call's stamp holds, and
never used once anything a ballot shows has changed."""

from __future__ import annotations

from secrets import token_hex

import pytest
from flask import Flask
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from civic.calls.models import Call, CallPhase
from civic.core.db import insert_once
from civic.core.time import utcnow
from civic.places.models import Area
from civic.proposals.models import Proposal
from civic.voting import services, snapshot
from civic.voting.models import VoterRoll, VoteSettings
from tests.factories.calls import DAY, make_voter, make_voting_call


def _stamp(db: Session, call_id: int) -> str:
    return str(db.scalar(select(Call.revision).where(Call.id == call_id)))


def test_the_kept_copy_is_reused_with_one_query_while_the_stamp_holds(
    app_ctx: Flask, db: Session, count_queries: list[str]
) -> None:
    call, projects = make_voting_call(db)
    db.commit()
    first = snapshot.voting_call(db, call.slug)
    assert first is not None
    count_queries.clear()
    again = snapshot.voting_call(db, call.slug)
    assert again is first
    assert len(count_queries) == 1
    area = next(iter(projects))
    seen = first.area(area)
    assert seen is not None
    assert sorted(seen.costs()) == sorted(projects[area])
    assert [p.title for p in seen.projects] == sorted(p.title for p in seen.projects)


def test_closing_the_vote_moves_the_stamp_and_casting_is_refused_at_once(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area)
    db.commit()
    kept = snapshot.voting_call(db, call.slug)
    assert kept is not None
    phase = db.scalar(
        select(CallPhase).where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
    )
    assert phase is not None
    phase.ends_at = utcnow() - DAY  # staff close the vote through the ORM
    db.commit()
    assert _stamp(db, call.id) != kept.revision
    fresh = snapshot.voting_call(db, call.slug)
    assert fresh is not None
    assert fresh is not kept
    with pytest.raises(services.VoteRefused, match="voting_closed"):
        services.cast_ballot(db, voter, fresh, area, {projects[area][0]: 1}, now=utcnow())


def test_a_bulk_update_of_phases_moves_every_stamp(app_ctx: Flask, db: Session) -> None:
    call, _projects = make_voting_call(db)
    db.commit()
    before = _stamp(db, call.id)
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(ends_at=utcnow() + 9 * DAY)
    )
    assert _stamp(db, call.id) != before


def test_a_bulk_insert_of_what_a_ballot_shows_moves_every_stamp(
    app_ctx: Flask, db: Session
) -> None:
    call, _projects = make_voting_call(db)
    db.commit()
    before = _stamp(db, call.id)
    db.execute(insert(Area).values(kind="nil", number=999, name="Quartiere di prova"))
    assert _stamp(db, call.id) != before


def test_a_proposal_found_not_feasible_leaves_the_ballot(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    db.commit()
    area = next(iter(projects))
    kept = snapshot.voting_call(db, call.slug)
    assert kept is not None
    proposal = db.get(Proposal, projects[area][0])
    assert proposal is not None
    proposal.status = "not_feasible"
    db.commit()
    fresh = snapshot.voting_call(db, call.slug)
    assert fresh is not None
    seen = fresh.area(area)
    assert seen is not None
    assert projects[area][0] not in seen.costs()


def test_a_proposal_edit_a_ballot_does_not_show_keeps_the_stamp(
    app_ctx: Flask, db: Session
) -> None:
    """Editing a proposal's text must not write the call's row (supports and comments would
    otherwise queue on it)."""
    call, projects = make_voting_call(db)
    db.commit()
    before = _stamp(db, call.id)
    proposal = db.get(Proposal, projects[next(iter(projects))][0])
    assert proposal is not None
    proposal.body_md = "Testo rivisto"
    db.commit()
    assert _stamp(db, call.id) == before


def test_changed_vote_settings_and_municipi_move_the_stamp(app_ctx: Flask, db: Session) -> None:
    call, _projects = make_voting_call(db)
    db.commit()
    before = _stamp(db, call.id)
    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    settings.max_choices = 1
    db.commit()
    after_settings = _stamp(db, call.id)
    assert after_settings != before
    kept = snapshot.voting_call(db, call.slug)
    assert kept is not None
    assert kept.settings is not None
    assert kept.settings.max_choices == 1
    area = db.scalar(select(Area).where(Area.id == kept.areas[0].area_id))
    assert area is not None
    area.name = "Nuovo nome"
    db.commit()
    assert _stamp(db, call.id) != after_settings
    fresh = snapshot.voting_call(db, call.slug)
    assert fresh is not None
    assert fresh.areas[0].label.endswith("Nuovo nome")


def test_a_copy_built_inside_a_rolled_back_change_is_never_used(
    app_ctx: Flask, db: Session
) -> None:
    call, _projects = make_voting_call(db)
    db.commit()
    original = snapshot.voting_call(db, call.slug)
    assert original is not None
    nested = db.begin_nested()
    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    settings.max_choices = 1
    db.flush()
    inside = snapshot.voting_call(db, call.slug)
    assert inside is not None
    assert inside.settings is not None
    assert inside.settings.max_choices == 1
    nested.rollback()
    after = snapshot.voting_call(db, call.slug)
    assert after is not None
    assert after.settings is not None
    assert after.revision == original.revision
    assert after.settings.max_choices == original.settings.max_choices  # type: ignore[union-attr]


def test_a_call_that_is_gone_has_no_snapshot(app_ctx: Flask, db: Session) -> None:
    assert snapshot.voting_call(db, "nessun-bando") is None


def test_insert_once_inserts_a_row_once(app_ctx: Flask, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area)
    row = {
        "call_id": call.id,
        "area_id": area,
        "user_id": voter.id,
        "channel": "online",
        "voted_on": utcnow(),
    }
    # A fresh random id each time, as casts use: the voter's UNIQUE entry is what refuses.
    assert insert_once(db, VoterRoll, id=token_hex(16), **row) is True
    assert insert_once(db, VoterRoll, id=token_hex(16), **row) is False
    assert len(db.scalars(select(VoterRoll).where(VoterRoll.user_id == voter.id)).all()) == 1
    db.execute(delete(VoterRoll).where(VoterRoll.user_id == voter.id))
