"""People register (or staff keep a place for a guest); the waiting list; the door."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.domain import normalise_email
from ...accounts.models import User
from ...core import audit
from ...core.db import add_once
from ...core.refusals import PermissionDenied
from .. import queries
from ..domain import MeetingStatus, RegistrationStatus, new_code, normalise_code
from ..models import Meeting, MeetingGroup, Registration
from ..permissions import can_take_part
from . import MeetingRefused, _check_registration_open, _check_staff, _email, _lock


def reserve_for_guest(
    session: Session,
    actor: User,
    meeting: Meeting,
    email: str,
    *,
    organisation: str,
    now: datetime,
) -> Registration:
    """Staff keep a reserved place for a guest who has an account."""
    _check_staff(actor)
    guest = session.scalar(select(User).where(User.email == normalise_email(email)))
    if guest is None:
        raise MeetingRefused("guest_unknown", field="email")
    return register(
        session,
        guest,
        meeting,
        now=now,
        consent=True,
        organisation=organisation,
        reserved_by=actor,
        group_id=meeting.groups[0].id if meeting.groups else None,
    )


def register(
    session: Session,
    person: User,
    meeting: Meeting,
    *,
    now: datetime,
    consent: bool,
    group_id: int | None = None,
    organisation: str = "",
    needs: str = "",
    answers: list[str] | None = None,
    public_attendance: bool = False,
    reserved_by: User | None = None,
) -> Registration:
    """Take a place, or a place in line when the meeting (or the chosen group) is full.

    ``reserved_by``: staff registering a guest in one of the reserved places.
    """
    if reserved_by is not None:
        _check_staff(reserved_by)
    elif not can_take_part(person):
        raise PermissionDenied()
    _check_registration_open(meeting, now)
    if not consent:
        raise MeetingRefused("consent_needed")
    groups = set(
        session.scalars(select(MeetingGroup.id).where(MeetingGroup.meeting_id == meeting.id))
    )
    if groups and group_id not in groups:
        raise MeetingRefused("group_needed")
    if not groups:
        group_id = None
    answers = [a.strip()[:500] for a in (answers or [])][: len(meeting.questions)]
    _lock(session, meeting)
    existing = queries.registration_of(session, meeting, person)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED.value:
        raise MeetingRefused("already_registered")
    reserved = reserved_by is not None
    place = queries.places(session, meeting, group_id).has_place(reserved=reserved)
    if reserved and not place:
        raise MeetingRefused("no_reserved_place")
    status = RegistrationStatus.CONFIRMED if place else RegistrationStatus.WAITING
    values: dict[str, Any] = {
        "group_id": group_id,
        "status": status.value,
        "reserved": reserved,
        "organisation": organisation.strip()[:200],
        "needs": needs.strip()[:500],
        "answers": answers,
        "public_attendance": public_attendance,
        "consent_at": now,
        "waiting_since": now if status is RegistrationStatus.WAITING else None,
        "attended_at": None,
        "reminded_at": None,
        "updated_at": now,
    }
    if existing is None:
        registration = Registration(
            meeting_id=meeting.id, user_id=person.id, code=new_code(), created_at=now, **values
        )
        while not add_once(session, registration):  # a code already in use: draw another
            if queries.registration_of(session, meeting, person) is not None:
                raise MeetingRefused("already_registered")
            registration.code = new_code()
    else:
        registration = existing
        for name, value in values.items():
            setattr(registration, name, value)
    session.flush()
    audit.record(
        session,
        actor_id=(reserved_by or person).id,
        action="meeting.register",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"registration": registration.id, "status": status.value, "reserved": reserved},
    )
    _email(
        session,
        person,
        meeting,
        "meeting_registered",
        registration,
        with_ics=status is RegistrationStatus.CONFIRMED,
    )
    return registration


def cancel_registration(
    session: Session, person: User, meeting: Meeting, *, now: datetime
) -> list[Registration]:
    """Give up a place (or leave the waiting list); the first in line who fits is promoted."""
    _lock(session, meeting)
    registration = queries.registration_of(session, meeting, person)
    if registration is None or registration.status == RegistrationStatus.CANCELLED.value:
        raise MeetingRefused("not_registered")
    if now >= meeting.starts_at:
        raise MeetingRefused("started")
    registration.status = RegistrationStatus.CANCELLED.value
    registration.waiting_since = None
    registration.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="meeting.unregister",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"registration": registration.id},
    )
    _email(session, person, meeting, "meeting_unregistered", registration)
    return promote(session, meeting, now=now)


def promote(session: Session, meeting: Meeting, *, now: datetime) -> list[Registration]:
    """Confirm people from the waiting list, in the order they joined, while places are free.

    Someone waiting for a full breakout group is passed over (keeping their turn) for someone
    whose group has room. Call with the meeting locked.
    """
    if meeting.status != MeetingStatus.PUBLISHED.value or now >= meeting.starts_at:
        return []
    waiting = session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.WAITING.value,
        )
        .order_by(Registration.waiting_since, Registration.id)
    ).all()
    promoted: list[Registration] = []
    for registration in waiting:
        free = queries.places(session, meeting, registration.group_id)
        if free.public_left == 0:
            break
        if not free.has_place():
            continue
        registration.status = RegistrationStatus.CONFIRMED.value
        registration.waiting_since = None
        registration.updated_at = now
        session.flush()
        promoted.append(registration)
        person = session.get(User, registration.user_id)
        if person is not None:
            _email(session, person, meeting, "meeting_promoted", registration, with_ics=True)
        audit.record(
            session,
            actor_id=None,
            action="meeting.promote",
            target_type="meeting",
            target_id=meeting.id,
            now=now,
            after={"registration": registration.id},
        )
    return promoted


def check_in(
    session: Session, actor: User, meeting: Meeting, code: str, *, now: datetime
) -> tuple[Registration, User]:
    """Staff at the door mark a confirmed registration as present, by its code."""
    _check_staff(actor)
    wanted = normalise_code(code)
    row = session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.meeting_id == meeting.id, Registration.code == wanted)
    ).first()
    if not wanted or row is None:
        raise MeetingRefused("unknown_code")
    registration, person = row
    if registration.status == RegistrationStatus.WAITING.value:
        raise MeetingRefused("on_waiting_list")
    if registration.status == RegistrationStatus.CANCELLED.value:
        raise MeetingRefused("registration_cancelled")
    if registration.attended_at is not None:
        raise MeetingRefused("already_checked_in")
    registration.attended_at = now
    registration.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.check_in",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"registration": registration.id},
    )
    session.flush()
    return registration, person
