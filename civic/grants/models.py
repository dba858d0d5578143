"""Grant calls' rules, applications with their group and files, the jury, the rankings, and
what follows an award."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, Cents
from .states import values


class GrantSettings(Base):
    """What a grant call sets; frozen once the first application is submitted."""

    __tablename__ = "grant_settings"
    __table_args__ = (
        CheckConstraint("max_grant_cents > 0", name="max_grant_positive"),
        CheckConstraint("jurors_per_application >= 1", name="jurors_positive"),
        CheckConstraint("mode IN ('single', 'rolling')", name="mode"),
        CheckConstraint("ranking_basis IN ('raw', 'normalised')", name="basis"),
        CheckConstraint(
            "overall_threshold_half BETWEEN 0 AND 10 AND disagreement_half BETWEEN 0 AND 10",
            name="half_points",
        ),
    )

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    max_grant_cents: Mapped[Cents]
    mode: Mapped[str] = mapped_column(String(10), default="single")
    cutoffs: Mapped[list[str]] = mapped_column(JSON, default=list)  # rolling: session dates
    # [{"code", "label", "weight", "threshold_half"}]; scores are half points 0-10 (0-5).
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    overall_threshold_half: Mapped[int] = mapped_column(default=0)
    jurors_per_application: Mapped[int] = mapped_column(default=2)
    tie_break: Mapped[str] = mapped_column(String(40), default="earlier")
    disagreement_half: Mapped[int] = mapped_column(default=4)
    blind: Mapped[bool] = mapped_column(default=False)
    ranking_basis: Mapped[str] = mapped_column(String(12), default="raw")
    allow_organisations: Mapped[bool] = mapped_column(default=False)
    protocol_prefix: Mapped[str] = mapped_column(String(10), default="SDQ")


class ProtocolCounter(Base):
    """The last protocol number given for a prefix in a year, across calls: every edition of a
    programme shares its prefix, and a number names one application in the whole city."""

    __tablename__ = "protocol_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int]


class GrantApplication(Base):
    __tablename__ = "grant_applications"
    __table_args__ = (
        CheckConstraint(f"state IN ({values()})", name="state"),
        CheckConstraint("applicant_kind IN ('group', 'organisation')", name="kind"),
        CheckConstraint("total_cents >= 0 AND cofunding_cents >= 0", name="money"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    applicant_kind: Mapped[str] = mapped_column(String(20), default="group")
    group_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str] = mapped_column(String(60), default="")
    tax_code: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cofunding_cents: Mapped[Cents] = mapped_column(default=0)
    total_cents: Mapped[Cents] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(30), default="draft")
    protocol_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    submitted_at: Mapped[datetime | None]
    integration_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    integration_deadline: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    consensus_report: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GrantMember(Base):
    """A resident the lead invited into the group; confirmed by following the e-mailed link."""

    __tablename__ = "grant_members"
    __table_args__ = (UniqueConstraint("application_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class GrantFile(Base):
    """An attachment (PDF), stored outside static/ and served through permission checks."""

    __tablename__ = "grant_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="attachment")  # or "report"
    title: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]


class JuryAssignment(Base):
    """A juror on an application: they declare no conflict before seeing it, or are recused."""

    __tablename__ = "grant_jury_assignments"
    __table_args__ = (UniqueConstraint("application_id", "juror_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime]
    declared_at: Mapped[datetime | None]  # "no conflict of interest"
    recused_at: Mapped[datetime | None]
    conflict_reason: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime | None]  # scores final


class JuryScore(Base):
    """A juror's score on one criterion, in half points (None: not applicable), with comment."""

    __tablename__ = "grant_jury_scores"
    __table_args__ = (
        CheckConstraint("half_points IS NULL OR half_points BETWEEN 0 AND 10", name="half_points"),
    )

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("grant_jury_assignments.id", ondelete="CASCADE"), primary_key=True
    )
    criterion: Mapped[str] = mapped_column(String(40), primary_key=True)
    half_points: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text)


class GrantRanking(Base):
    """A published ranking, provisional or final: what was published, kept as published."""

    __tablename__ = "grant_rankings"
    __table_args__ = (CheckConstraint("kind IN ('provisional', 'final')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    session_on: Mapped[date | None]  # rolling calls: the cut-off of the session ranked
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    agreement: Mapped[float | None]  # Krippendorff's alpha at publication
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]


class GrantInstalment(Base):
    """A payment of an awarded grant."""

    __tablename__ = "grant_instalments"
    __table_args__ = (
        UniqueConstraint("application_id", "number"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    amount_cents: Mapped[Cents]
    due_on: Mapped[date]
    paid_at: Mapped[datetime | None]
