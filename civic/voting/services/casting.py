"""Casting, changing and entering ballots: a roll entry and a sealed ballot, never readable.

The ballot is checked and normalised in memory, packed to the call's one size and sealed to the
call's public key before anything is written; the plaintext is never stored, logged or queued.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from ...accounts.domain import normalise_email
from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...calls.models import Call
from ...core import audit
from ...core.db import insert_once
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied
from .. import domain, sealing, snapshot
from ..models import SealedBallot, VoterRoll, VoteSettings
from ..snapshot import VotingCall
from .box import public_key_for
from .common import VoteRefused, _check_ballot, _check_eligible, _check_open, _key, person_hash

_INSERT_BALLOT = insert(SealedBallot.__table__)  # type: ignore[arg-type]  # built once


@dataclass(frozen=True)
class Cast:
    """What the voter is shown once: the receipt code (never stored) and the ballot's public
    tracking code (listed on the ballot box page)."""

    receipt: str
    tracking_code: str


def _sealed(
    session: Session, call: VotingCall, area_id: int, choices: dict[int, int], now: datetime
) -> tuple[bytes, str]:
    """The ballot sealed to the call's key, and its tracking code."""
    public = public_key_for(session, call, now=now)
    ciphertext = sealing.seal(public, sealing.pack(call.id, area_id, choices, call.ballot_size()))
    return ciphertext, sealing.tracking_code(ciphertext)


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
) -> str:
    """Check and write one vote: the roll entry (once per person) and, apart, the sealed
    ballot. Returns the ballot's tracking code."""
    settings = call.settings
    if settings is None:
        raise VoteRefused("no_vote")
    person = person_hash(voter)
    method = _check_eligible(session, settings, call, voter, area_id, person)
    ballot = _check_ballot(settings, call, area_id, choices)
    ciphertext, code = _sealed(session, call, area_id, ballot, now)
    if not insert_once(
        session,
        VoterRoll,
        id=secrets.token_hex(16),
        call_id=call.id,
        area_id=area_id,
        user_id=voter.id,
        channel=channel,
        desk=desk,
        operator_id=operator_id,
        voted_on=domain.coarse(now),
        residency_method=method,
        person_hash=person,
    ):
        raise VoteRefused("already_voted")
    session.connection().execute(
        _INSERT_BALLOT,
        {
            "id": secrets.token_hex(16),
            "call_id": call.id,
            "area_id": area_id,
            "channel": channel,
            "receipt_hash": domain.receipt_hash(_key(), receipt, voter.id) if receipt else None,
            "ciphertext": ciphertext,
            "tracking_code": code,
            "cast_on": domain.coarse(now),
        },
    )
    return code


def cast_ballot(
    session: Session,
    voter: User,
    call: Call | VotingCall,
    area_id: int,
    choices: dict[int, int],
    *,
    now: datetime,
) -> Cast:
    """Vote once in an area; the receipt code is shown once and never stored."""
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    receipt = domain.new_receipt()
    code = _take_vote(
        session, seen, voter, area_id, choices, now=now, channel="online", receipt=receipt
    )
    return Cast(receipt, code)


def change_ballot(
    session: Session,
    voter: User,
    call: Call | VotingCall,
    area_id: int,
    receipt: str,
    choices: dict[int, int],
    *,
    now: datetime,
    language: str = "it",
) -> str:
    """Replace one's own ballot while voting is open: needs being signed in and one's own
    receipt. The ciphertext is replaced, the voter e-mailed; returns the new tracking code."""
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    settings = seen.settings
    if settings is None:
        raise VoteRefused("no_vote")
    session.flush()
    connection = session.connection()  # Core reads and writes: the ORM's machinery costs more
    channel = connection.execute(
        select(VoterRoll.channel).where(
            VoterRoll.call_id == seen.id,
            VoterRoll.area_id == area_id,
            VoterRoll.user_id == voter.id,
        )
    ).scalar_one_or_none()
    if channel != "online":
        raise VoteRefused("no_online_ballot")
    ballot_id = connection.execute(
        select(SealedBallot.id)
        .where(
            SealedBallot.receipt_hash == domain.receipt_hash(_key(), receipt, voter.id),
            SealedBallot.call_id == seen.id,
            SealedBallot.area_id == area_id,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if ballot_id is None:
        raise VoteRefused("bad_receipt")
    ballot = _check_ballot(settings, seen, area_id, choices)
    ciphertext, code = _sealed(session, seen, area_id, ballot, now)
    connection.execute(
        update(SealedBallot.__table__)  # type: ignore[arg-type]
        .where(SealedBallot.__table__.c.id == ballot_id)
        .values(ciphertext=ciphertext, tracking_code=code)
    )
    if voter.email:
        area = seen.area(area_id)
        queue_email(
            session,
            voter.email,
            "ballot_changed",
            language,
            call_title=seen.title(language),
            area=area.label if area else "",
            tracking_code=code,
        )
    return code


def record_paper_ballot_for(
    session: Session,
    operator: User,
    call: Call | VotingCall,
    email: str,
    area_id: int,
    choices: dict[int, int],
    *,
    desk: str,
    now: datetime,
) -> str:
    """The desk names the voter by their account's address; see ``record_paper_ballot``."""
    if not is_staff(operator):
        raise PermissionDenied
    voter = session.scalar(
        select(User)
        .where(User.email == normalise_email(email), User.deleted_at.is_(None))
        .options(selectinload(User.grants))
    )
    if voter is None:
        raise VoteRefused("no_such_voter")
    return record_paper_ballot(session, operator, call, voter, area_id, choices, desk=desk, now=now)


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
) -> str:
    """Staff at a desk: the person is marked on the roll as voting on paper, the ballot sealed
    as an online one is. Returns its tracking code, for the voter."""
    if not is_staff(operator):
        raise PermissionDenied
    if not desk.strip():
        raise VoteRefused("desk_required")
    seen = snapshot.of(session, call)
    _check_open(seen, now)
    code = _take_vote(
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
        after={"call_id": seen.id, "area_id": area_id, "desk": desk.strip()},
        now=now,
    )
    return code


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
            "secrecy": settings.secrecy,
        },
        now=now,
    )
