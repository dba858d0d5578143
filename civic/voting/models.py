"""The voter roll (who voted) and the ballots (what was voted), kept apart.

Nothing links a roll entry to a ballot: ballots have random ids, no voter column, and only the
day they were cast; on SQLite the ballots table has no rowid, so not even the insertion order
is kept. A voter changes their ballot by the receipt code only they were shown (its keyed hash
is stored).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base
from .domain import BallotKind

_KINDS = ", ".join(f"'{k.value}'" for k in BallotKind)
_RULES = (
    "'greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-exhaustive', "
    "'mes-add1-greedy'"
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


class VoterRoll(Base):
    """Who voted in which area of a call, how (online or on paper) and on which day."""

    __tablename__ = "voter_roll"
    __table_args__ = (
        UniqueConstraint("call_id", "area_id", "user_id"),
        CheckConstraint("channel IN ('online', 'paper')", name="channel"),
        CheckConstraint(
            "channel = 'online' OR (desk IS NOT NULL AND operator_id IS NOT NULL)",
            name="paper_has_desk",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    desk: Mapped[str | None] = mapped_column(String(80))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voted_on: Mapped[datetime]  # the day only
    # How the voter's residency was known: desk, census or self (declared; shown in results).
    residency_method: Mapped[str | None] = mapped_column(String(10))


class Ballot(Base):
    """What one (unknown) voter chose. No voter, no precise time, a random id."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'paper', 'imported')", name="channel"),
        Index("ix_ballots_call_area", "call_id", "area_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    channel: Mapped[str] = mapped_column(String(10))
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    choices: Mapped[dict[str, int]] = mapped_column(JSON)  # project id -> 1, points or rank
    cast_on: Mapped[datetime]  # the day only


class VoteResult(Base):
    """A tally of one area of a call, reviewed by staff before it is published."""

    __tablename__ = "vote_results"
    __table_args__ = (UniqueConstraint("call_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    rule: Mapped[str] = mapped_column(String(20))
    budget_cents: Mapped[int]
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
