"""Meetings, their breakout groups and agenda, registrations, speakers, contributions, minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import Base
from .domain import (
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    RegistrationMode,
    RegistrationStatus,
    SpeakerStatus,
)


def _values(enum: Any) -> str:
    return ", ".join(f"'{k.value}'" for k in enum)


class Meeting(Base):
    """A presentation meeting of a call or a public hearing; times are aware UTC."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(MeetingKind)})", name="kind"),
        CheckConstraint(f"format IN ({_values(MeetingFormat)})", name="format"),
        CheckConstraint(f"status IN ({_values(MeetingStatus)})", name="status"),
        CheckConstraint(f"registration IN ({_values(RegistrationMode)})", name="registration"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 0 AND reserved_places >= 0", name="places_not_negative"),
        CheckConstraint("reserved_places <= capacity", name="reserved_within_capacity"),
        CheckConstraint("retention_days >= 0 AND contribution_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.DRAFT.value)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    online_url: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    registration: Mapped[str] = mapped_column(String(20), default=RegistrationMode.OFF.value)
    external_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    reserved_places: Mapped[int] = mapped_column(default=0)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    retention_days: Mapped[int] = mapped_column(default=180)
    contribution_days: Mapped[int] = mapped_column(default=15)
    # Bumped on every change, so calendar programs replace the event they hold.
    sequence: Mapped[int] = mapped_column(default=0)
    report: Mapped[str] = mapped_column(Text, default="")
    report_published_at: Mapped[datetime | None]
    report_organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Counts kept after the registrations' personal data is deleted.
    count_registered: Mapped[int | None]
    count_attended: Mapped[int | None]
    count_waiting: Mapped[int | None]
    personal_data_erased_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    groups: Mapped[list[MeetingGroup]] = relationship(
        lazy="raise_on_sql", order_by="MeetingGroup.id"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        lazy="raise_on_sql", order_by="(AgendaItem.starts_at, AgendaItem.id)"
    )


class MeetingGroup(Base):
    """A breakout group by theme, with its own places."""

    __tablename__ = "meeting_groups"
    __table_args__ = (CheckConstraint("capacity >= 1", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int]


class AgendaItem(Base):
    """One timed item of the agenda, with the speakers invited to it."""

    __tablename__ = "meeting_agenda_items"
    __table_args__ = (CheckConstraint("minutes >= 1", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    minutes: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    speakers: Mapped[str] = mapped_column(String(500), default="")


class Registration(Base):
    """A person's place (or place in line) at a meeting. Deleted after the retention period."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint(f"status IN ({_values(RegistrationStatus)})", name="status"),
        CheckConstraint(
            "status = 'waiting' OR waiting_since IS NULL", name="waiting_since_only_waiting"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_groups.id"))
    status: Mapped[str] = mapped_column(String(20))
    reserved: Mapped[bool] = mapped_column(default=False)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[str] = mapped_column(String(500), default="")
    answers: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_attendance: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime]
    waiting_since: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SpeakerRequest(Base):
    """A registered person asks to speak on an agenda item; staff decide and give minutes."""

    __tablename__ = "meeting_speaker_requests"
    __table_args__ = (
        UniqueConstraint("agenda_item_id", "user_id"),
        CheckConstraint(f"status IN ({_values(SpeakerStatus)})", name="status"),
        CheckConstraint(
            "status != 'accepted' OR (minutes >= 1 AND position >= 1)", name="accepted_scheduled"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_agenda_items.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    speaker_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default=SpeakerStatus.REQUESTED.value)
    minutes: Mapped[int | None]
    position: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class Contribution(Base):
    """A written contribution, before or up to N days after the meeting; public."""

    __tablename__ = "meeting_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class MinutesRevision(Base):
    """One published version of the minutes; the newest is current, the others are history."""

    __tablename__ = "meeting_minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class MeetingProposal(Base):
    """A proposal the closing report links to the meeting."""

    __tablename__ = "meeting_proposals"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
