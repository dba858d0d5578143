"""The sealed ballot box: the call's key, the trustees' shares, and opening the box to count.

The private key never outlives the request that uses it. In trustee mode it exists twice, each
time in one request's memory: when the last trustee is ready (it is made, split and dropped) and
when the k-th share is entered at the count (it is rebuilt, opens every ballot, and is dropped).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...calls.domain import PhaseKind, has_phase_started
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core import audit
from ...core.db import insert_once
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied
from .. import domain, sealing, snapshot
from ..models import Ballot, ElectionKey, ElectionTrustee, SealedBallot, VoterRoll
from ..snapshot import VotingCall
from .common import VoteRefused, ballot_rules, settings_of

MAX_TRUSTEES = 16


def _ballot_key() -> str:
    return str(current_app.config["BALLOT_KEY"])


def _move_stamp(session: Session, call_id: int) -> None:
    """The call's ballots see a new key: their snapshots must be read again."""
    from ...calls.models import Call as CallModel

    session.execute(
        update(CallModel).where(CallModel.id == call_id).values(revision=snapshot.new_revision())
    )


def key_of(session: Session, call_id: int) -> ElectionKey | None:
    return session.get(ElectionKey, call_id, populate_existing=True)


def trustees_of(session: Session, call_id: int) -> list[ElectionTrustee]:
    return list(
        session.scalars(
            select(ElectionTrustee)
            .where(ElectionTrustee.call_id == call_id)
            .order_by(ElectionTrustee.position)
        )
    )


def ensure_server_key(session: Session, call_id: int, *, now: datetime) -> ElectionKey:
    """Server mode: the call's key, made on first need (saving the settings, or the first cast
    of a call set up before). Two first casts at once make one key: the second waits."""
    key = key_of(session, call_id)
    if key is None:
        salt = sealing.new_salt()
        pair = sealing.derived_keypair(_ballot_key(), salt)
        if insert_once(
            session,
            ElectionKey,
            call_id=call_id,
            mode="server",
            threshold=1,
            trustees=1,
            public_key=pair.public,
            fingerprint=sealing.fingerprint(pair.public),
            salt=salt,
            created_at=now,
            box={},
        ):
            _move_stamp(session, call_id)
        key = key_of(session, call_id)
    assert key is not None
    return key


def public_key_for(session: Session, call: VotingCall, *, now: datetime) -> bytes:
    """What this call's ballots are sealed to; refused while trustees have not all taken part."""
    if call.public_key is not None:
        return call.public_key
    if call.settings is not None and call.settings.secrecy == "trustees":
        raise VoteRefused("box_not_ready")
    key = ensure_server_key(session, call.id, now=now)
    if key.public_key is None:
        raise VoteRefused("box_not_ready")
    return key.public_key


def _has_ballots(session: Session, call_id: int) -> bool:
    return (
        session.scalar(select(VoterRoll.id).where(VoterRoll.call_id == call_id).limit(1))
        is not None
        or session.scalar(select(SealedBallot.id).where(SealedBallot.call_id == call_id).limit(1))
        is not None
    )


def set_up_box(
    session: Session,
    actor: User,
    call: Call,
    *,
    mode: str,
    trustee_emails: Sequence[str] = (),
    threshold: int = 1,
    now: datetime,
    language: str = "it",
) -> ElectionKey:
    """Give the call its box as the settings say: a server key at once, or trustees named (the
    key is made when the last of them is ready). Redone only while no one has voted."""
    from ...accounts.services import get_user_by_email

    if not is_staff(actor):
        raise PermissionDenied
    current = key_of(session, call.id)
    if current is not None and current.mode == mode == "server":
        return current
    if _has_ballots(session, call.id):
        raise VoteRefused("rules_frozen")
    people: list[User] = []
    if mode == "trustees":
        for email in trustee_emails:
            person = get_user_by_email(session, email)
            if person is None or person.deleted_at is not None:
                raise VoteRefused("no_such_trustee", detail=email)
            if any(p.id == person.id for p in people):
                raise VoteRefused("trustee_twice", detail=email)
            people.append(person)
        if not people or len(people) > MAX_TRUSTEES:
            raise VoteRefused("trustee_count")
        if not 1 <= threshold <= len(people):
            raise VoteRefused("bad_threshold")
    session.execute(delete(ElectionTrustee).where(ElectionTrustee.call_id == call.id))
    session.execute(delete(ElectionKey).where(ElectionKey.call_id == call.id))
    session.flush()
    if mode == "server":
        key = ensure_server_key(session, call.id, now=now)
    else:
        key = ElectionKey(
            call_id=call.id,
            mode="trustees",
            threshold=threshold,
            trustees=len(people),
            public_key=None,
            salt=sealing.new_salt(),
            created_at=now,
            box={},
        )
        session.add(key)
        for position, person in enumerate(people, start=1):
            session.add(ElectionTrustee(call_id=call.id, user_id=person.id, position=position))
            if person.email:
                queue_email(
                    session,
                    person.email,
                    "trustee_named",
                    person.language or language,
                    call_id=call.id,
                    call_title=call.title_it,
                    threshold=threshold,
                    trustees=len(people),
                )
        session.flush()
        _move_stamp(session, call.id)
    audit.record(
        session,
        actor_id=actor.id,
        action="vote.box",
        target_type="call",
        target_id=call.id,
        after={"mode": mode, "trustees": [p.id for p in people], "threshold": threshold},
        now=now,
    )
    return key


