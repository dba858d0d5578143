"""Meeting use cases: create and publish, register with a waiting list, check in, speakers,
contributions, minutes and the closing report, reminders and the deletion of personal data.

Places are counted under a lock on the meeting's row (PostgreSQL ``FOR UPDATE``; SQLite
serialises writers with ``BEGIN IMMEDIATE``), so a meeting is never over capacity and no one
on the waiting list is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import PermissionDenied
from ..calls.services import slugify
from ..core import audit, personal_data
from ..core.db import add_once
from ..core.mail import queue_email
from ..core.refusals import Refused
from ..core.time import ROME, to_rome
from ..proposals.models import Proposal
from . import calendar, queries
from .domain import (
    ACCESSIBILITY_SERVICES,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    RegistrationMode,
    RegistrationStatus,
    SpeakerStatus,
    contributions_open,
    is_over,
    new_code,
    normalise_code,
    retention_over,
)
from .models import (
    AgendaItem,
    Contribution,
    Meeting,
    MeetingGroup,
    MeetingProposal,
    MinutesRevision,
    Registration,
    SpeakerRequest,
)
from .permissions import can_manage_meetings, can_take_part


class MeetingRefused(Refused):
    """A meeting request the rules do not allow; ``code`` names the reason."""


@dataclass
class MeetingData:
    """What staff enter for a meeting. Times are aware UTC."""

    kind: MeetingKind
    format: MeetingFormat
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    call_id: int | None = None
    area_id: int | None = None
    venue: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    online_url: str = ""
    accessibility: list[str] = field(default_factory=list)
    registration: RegistrationMode = RegistrationMode.OFF
    external_url: str = ""
    capacity: int = 0
    reserved_places: int = 0
    questions: list[str] = field(default_factory=list)
    retention_days: int = 180
    contribution_days: int = 15


def _check_staff(actor: Any) -> None:
    if not can_manage_meetings(actor):
        raise PermissionDenied()


def _check_data(data: MeetingData) -> None:
    if data.ends_at <= data.starts_at:
        raise MeetingRefused("ends_before_start")
    if data.format != MeetingFormat.ONLINE and not data.address.strip():
        raise MeetingRefused("address_needed")
    if data.format != MeetingFormat.IN_PERSON and not data.online_url.strip():
        raise MeetingRefused("link_needed")
    if data.registration == RegistrationMode.EXTERNAL and not data.external_url.strip():
        raise MeetingRefused("external_link_needed")
    if data.registration == RegistrationMode.PLATFORM and data.capacity < 1:
        raise MeetingRefused("capacity_needed")
    if data.reserved_places > data.capacity or data.reserved_places < 0:
        raise MeetingRefused("reserved_over_capacity")
    if any(service not in ACCESSIBILITY_SERVICES for service in data.accessibility):
        raise MeetingRefused("unknown_service")


def _unique_slug(session: Session, title: str, starts_at: datetime) -> str:
    base = f"{slugify(title)[:80]}-{to_rome(starts_at):%Y-%m-%d}"
    slug, n = base, 1
    while session.scalar(select(Meeting.id).where(Meeting.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


_FIELDS = (
    "kind",
    "format",
    "title",
    "description",
    "call_id",
    "area_id",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "lat",
    "lon",
    "online_url",
    "accessibility",
    "registration",
    "external_url",
    "capacity",
    "reserved_places",
    "questions",
    "retention_days",
    "contribution_days",
)


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    values = {name: getattr(meeting, name) for name in _FIELDS}
    for name in ("starts_at", "ends_at"):
        values[name] = values[name].isoformat()
    return values


def _apply(meeting: Meeting, data: MeetingData) -> None:
    for name in _FIELDS:
        value = getattr(data, name)
        if hasattr(value, "value"):
            value = value.value
        if isinstance(value, str):
            value = value.strip()
        setattr(meeting, name, value)
    meeting.accessibility = list(data.accessibility)
    meeting.questions = [q.strip() for q in data.questions if q.strip()]


def create_meeting(session: Session, actor: User, data: MeetingData, *, now: datetime) -> Meeting:
    _check_staff(actor)
    _check_data(data)
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


def update_meeting(
    session: Session, actor: User, meeting: Meeting, data: MeetingData, *, now: datetime
) -> list[Registration]:
    """Change a meeting; people registered hear of a new time or place. Returns promotions."""
    _check_staff(actor)
    _check_data(data)
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


# Registration ---------------------------------------------------------------------------------


def _lock(session: Session, meeting: Meeting) -> None:
    """Serialise changes to one meeting's places."""
    session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def _check_registration_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status != MeetingStatus.PUBLISHED.value:
        raise MeetingRefused("not_open")
    if meeting.registration != RegistrationMode.PLATFORM.value:
        raise MeetingRefused("no_registration_here")
    if now >= meeting.starts_at:
        raise MeetingRefused("started")


