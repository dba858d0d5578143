"""iCalendar files: one per meeting (also attached to e-mails) and subscribable feeds.

Times are written in Europe/Rome with the VTIMEZONE they need, so a calendar program shows the
right hour on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event

from ..core.time import to_rome
from .domain import MeetingFormat, MeetingStatus
from .models import Meeting

PRODUCT = "-//civic//meetings//IT"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(meeting: Meeting, url: str, host: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", to_rome(meeting.starts_at))
    event.add("dtend", to_rome(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("url", url)
    where = ", ".join(part for part in (meeting.venue, meeting.address) if part)
    if meeting.format == MeetingFormat.ONLINE.value:
        where = meeting.online_url
    if where:
        event.add("location", where)
    description = meeting.description.strip()
    if meeting.online_url and meeting.format != MeetingFormat.IN_PERSON.value:
        description = f"{description}\n\n{meeting.online_url}".strip()
    event.add("description", f"{description}\n\n{url}".strip())
    if meeting.lat is not None and meeting.lon is not None:
        event.add("geo", (meeting.lat, meeting.lon))
    cancelled = meeting.status == MeetingStatus.CANCELLED.value
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def meeting_ics(meeting: Meeting, url: str, host: str, stamp: datetime) -> bytes:
    """One meeting as an .ics file."""
    calendar = _calendar(meeting.title)
    if meeting.status == MeetingStatus.CANCELLED.value:
        calendar.add("method", "CANCEL")
    else:
        calendar.add("method", "PUBLISH")
    calendar.add_component(_event(meeting, url, host, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def feed_ics(
    name: str, meetings: Iterable[tuple[Meeting, str]], host: str, stamp: datetime
) -> bytes:
    """A subscribable feed of meetings, each with its page's address."""
    calendar = _calendar(name)
    calendar.add("method", "PUBLISH")
    for meeting, url in meetings:
        calendar.add_component(_event(meeting, url, host, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
