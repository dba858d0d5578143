"""Asking to speak and the organisers' decision; written contributions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit
from ...core.db import add_once
from ...core.refusals import PermissionDenied
from .. import queries
from ..domain import MeetingStatus, RegistrationStatus, SpeakerStatus, contributions_open
from ..models import Contribution, Meeting, SpeakerRequest
from ..permissions import can_take_part
from . import MeetingRefused, _check_staff, _email


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
