"""Reminders before a meeting, and erasing personal data once it is no longer needed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit, personal_data
from ...core.time import ROME, to_rome
from .. import queries
from ..domain import MeetingStatus, RegistrationStatus, retention_over
from ..models import Meeting, Registration
from . import _email, _lock
from .registration import promote


def send_reminders(session: Session, *, now: datetime) -> int:
    """E-mail everyone with a place at a meeting held tomorrow (Rome dates), once."""
    tomorrow = to_rome(now).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), ROME)
    end = start + timedelta(days=1)
    rows = session.execute(
        select(Registration, Meeting, User)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .join(User, User.id == Registration.user_id)
        .where(
            Meeting.status == MeetingStatus.PUBLISHED.value,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Registration.reminded_at.is_(None),
        )
        .order_by(Registration.id)
    ).all()
    for registration, meeting, person in rows:
        registration.reminded_at = now
        _email(session, person, meeting, "meeting_reminder", registration, with_ics=True)
    session.flush()
    return len(rows)


def erase_expired(session: Session, *, now: datetime) -> int:
    """Delete registrations past each meeting's retention period, keeping anonymous counts."""
    meetings = session.scalars(
        select(Meeting).where(Meeting.personal_data_erased_at.is_(None), Meeting.ends_at <= now)
    ).all()
    erased = 0
    for meeting in meetings:
        if not retention_over(
            ends_at=meeting.ends_at, retention_days=meeting.retention_days, now=now
        ):
            continue
        counted = queries.counts(session, meeting)
        if not meeting.report_published_at:
            meeting.report_organisations = []
        meeting.count_registered = counted["confirmed"]
        meeting.count_waiting = counted["waiting"]
        meeting.count_attended = counted["attended"]
        meeting.personal_data_erased_at = now
        session.execute(delete(Registration).where(Registration.meeting_id == meeting.id))
        audit.record(
            session,
            actor_id=None,
            action="meeting.erase_registrations",
            target_type="meeting",
            target_id=meeting.id,
            now=now,
            after=counted,
        )
        erased += 1
    session.flush()
    return erased


def _export(session: Session, user: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Registration, Meeting.title)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(Registration.user_id == user.id)
        .order_by(Registration.id)
    ).all()
    return [
        {
            "meeting": title,
            "status": registration.status,
            "organisation": registration.organisation,
            "needs": registration.needs,
            "answers": registration.answers,
            "public_attendance": registration.public_attendance,
            "registered_at": registration.created_at.isoformat(),
            "attended_at": registration.attended_at.isoformat()
            if registration.attended_at
            else None,
        }
        for registration, title in rows
    ]


def _erase(session: Session, user: Any, now: datetime) -> None:
    """An erased account leaves no registrations; places it held go to the waiting list."""
    held = session.scalars(
        select(Registration.meeting_id).where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    ).all()
    session.execute(delete(Registration).where(Registration.user_id == user.id))
    session.flush()
    for meeting_id in held:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None:
            _lock(session, meeting)
            promote(session, meeting, now=now)


def _activity(session: Session, user: Any) -> list[personal_data.Activity]:
    return [
        personal_data.Activity(
            "meeting",
            meeting.title,
            registered_at,
            "meetings.show_meeting",
            (("slug", meeting.slug),),
        )
        for registered_at, meeting in session.execute(
            select(Registration.created_at, Meeting)
            .join(Meeting, Meeting.id == Registration.meeting_id)
            .where(Registration.user_id == user.id)
        )
    ]


personal_data.register("meetings", _export, _erase, _activity)