def _meeting_url(meeting: Meeting) -> str:
    return url_for("meetings.show_meeting", slug=meeting.slug, _external=True)


def ics_for(meeting: Meeting, now: datetime) -> bytes:
    """The meeting's .ics file, with the address of its page."""
    url = _meeting_url(meeting)
    host = url.split("/")[2] if "//" in url else "civic"
    return calendar.meeting_ics(meeting, url, host, now)


def _email(
    session: Session,
    person: User,
    meeting: Meeting,
    template: str,
    registration: Registration | None = None,
    *,
    with_ics: bool = False,
    **context: Any,
) -> None:
    if not person.email:
        return  # an erased account
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    if with_ics:
        stamp = meeting.updated_at
        attachments = (("incontro.ics", "text/calendar", ics_for(meeting, stamp)),)
    queue_email(
        session,
        person.email,
        template,
        person.language,
        attachments,
        user=person,
        meeting=meeting,
        registration=registration,
        meeting_url=_meeting_url(meeting),
        **context,
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


# Speakers, contributions, minutes, report ------------------------------------------------------


def request_to_speak(
    session: Session, person: User, meeting: Meeting, item_id: int, summary: str, *, now: datetime
) -> SpeakerRequest:
    """A person with a confirmed place asks to speak on an agenda item."""
    if meeting.status != MeetingStatus.PUBLISHED.value or now >= meeting.ends_at:
        raise MeetingRefused("not_open")
    registration = queries.registration_of(session, meeting, person)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED.value:
        raise MeetingRefused("register_first")
    item = queries.agenda_item(session, meeting, item_id)
    if item is None:
        raise MeetingRefused("unknown_item")
    summary = summary.strip()
    if not summary or len(summary) > 1000:
        raise MeetingRefused("summary_length")
    request = SpeakerRequest(
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        user_id=person.id,
        speaker_name=person.display_name,
        summary=summary,
        status=SpeakerStatus.REQUESTED.value,
        created_at=now,
    )
    if not add_once(session, request):
        raise MeetingRefused("already_requested")
    return request


def decide_speaker(
    session: Session,
    actor: User,
    meeting: Meeting,
    request_id: int,
    *,
    accept: bool,
    minutes: int | None,
    position: int | None,
    now: datetime,
) -> SpeakerRequest:
    """Accept with allotted minutes and a place in the running order, or reject."""
    _check_staff(actor)
    request = session.scalar(
        select(SpeakerRequest).where(
            SpeakerRequest.id == request_id, SpeakerRequest.meeting_id == meeting.id
        )
    )
    if request is None:
        raise MeetingRefused("unknown_request")
    if accept:
        if not minutes or minutes < 1 or minutes > 120:
            raise MeetingRefused("minutes_needed")
        if position is None:
            position = 1 + (
                session.scalar(
                    select(func.max(SpeakerRequest.position)).where(
                        SpeakerRequest.agenda_item_id == request.agenda_item_id,
                        SpeakerRequest.status == SpeakerStatus.ACCEPTED.value,
                    )
                )
                or 0
            )
        if position < 1:
            raise MeetingRefused("position_invalid")
        request.status = SpeakerStatus.ACCEPTED.value
        request.minutes, request.position = minutes, position
    else:
        request.status = SpeakerStatus.REJECTED.value
        request.minutes = request.position = None
    request.decided_by_id, request.decided_at = actor.id, now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.speaker.decide",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"request": request.id, "status": request.status, "minutes": request.minutes},
    )
    person = session.get(User, request.user_id)
    if person is not None:
        _email(session, person, meeting, "meeting_speaker_decision", speaker=request)
    return request


