"""Staff plan a meeting: create, change, publish or cancel it, its groups and agenda."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit
from ...core.time import YEARS_AHEAD
from .. import queries
from ..domain import MeetingStatus, RegistrationStatus, is_over
from ..models import AgendaItem, Meeting, MeetingGroup, Registration
from . import (
    MeetingData,
    MeetingRefused,
    _apply,
    _check_data,
    _check_staff,
    _email,
    _lock,
    _snapshot,
    _unique_slug,
)
from .registration import promote


def create_meeting(session: Session, actor: User, data: MeetingData, *, now: datetime) -> Meeting:
    _check_staff(actor)
    _check_data(session, data)
    if data.starts_at < now:
        raise MeetingRefused("in_the_past")
    if data.starts_at > now + timedelta(days=365 * YEARS_AHEAD):
        raise MeetingRefused("too_far")
    meeting = Meeting(
        slug=_unique_slug(session, data.title, data.starts_at),
        status=MeetingStatus.DRAFT.value,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    _apply(meeting, data)
    session.add(meeting)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.create",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after=_snapshot(meeting),
    )
    return meeting


def save_meeting(
    session: Session, actor: User, meeting: Meeting | None, data: MeetingData, *, now: datetime
) -> Meeting:
    """Create the meeting (``meeting`` None) or change it; the meeting either way."""
    if meeting is None:
        return create_meeting(session, actor, data, now=now)
    update_meeting(session, actor, meeting, data, now=now)
    return meeting


def update_meeting(
    session: Session, actor: User, meeting: Meeting, data: MeetingData, *, now: datetime
) -> list[Registration]:
    """Change a meeting; people registered hear of a new time or place. Returns promotions."""
    _check_staff(actor)
    _check_data(session, data)
    _lock(session, meeting)
    before = _snapshot(meeting)
    _apply(meeting, data)
    meeting.sequence += 1
    meeting.updated_at = now
    after = _snapshot(meeting)
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.update",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        before=before,
        after=after,
    )
    moved = any(
        before[name] != after[name] for name in ("starts_at", "ends_at", "address", "online_url")
    )
    if moved and meeting.status == MeetingStatus.PUBLISHED.value:
        for registration, person in queries.registrations(session, meeting):
            if registration.status != RegistrationStatus.CANCELLED.value:
                _email(session, person, meeting, "meeting_changed", registration, with_ics=True)
    session.flush()
    return promote(session, meeting, now=now)


def publish_meeting(session: Session, actor: User, meeting: Meeting, *, now: datetime) -> None:
    _check_staff(actor)
    if meeting.status != MeetingStatus.DRAFT.value:
        raise MeetingRefused("not_draft")
    meeting.status = MeetingStatus.PUBLISHED.value
    meeting.published_at = now
    meeting.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.publish",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
    )
    session.flush()


def cancel_meeting(
    session: Session, actor: User, meeting: Meeting, reason: str, *, now: datetime
) -> None:
    """Call a meeting off; everyone registered or waiting is told, with a cancelling .ics."""
    _check_staff(actor)
    if meeting.status != MeetingStatus.PUBLISHED.value or is_over(meeting.ends_at, now):
        raise MeetingRefused("not_cancellable")
    if not reason.strip():
        raise MeetingRefused("reason_needed")
    _lock(session, meeting)
    meeting.status = MeetingStatus.CANCELLED.value
    meeting.sequence += 1
    meeting.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.cancel",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        reason=reason.strip(),
    )
    for registration, person in queries.registrations(session, meeting):
        if registration.status != RegistrationStatus.CANCELLED.value:
            _email(
                session,
                person,
                meeting,
                "meeting_cancelled",
                registration,
                with_ics=True,
                reason=reason.strip(),
            )
    session.flush()


def add_group(
    session: Session, actor: User, meeting: Meeting, title: str, capacity: int, *, now: datetime
) -> MeetingGroup:
    _check_staff(actor)
    if not title.strip() or capacity < 1:
        raise MeetingRefused("group_invalid")
    group = MeetingGroup(meeting_id=meeting.id, title=title.strip(), capacity=capacity)
    session.add(group)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.group.add",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"group": group.id, "title": group.title, "capacity": capacity},
    )
    return group


def add_agenda_item(
    session: Session,
    actor: User,
    meeting: Meeting,
    *,
    starts_at: datetime,
    minutes: int,
    title: str,
    speakers: str,
    now: datetime,
) -> AgendaItem:
    """A timed item; it must fall within the meeting."""
    _check_staff(actor)
    if not title.strip() or minutes < 1:
        raise MeetingRefused("agenda_invalid")
    if starts_at < meeting.starts_at or starts_at + timedelta(minutes=minutes) > meeting.ends_at:
        raise MeetingRefused("agenda_outside_meeting")
    item = AgendaItem(
        meeting_id=meeting.id,
        starts_at=starts_at,
        minutes=minutes,
        title=title.strip(),
        speakers=speakers.strip(),
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.agenda.add",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"item": item.id, "title": item.title, "starts_at": starts_at.isoformat()},
    )
    return item
