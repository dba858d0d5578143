"""Funded projects under execution, their milestones, public updates with photos, followers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import Base, Cents
from .domain import Source, Status


def _values(enum: type[Source] | type[Status]) -> str:
    return ", ".join(f"'{k.value}'" for k in enum)


class TrackedProject(Base):
    """A funded project whose execution the public follows. One per funding decision."""

    __tablename__ = "tracked_projects"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        CheckConstraint(f"source IN ({_values(Source)})", name="source"),
        CheckConstraint(f"status IN ({_values(Status)})", name="status"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        CheckConstraint(
            "committed_cents >= 0 AND spent_cents >= 0 AND funded_cents >= 0",
            name="amounts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]  # the proposal, campaign or grant application
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    title: Mapped[str] = mapped_column(String(200))
    funded_cents: Mapped[Cents]  # what the decision allocated
    status: Mapped[str] = mapped_column(String(20), default=Status.PLANNED.value)
    percent: Mapped[int] = mapped_column(default=0)
    committed_cents: Mapped[Cents] = mapped_column(default=0)
    spent_cents: Mapped[Cents] = mapped_column(default=0)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    funded_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    milestones: Mapped[list[Milestone]] = relationship(
        lazy="raise_on_sql", order_by=lambda: [Milestone.due_on, Milestone.id]
    )


class Milestone(Base):
    __tablename__ = "tracked_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    done_on: Mapped[date | None]


class ProjectUpdate(Base):
    """A public update: what staff wrote and, when it came with one, the change of progress."""

    __tablename__ = "tracked_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_projects.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    # {"field": [before, after]} for the progress figures this update changed
    changes: Mapped[dict[str, list[Any]]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    photos: Mapped[list[UpdatePhoto]] = relationship(lazy="raise_on_sql", order_by="UpdatePhoto.id")


class UpdatePhoto(Base):
    __tablename__ = "tracked_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_updates.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    mimetype: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    alt: Mapped[str] = mapped_column(String(300))  # a description, for people who cannot see it


class ProjectFollower(Base):
    __tablename__ = "tracked_followers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]


class FollowerNotice(Base):
    """News of a project that not every follower has been told yet: a request tells the first
    followers itself and leaves the rest to a job, which resumes after ``told_up_to``."""

    __tablename__ = "tracked_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_projects.id", ondelete="CASCADE"), index=True
    )
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracked_updates.id", ondelete="CASCADE")
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracked_milestones.id", ondelete="CASCADE")
    )
    photos: Mapped[int] = mapped_column(default=0)
    told_up_to: Mapped[int]  # the id of the last follower told; the next batch starts after it
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None] = mapped_column(index=True)