def add_contribution(
    session: Session,
    person: User,
    meeting: Meeting,
    body: str,
    *,
    organisation: str = "",
    now: datetime,
) -> Contribution:
    """A written contribution, from publication until N days after the meeting."""
    if not can_take_part(person):
        raise PermissionDenied()
    published = meeting.status == MeetingStatus.PUBLISHED.value
    if not contributions_open(
        published=published, ends_at=meeting.ends_at, days_after=meeting.contribution_days, now=now
    ):
        raise MeetingRefused("contributions_closed")
    body = body.strip()
    if not body or len(body) > 5000:
        raise MeetingRefused("body_length")
    contribution = Contribution(
        meeting_id=meeting.id,
        user_id=person.id,
        author_name=person.display_name,
        organisation=organisation.strip()[:200],
        body=body,
        created_at=now,
    )
    session.add(contribution)
    session.flush()
    return contribution


def publish_minutes(
    session: Session, actor: User, meeting: Meeting, body: str, note: str, *, now: datetime
) -> MinutesRevision:
    """Publish the minutes, or a new revision of them; earlier revisions stay readable."""
    _check_staff(actor)
    if meeting.status != MeetingStatus.PUBLISHED.value or now < meeting.starts_at:
        raise MeetingRefused("minutes_too_early")
    if not body.strip():
        raise MeetingRefused("body_length")
    number = 1 + (
        session.scalar(
            select(func.max(MinutesRevision.number)).where(MinutesRevision.meeting_id == meeting.id)
        )
        or 0
    )
    revision = MinutesRevision(
        meeting_id=meeting.id,
        number=number,
        body=body.strip(),
        note=note.strip()[:300],
        author_id=actor.id,
        created_at=now,
    )
    if not add_once(session, revision):
        raise MeetingRefused("edited_meanwhile")
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.minutes",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"revision": number},
    )
    return revision


def publish_report(
    session: Session,
    actor: User,
    meeting: Meeting,
    body: str,
    proposal_ids: list[int],
    *,
    now: datetime,
) -> None:
    """The closing report: text, the organisations present and the proposals linked."""
    _check_staff(actor)
    if meeting.status != MeetingStatus.PUBLISHED.value or not is_over(meeting.ends_at, now):
        raise MeetingRefused("report_too_early")
    known = set(session.scalars(select(Proposal.id).where(Proposal.id.in_(proposal_ids))))
    if known != set(proposal_ids):
        raise MeetingRefused("unknown_proposal")
    meeting.report = body.strip()
    meeting.report_published_at = now
    meeting.updated_at = now
    if meeting.personal_data_erased_at is None:
        meeting.report_organisations = sorted(
            {
                org.strip()
                for org in session.scalars(
                    select(Registration.organisation).where(
                        Registration.meeting_id == meeting.id,
                        Registration.attended_at.is_not(None),
                    )
                )
                if org.strip()
            }
        )
    session.execute(delete(MeetingProposal).where(MeetingProposal.meeting_id == meeting.id))
    for proposal_id in sorted(known):
        session.add(MeetingProposal(meeting_id=meeting.id, proposal_id=proposal_id))
    audit.record(
        session,
        actor_id=actor.id,
        action="meeting.report",
        target_type="meeting",
        target_id=meeting.id,
        now=now,
        after={"proposals": sorted(known)},
    )
    session.flush()


# Jobs -----------------------------------------------------------------------------------------


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


# Personal data --------------------------------------------------------------------------------


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


personal_data.register("meetings", _export, _erase)
