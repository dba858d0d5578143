"""Casting, changing and entering ballots: the roll entry and the ballot, never linked."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.services import PermissionDenied
from ...calls.models import Call
from ...core import audit
from ...core.db import insert_once
from ...proposals.permissions import is_staff
from .. import domain, snapshot
from ..models import Ballot, VoterRoll, VoteSettings
from ..snapshot import VotingCall
from .common import VoteRefused, _check_ballot, _check_eligible, _check_open, _key

_INSERT_BALLOT = insert(Ballot.__table__)  # type: ignore[arg-type]  # built once


def _take_vote(
    session: Session,
    call: VotingCall,
    voter: User,
    area_id: int,
    choices: dict[int, int],
    *,
    now: datetime,
    channel: str,
    receipt: str | None = None,
    desk: str | None = None,
    operator_id: int | None = None,
) -> None:
    """Check and write one vote: the roll entry (once per voter) and, apart, the ballot."""
    settings = call.settings
    if settings is None:
        raise VoteRefused("no_vote")
    method = _check_eligible(session, settings, call, voter, area_id)
    _check_ballot(settings, call, area_id, choices)
    if not insert_once(
        session,
        VoterRoll,
        call_id=call.id,
        area_id=area_id,
        user_id=voter.id,
        channel=channel,
        desk=desk,
        operator_id=operator_id,
        voted_on=domain.coarse(now),
        residency_method=method,
    ):
        raise VoteRefused("already_voted")
    session.connection().execute(
        _INSERT_BALLOT,
        {
            "id": secrets.token_hex(16),
            "call_id": call.id,
            "area_id": area_id,
            "channel": channel,
            "receipt_hash": domain.receipt_hash(_key(), receipt) if receipt else None,
            "choices": {str(p): v for p, v in choices.items() if v > 0},
            "cast_on": domain.coarse(now),
        },
    )


def cast_ballot(
    session: Session,
    voter: User,
    call: Call | VotingCall,
    area_id: int,
    choices: dict[int, int],
    *,
    now: datetime,
) -> str:
    """Vote once in an area; returns the receipt code, which is shown once and never stored."""
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    receipt = domain.new_receipt()
    _take_vote(session, seen, voter, area_id, choices, now=now, channel="online", receipt=receipt)
    return receipt


def change_ballot(
    session: Session,
    voter: User,
    call: Call | VotingCall,
    area_id: int,
    receipt: str,
    choices: dict[int, int],
    *,
    now: datetime,
) -> None:
    """Replace one's own ballot while voting is open: needs being signed in and the receipt."""
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    settings = seen.settings
    if settings is None:
        raise VoteRefused("no_vote")
    session.flush()
    connection = session.connection()  # Core reads and writes: the ORM's machinery costs more
    channel = connection.execute(
        select(VoterRoll.channel).where(
            VoterRoll.call_id == call.id,
            VoterRoll.area_id == area_id,
            VoterRoll.user_id == voter.id,
        )
    ).scalar_one_or_none()
    if channel != "online":
        raise VoteRefused("no_online_ballot")
    ballot_id = connection.execute(
        select(Ballot.id)
        .where(
            Ballot.receipt_hash == domain.receipt_hash(_key(), receipt),
            Ballot.call_id == call.id,
            Ballot.area_id == area_id,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if ballot_id is None:
        raise VoteRefused("bad_receipt")
    _check_ballot(settings, seen, area_id, choices)
    connection.execute(
        update(Ballot.__table__)  # type: ignore[arg-type]
        .where(Ballot.__table__.c.id == ballot_id)
        .values(choices={str(p): v for p, v in choices.items() if v > 0})
    )


def record_paper_ballot(
    session: Session,
    operator: User,
    call: Call | VotingCall,
    voter: User,
    area_id: int,
    choices: dict[int, int],
    *,
    desk: str,
    now: datetime,
) -> None:
    """Staff at a desk: the person is marked on the roll as voting on paper, the ballot entered."""
    if not is_staff(operator):
        raise PermissionDenied
    if not desk.strip():
        raise VoteRefused("desk_required")
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    _take_vote(
        session,
        seen,
        voter,
        area_id,
        choices,
        now=now,
        channel="paper",
        desk=desk.strip(),
        operator_id=operator.id,
    )
    # Who entered a paper vote, and for whom, is logged; the ballot's id and content are not.
    audit.record(
        session,
        actor_id=operator.id,
        action="vote.paper",
        target_type="user",
        target_id=voter.id,
        after={"call_id": call.id, "area_id": area_id, "desk": desk.strip()},
        now=now,
    )


def audit_settings(
    session: Session, actor: User, call: Call, settings: VoteSettings, *, now: datetime
) -> None:
    """Log a change of the vote's settings (before any ballot exists)."""
    if not is_staff(actor):
        raise PermissionDenied
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="vote.settings",
        target_type="call",
        target_id=call.id,
        after={
            "ballot_kind": settings.ballot_kind,
            "rule": settings.rule,
            "extra_areas": settings.extra_areas,
            "min_age": settings.min_age,
            "allow_self_declared": settings.allow_self_declared,
        },
        now=now,
    )
