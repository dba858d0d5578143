"""Proposals and everything that hangs on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import Base, Cents
from .domain import Status

_STATES = ", ".join(f"'{s.value}'" for s in Status)
_RESTORABLE = ", ".join(
    f"'{s.value}'" for s in Status if s not in (Status.DRAFT, Status.HIDDEN, Status.WITHDRAWN)
)


class Proposal(Base):
    """A citizen's proposal in a participatory-budget call."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATES})", name="status"),
        CheckConstraint(
            f"(status = 'hidden' AND hidden_from_status IN ({_RESTORABLE}))"
            " OR (status <> 'hidden' AND hidden_from_status IS NULL)",
            name="hidden_from_status",
        ),
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        Index("ix_proposals_call_status", "call_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    cost_cents: Mapped[Cents]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    hidden_from_status: Mapped[str | None] = mapped_column(String(20))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    files: Mapped[list[ProposalFile]] = relationship(
        lazy="raise_on_sql", order_by="ProposalFile.id"
    )


class ProposalRevision(Base):
    """What a proposal said after each change by its author."""

    __tablename__ = "proposal_revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    cost_cents: Mapped[Cents]
    area_id: Mapped[int]
    theme_id: Mapped[int]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime]


class ProposalFile(Base):
    """An image or PDF of a proposal, stored outside static/."""

    __tablename__ = "proposal_files"
    __table_args__ = (CheckConstraint("kind IN ('image', 'document')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime]


class Support(Base):
    """One citizen's support for one proposal: once, enforced by the database."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]


class Comment(Base):
    """A comment on a proposal, or a reply to one (one level of threading)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)


class Flag(Base):
    """Someone's report that a proposal or comment breaks the rules."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "reporter_id"),
        CheckConstraint("target_type IN ('proposal', 'comment')", name="target_type"),
        CheckConstraint("status IN ('open', 'hidden', 'dismissed')", name="status"),
        Index("ix_flags_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]


class Appeal(Base):
    """The author's one appeal against hiding their proposal or comment."""

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id"),
        CheckConstraint("target_type IN ('proposal', 'comment')", name="target_type"),
        CheckConstraint("status IN ('open', 'upheld', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]


class ReviewAssignment(Base):
    """A reviewer assigned by staff to check a proposal's feasibility."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime]


class FeasibilityReview(Base):
    """The outcome of the feasibility check: public reason and figures, private notes."""

    __tablename__ = "feasibility_reviews"
    __table_args__ = (
        CheckConstraint("outcome IN ('feasible', 'not_feasible')", name="outcome"),
        CheckConstraint("cost_estimate_cents >= 0", name="cost_not_negative"),
        CheckConstraint("running_cost_cents >= 0", name="running_not_negative"),
        CheckConstraint("duration_months >= 0", name="duration_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    public_reason: Mapped[str] = mapped_column(Text)
    cost_estimate_cents: Mapped[Cents]
    running_cost_cents: Mapped[Cents]
    duration_months: Mapped[int]
    private_notes: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]


class Follow(Base):
    """A citizen following a proposal's news."""

    __tablename__ = "follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class Notification(Base):
    """An in-app notice; its text is rendered in the reader's language from kind and params."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class BallotAmendment(Base):
    """A change to the projects on a call's ballot after voting opened: an admin's override,
    with a public reason shown on the results (the ballot is otherwise frozen)."""

    __tablename__ = "ballot_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    added: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
