"""Meeting use cases, by concern in the modules of this package; what they share is here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.services import slugify
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied, Refused
from ...core.time import to_rome
from ...places import domain as place
from ...places.models import Area
from .. import calendar
from ..domain import (
    ACCESSIBILITY_SERVICES,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    RegistrationMode,
)
from ..models import Meeting, Registration
from ..permissions import can_manage_meetings


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
    # The city's box (the CITY_BOUNDS setting): a venue placed outside it is refused.
    bounds: place.Bounds | None = None


def _check_staff(actor: Any) -> None:
    if not can_manage_meetings(actor):
        raise PermissionDenied()


def _check_data(session: Session, data: MeetingData) -> None:
    if data.ends_at <= data.starts_at:
        raise MeetingRefused("ends_before_start")
    if place.incomplete(data.lat, data.lon):
        raise MeetingRefused("incomplete_location")
    if place.outside(data.bounds, data.lat, data.lon):
        raise MeetingRefused("outside_city")
    area = session.get(Area, data.area_id) if data.area_id else None
    if area is not None and place.outside_boundary(area.boundary, data.lat, data.lon):
        raise MeetingRefused("outside_area")
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


# Each use case lives in the module of its concern; callers import them from here.
from .planning import (  # noqa: E402
    add_agenda_item,
    add_group,
    cancel_meeting,
    create_meeting,
    publish_meeting,
    save_meeting,
    update_meeting,
)
from .records import publish_minutes, publish_report  # noqa: E402
from .registration import cancel_registration, check_in, promote, register, reserve_for_guest  # noqa: E402
from .retention import erase_expired, send_reminders  # noqa: E402
from .speaking import add_contribution, decide_speaker, request_to_speak  # noqa: E402

__all__ = [
    "MeetingData",
    "MeetingRefused",
    "add_agenda_item",
    "add_contribution",
    "add_group",
    "cancel_meeting",
    "cancel_registration",
    "check_in",
    "create_meeting",
    "decide_speaker",
    "erase_expired",
    "ics_for",
    "promote",
    "publish_meeting",
    "publish_minutes",
    "publish_report",
    "register",
    "request_to_speak",
    "reserve_for_guest",
    "save_meeting",
    "send_reminders",
    "update_meeting",
]
