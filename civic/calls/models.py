"""Calls, their themes, eligible areas with budgets, phases and documents."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import Base, Cents
from .domain import CallKind, PhaseKind

_KINDS = ", ".join(f"'{k.value}'" for k in CallKind)
_PHASES = ", ".join(f"'{k.value}'" for k in PhaseKind)


class Theme(Base):
    """A theme a call may pick: the smart-city laboratories and the regional corridors are data."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    group: Mapped[str] = mapped_column(String(40))
    name_it: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_it


class Call(Base):
    """A call for proposals, crowdfunding projects, grant applications or hearings."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        CheckConstraint("total_budget_cents >= 0", name="budget_not_negative"),
        CheckConstraint("support_threshold >= 0", name="threshold_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    title_it: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_it: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    total_budget_cents: Mapped[Cents] = mapped_column(default=0)
    # Supports that move a proposal to review (0: no support step).
    support_threshold: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # A random stamp that changes with anything a ballot shows of the call (voting.snapshot).
    revision: Mapped[str] = mapped_column(
        String(16), default=lambda: secrets.token_hex(8), server_default="0"
    )

    themes: Mapped[list[Theme]] = relationship(
        secondary="call_themes", lazy="raise_on_sql", order_by="Theme.id"
    )
    areas: Mapped[list[CallArea]] = relationship(lazy="raise_on_sql", order_by="CallArea.area_id")
    phases: Mapped[list[CallPhase]] = relationship(
        lazy="raise_on_sql", order_by="CallPhase.starts_at"
    )
    documents: Mapped[list[CallDocument]] = relationship(
        lazy="raise_on_sql", order_by="CallDocument.id"
    )

    def title(self, language: str) -> str:
        return (self.title_en or self.title_it) if language == "en" else self.title_it

    def description(self, language: str) -> str:
        return (
            (self.description_en or self.description_it)
            if language == "en"
            else self.description_it
        )


class CallTheme(Base):
    __tablename__ = "call_themes"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)


class CallArea(Base):
    """A Municipio eligible for a call, with its share of the budget."""

    __tablename__ = "call_areas"
    __table_args__ = (CheckConstraint("budget_cents >= 0", name="budget_not_negative"),)

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    budget_cents: Mapped[Cents] = mapped_column(default=0)


class CallPhase(Base):
    """One phase of a call's timeline; times are aware UTC, shown in Europe/Rome."""

    __tablename__ = "call_phases"
    __table_args__ = (
        UniqueConstraint("call_id", "kind"),
        CheckConstraint(f"kind IN ({_PHASES})", name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class CallDocument(Base):
    """A PDF attached to a call, stored outside static/ and served by the app."""

    __tablename__ = "call_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime]