def trustee_seat(session: Session, person: User, call_id: int) -> ElectionTrustee:
    seat = session.scalar(
        select(ElectionTrustee)
        .where(ElectionTrustee.call_id == call_id, ElectionTrustee.user_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if seat is None:
        raise PermissionDenied
    return seat


def declare_ready(session: Session, person: User, call_id: int, *, now: datetime) -> bytes:
    """A trustee is ready to receive a share: returns the private half of a one-time key, which
    only their session keeps. When the last trustee is ready, the key is made and split."""
    seat = trustee_seat(session, person, call_id)
    key = session.get(ElectionKey, call_id, with_for_update=True, populate_existing=True)
    if key is None or key.mode != "trustees":
        raise PermissionDenied
    if key.public_key is not None:
        raise VoteRefused("already_handed_out")
    pickup = sealing.new_pickup()
    seat.pickup_key = pickup.public
    seat.ready_at = now
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="vote.trustee_ready",
        target_type="call",
        target_id=call_id,
        now=now,
    )
    seats = trustees_of(session, call_id)
    if all(s.pickup_key is not None for s in seats):
        _make_and_split(session, key, seats, now=now)
    return pickup.private


def _make_and_split(
    session: Session, key: ElectionKey, seats: list[ElectionTrustee], *, now: datetime
) -> None:
    """Make the call's key pair, seal each share to its trustee's one-time key, keep the public
    key and a commitment to each share, and let the private key go."""
    pair = sealing.new_keypair()
    shares = sealing.split(pair.private, key.threshold, len(seats))
    for seat, share in zip(seats, shares, strict=True):
        assert seat.pickup_key is not None
        seat.commitment_salt = sealing.new_salt()
        seat.commitment = sealing.commitment(seat.commitment_salt, share)
        seat.sealed_share = sealing.seal_share(seat.pickup_key, share)
        seat.pickup_key = None
    key.public_key = pair.public
    key.fingerprint = sealing.fingerprint(pair.public)
    del pair, shares
    session.flush()
    _move_stamp(session, key.call_id)
    audit.record(
        session,
        actor_id=None,
        action="vote.key_made",
        target_type="call",
        target_id=key.call_id,
        after={"fingerprint": key.fingerprint, "threshold": key.threshold, "n": len(seats)},
        now=now,
    )


def collect_share(
    session: Session, person: User, call_id: int, pickup_private: bytes | None, *, now: datetime
) -> str:
    """The trustee's share, once: opened with the key their session holds, then erased."""
    seat = trustee_seat(session, person, call_id)
    if seat.sealed_share is None:
        raise VoteRefused("share_collected" if seat.collected_at else "share_not_ready")
    if pickup_private is None:
        raise VoteRefused("pickup_lost")
    try:
        share = sealing.open_share(pickup_private, seat.sealed_share)
    except sealing.ShareRefused:
        raise VoteRefused("pickup_lost") from None
    seat.sealed_share = None
    seat.collected_at = now
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="vote.share_collected",
        target_type="call",
        target_id=call_id,
        now=now,
    )
    return share


@dataclass(frozen=True)
class CountState:
    entered: int
    threshold: int
    opened: bool


def _voting_closed(call: Call, now: datetime) -> bool:
    voting = [w for w in windows_of(call) if w.kind is PhaseKind.VOTING]
    return bool(voting) and now >= voting[-1].ends_at


