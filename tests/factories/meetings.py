"""Meetings made for tests through the same services the app uses."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.time import rome_to_utc, to_rome, utcnow
from civic.meetings import services
from civic.meetings.domain import MeetingFormat, MeetingKind, RegistrationMode
from civic.meetings.models import Meeting
from tests.factories.accounts import make_user


def meeting_data(**overrides: Any) -> services.MeetingData:
    # Ten days on at 10:00 in Rome: a meeting made at 23:50 must not run past midnight, which
    # the meeting form cannot produce and the agenda's times (of the meeting's day) refuse.
    starts = overrides.pop("starts_at", None) or rome_to_utc(
        datetime.combine(to_rome(utcnow()).date() + timedelta(days=10), time(10, 0))
    )
    data = services.MeetingData(
        kind=MeetingKind.PRESENTATION,
        format=MeetingFormat.IN_PERSON,
        title="Presentazione del bilancio partecipativo",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        description="Ci vediamo in **biblioteca**.",
        venue="Biblioteca Sormani",
        address="Corso di Porta Vittoria 6, Milano",
        registration=RegistrationMode.PLATFORM,
        capacity=3,
        reserved_places=0,
    )
    return replace(data, **overrides)


def make_staff(db: Session) -> User:
    return make_user(db, roles=(Role.STAFF,), full_name="Staff Comune")


def make_meeting(
    db: Session,
    staff: User | None = None,
    *,
    publish: bool = True,
    groups: tuple[tuple[str, int], ...] = (),
    agenda: bool = False,
    now: datetime | None = None,
    **overrides: Any,
) -> Meeting:
    """A meeting created by staff, published unless asked, with groups and agenda if asked."""
    staff = staff or make_staff(db)
    now = now or utcnow()
    meeting = services.create_meeting(db, staff, meeting_data(**overrides), now=now)
    for title, capacity in groups:
        services.add_group(db, staff, meeting, title, capacity, now=now)
    if agenda:
        services.add_agenda_item(
            db,
            staff,
            meeting,
            starts_at=meeting.starts_at,
            minutes=30,
            title="Saluti e presentazione",
            speakers="Assessora alla partecipazione",
            now=now,
        )
    if publish:
        services.publish_meeting(db, staff, meeting, now=now)
    db.commit()
    return db.scalar(
        select(Meeting)
        .where(Meeting.id == meeting.id)
        .options(selectinload(Meeting.groups), selectinload(Meeting.agenda))
        .execution_options(populate_existing=True)
    )


def register(db: Session, meeting: Meeting, person: User | None = None, **kwargs: Any) -> Any:
    person = person or make_user(db)
    kwargs.setdefault("consent", True)
    kwargs.setdefault("now", utcnow())
    registration = services.register(db, person, meeting, **kwargs)
    db.commit()
    return registration
