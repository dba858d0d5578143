"""The voter roll (who voted), the sealed ballot box (what was voted, unreadable) and the
counted ballots (readable, written once at the count in shuffled order).

A cast writes a roll entry and a sealed ballot in one transaction, so a database administrator
can pair those two; the sealed ballot opens only with the call's private key, which the server
does not keep (docs/ballot-secrecy.md). The counted ballots carry nothing of the cast: new
random ids, shuffled order, one transaction for all, no channel and no day. Random string ids
everywhere, and tables without a rowid on SQLite, so no id or order follows the order of casts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, Cents
from .domain import BallotKind

_KINDS = ", ".join(f"'{k.value}'" for k in BallotKind)
_RULES = (
    "'greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-exhaustive', "
    "'mes-add1-greedy', 'greedy-custom', 'mes-add1-comparison'"
)


class VoteSettings(Base):
    """How a call votes: the ballot, who may vote where, and the published rule."""

    __tablename__ = "vote_settings"
    __table_args__ = (
        CheckConstraint(f"ballot_kind IN ({_KINDS})", name="ballot_kind"),
        CheckConstraint(f"rule IN ({_RULES})", name="rule"),
        CheckConstraint(
            "min_choices >= 0 AND max_choices >= 0 AND points >= 0 AND max_ranked >= 1",
            name="limits",
        ),
        CheckConstraint("extra_areas >= 0 AND min_age >= 0", name="eligibility"),
        CheckConstraint(
            "min_score >= 0 AND reserve_percent >= 0 AND reserve_percent <= 100", name="steps"
        ),
    )

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    ballot_kind: Mapped[str] = mapped_column(String(20))
    min_choices: Mapped[int] = mapped_column(default=1)
    max_choices: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    max_ranked: Mapped[int] = mapped_column(default=3)
    extra_areas: Mapped[int] = mapped_column(default=0)  # "own Municipio plus N others"
    min_age: Mapped[int] = mapped_column(default=16)
    # Residents may declare their Municipio and date of birth themselves (marked in results).
    allow_self_declared: Mapped[bool] = mapped_column(default=False, server_default=false())
    rule: Mapped[str] = mapped_column(String(20), default="greedy")
    # greedy-threshold: the score a project needs; greedy-custom: the share (%) of the project
    # that stopped the count the money left must cover for the reserve to fund it.
    min_score: Mapped[int] = mapped_column(default=0, server_default="0")
    reserve_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    # Who can open the sealed box: the trustees together (k of n), or the server (BALLOT_KEY).
    secrecy: Mapped[str] = mapped_column(String(10), default="server", server_default="server")
    # Residents are told once that the vote opened (voting.services.announce): the last
    # account told so far, and when everyone was.
    announced_through: Mapped[int] = mapped_column(default=0, server_default="0")
    announced_at: Mapped[datetime | None]


class VoterRoll(Base):
    """Who voted in which area of a call, how (online or on paper) and on which day."""

    __tablename__ = "voter_roll"
    __table_args__ = (
        # The person first: every cast asks "is this account or this person on the call's roll?",
        # which these two answer by lookup (call first, it was a scan of the call's whole roll).
        # The first also serves the person's own activity and data export.
        UniqueConstraint("user_id", "call_id", "area_id"),
        # One ballot per person, not per account: a keyed hash of who they are.
        UniqueConstraint("person_hash", "call_id", "area_id"),
        CheckConstraint("channel IN ('online', 'paper')", name="channel"),
        CheckConstraint(
            "channel = 'online' OR (desk IS NOT NULL AND operator_id IS NOT NULL)",
            name="paper_has_desk",
        ),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, not a sequence
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(10))
    desk: Mapped[str | None] = mapped_column(String(80))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voted_on: Mapped[datetime]  # the day only
    # How the voter's residency was known: desk, census or self (declared; shown in results).
    residency_method: Mapped[str | None] = mapped_column(String(10))
    # Keyed hash of the person (fiscal number, else e-mail address): kept when the account is
    # deleted, so a new account of the same person cannot vote again; names no one without
    # the key. None only on entries made before it existed.
    person_hash: Mapped[str | None] = mapped_column(String(64))


class ElectionKey(Base):
    """The public key a call's ballots are sealed to, and what is known of who can open it."""

    __tablename__ = "election_keys"
    __table_args__ = (
        CheckConstraint("mode IN ('server', 'trustees')", name="mode"),
        CheckConstraint("threshold >= 1 AND trustees >= threshold", name="threshold"),
    )

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[int] = mapped_column(default=1)
    trustees: Mapped[int] = mapped_column(default=1)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # None until handed out
    fingerprint: Mapped[str | None] = mapped_column(String(40))
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))  # server key / count holding key
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    # After the count, per area: ciphertexts, valid and invalid ballots, the box's hash.
    box: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ElectionTrustee(Base):
    """One of the people who together can open a call's box. Never their share: a commitment
    to it, and until they collect it, the share sealed to a key only their session holds."""

    __tablename__ = "election_trustees"
    __table_args__ = (
        UniqueConstraint("call_id", "user_id"),
        UniqueConstraint("call_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[int]
    pickup_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # public half only
    ready_at: Mapped[datetime | None]
    sealed_share: Mapped[bytes | None] = mapped_column(LargeBinary)  # erased when collected
    commitment_salt: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    commitment: Mapped[str | None] = mapped_column(String(64))
    collected_at: Mapped[datetime | None]
    held_share: Mapped[bytes | None] = mapped_column(LargeBinary)  # during the count only
    entered_at: Mapped[datetime | None]


class SealedBallot(Base):
    """A ballot as cast: ciphertext only, padded to the call's one size. No voter, the day only,
    a random id; the receipt hash covers the receipt and the voter together."""

    __tablename__ = "sealed_ballots"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'paper')", name="channel"),
        Index("ix_sealed_ballots_call_area", "call_id", "area_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    channel: Mapped[str] = mapped_column(String(10))
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    tracking_code: Mapped[str] = mapped_column(String(20))
    cast_on: Mapped[datetime]  # the day only


class Ballot(Base):
    """A counted ballot: what one unknown voter chose, readable. Written all at once when the
    box is opened, in shuffled order with new random ids (or imported from a public file)."""

    __tablename__ = "counted_ballots"
    __table_args__ = (
        Index("ix_counted_ballots_call_area", "call_id", "area_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    choices: Mapped[dict[str, int]] = mapped_column(JSON)  # project id -> 1, points or rank


class VoteResult(Base):
    """A tally of one area of a call, reviewed by staff before it is published."""

    __tablename__ = "vote_results"
    __table_args__ = (UniqueConstraint("call_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    rule: Mapped[str] = mapped_column(String(20))
    budget_cents: Mapped[Cents]
    winners: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    ballots: Mapped[int]
    voters: Mapped[int]
    # Census residents of the area old enough to vote on the first day, counted with the tally
    # (so turnout stays what it was when a later census arrives); None: no census for the area.
    electorate: Mapped[int | None]
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