def enter_share(
    session: Session, person: User, call: Call, text: str, *, now: datetime
) -> CountState:
    """A trustee at the count enters their share. It is checked against their commitment and
    kept (under BALLOT_KEY) until the k-th arrives; that request opens the box."""
    seat = trustee_seat(session, person, call.id)
    key = session.get(ElectionKey, call.id, with_for_update=True, populate_existing=True)
    if key is None or key.mode != "trustees" or key.public_key is None:
        raise VoteRefused("box_not_ready")
    if not _voting_closed(call, now):
        raise VoteRefused("voting_not_closed")
    if key.opened_at is not None:
        raise VoteRefused("box_opened")
    try:
        share = sealing.check_share(text)
    except sealing.ShareRefused as exc:
        raise VoteRefused(f"share_{exc.code}", detail=str(exc.word or "")) from None
    if seat.commitment is None or seat.commitment_salt is None:
        raise VoteRefused("box_not_ready")
    if not sealing.matches(seat.commitment_salt, share, seat.commitment):
        raise VoteRefused("share_not_yours")
    seat.held_share = sealing.hold_share(_ballot_key(), key.salt, share)
    seat.entered_at = now
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="vote.share_entered",
        target_type="call",
        target_id=call.id,
        now=now,
    )
    seats = trustees_of(session, call.id)
    held = [s for s in seats if s.held_share is not None]
    if len(held) < key.threshold:
        return CountState(len(held), key.threshold, False)
    shares = [sealing.release_share(_ballot_key(), key.salt, s.held_share or b"") for s in held]
    private = sealing.combine(shares[: key.threshold])
    open_box(session, call, key, private, actor=person, now=now)
    return CountState(len(held), key.threshold, True)


def open_with_server_key(
    session: Session, actor: User | None, call: Call, *, now: datetime
) -> None:
    """Server mode: the count's job (or staff) open the box once voting has closed; the key is
    derived in this process from BALLOT_KEY, never passed through the queue."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied
    if not _voting_closed(call, now):
        raise VoteRefused("voting_not_closed")
    key = session.get(ElectionKey, call.id, with_for_update=True, populate_existing=True)
    if key is None:
        return  # nobody voted: there is no box to open
    if key.mode != "server":
        raise VoteRefused("needs_trustees")
    if key.opened_at is not None:
        raise VoteRefused("box_opened")
    private = sealing.derived_keypair(_ballot_key(), key.salt).private
    open_box(session, call, key, private, actor=actor, now=now)


def open_box(
    session: Session,
    call: Call,
    key: ElectionKey,
    private: bytes,
    *,
    actor: User | None,
    now: datetime,
) -> dict[str, dict[str, int | str]]:
    """Open every sealed ballot of the call, check it, and write the valid ones as counted
    ballots: shuffled by the operating system's random source, with new random ids, all in
    this one transaction. The held shares are erased; the key goes with this function."""
    if sealing.public_of(private) != key.public_key:
        raise VoteRefused("wrong_key")
    settings = settings_of(session, call)
    seen = snapshot.of(session, call)
    opener = sealing.opener(private)
    rows: list[dict[str, object]] = []
    box: dict[str, dict[str, int | str]] = {}
    for area in seen.areas:
        rules = ballot_rules(settings, seen, area.area_id)
        costs = area.costs()
        valid = invalid = 0
        codes = []
        for ciphertext, code in session.execute(
            select(SealedBallot.ciphertext, SealedBallot.tracking_code).where(
                SealedBallot.call_id == call.id, SealedBallot.area_id == area.area_id
            )
        ):
            codes.append(code)
            try:
                call_id, area_id, choices = sealing.unpack(sealing.open_sealed(opener, ciphertext))
            except sealing.BadBallot:
                invalid += 1
                continue
            if (call_id, area_id) != (call.id, area.area_id) or domain.problems(
                rules, choices, costs
            ):
                invalid += 1
                continue
            valid += 1
            rows.append(
                {
                    "call_id": call.id,
                    "area_id": area.area_id,
                    "choices": {str(p): v for p, v in domain.normalised(rules, choices).items()},
                }
            )
        box[str(area.area_id)] = {
            "ciphertexts": len(codes),
            "valid": valid,
            "invalid": invalid,
            "hash": sealing.box_hash(codes),
        }
    del opener, private
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        row["id"] = secrets.token_hex(16)
    if rows:
        session.execute(Ballot.__table__.insert(), rows)  # type: ignore[attr-defined]
    key.opened_at = now
    key.box = box
    session.execute(
        update(ElectionTrustee).where(ElectionTrustee.call_id == call.id).values(held_share=None)
    )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="vote.box_opened",
        target_type="call",
        target_id=call.id,
        after={a: {k: v for k, v in s.items() if k != "hash"} for a, s in box.items()},
        now=now,
    )
    return box


def box_listing(session: Session, call_id: int) -> dict[int, list[str]]:
    """Every tracking code in the box, per area, in sorted order (never the order of casts)."""
    listing: dict[int, list[str]] = {}
    for area_id, code in session.execute(
        select(SealedBallot.area_id, SealedBallot.tracking_code)
        .where(SealedBallot.call_id == call_id)
        .order_by(SealedBallot.area_id, SealedBallot.tracking_code)
    ):
        listing.setdefault(area_id, []).append(code)
    return listing


def sealed_count(session: Session, call_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(SealedBallot).where(SealedBallot.call_id == call_id)
        )
        or 0
    )


def voting_started(call: Call, now: datetime) -> bool:
    return has_phase_started(windows_of(call), PhaseKind.VOTING, now)
