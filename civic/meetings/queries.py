"""Reading meetings: lists, one meeting with its parts, a person's registration, counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import User
from .domain import MeetingStatus, Places, RegistrationStatus, SpeakerStatus
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

_PARTS = (selectinload(Meeting.groups), selectinload(Meeting.agenda))


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.id == meeting_id).options(*_PARTS))


def get_meeting_by_slug(session: Session, slug: str) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.slug == slug).options(*_PARTS))


def list_meetings(
    session: Session,
    *,
    now: datetime,
    when: str = "upcoming",
    call_id: int | None = None,
    include_drafts: bool = False,
) -> Sequence[Meeting]:
    """Upcoming meetings soonest first, or past ones latest first; "all" in date order."""
    query = select(Meeting)
    if not include_drafts:
        query = query.where(Meeting.status != MeetingStatus.DRAFT.value)
    if call_id is not None:
        query = query.where(Meeting.call_id == call_id)
    if when == "upcoming":
        query = query.where(Meeting.ends_at > now).order_by(Meeting.starts_at, Meeting.id)
    elif when == "past":
        query = query.where(Meeting.ends_at <= now).order_by(Meeting.starts_at.desc(), Meeting.id)
    else:
        query = query.order_by(Meeting.starts_at, Meeting.id)
    return session.scalars(query.limit(500)).all()


def registration_of(session: Session, meeting: Meeting, user: User | None) -> Registration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.user_id == user.id
        )
    )


def places(session: Session, meeting: Meeting, group_id: int | None = None) -> Places:
    """How many confirmed places are taken, public and reserved, and in the group if any."""
    confirmed = (Registration.meeting_id == meeting.id) & (
        Registration.status == RegistrationStatus.CONFIRMED.value
    )
    taken = dict(
        session.execute(
            select(Registration.reserved, func.count())
            .where(confirmed)
            .group_by(Registration.reserved)
        ).all()
    )
    group_capacity = None
    group_taken = 0
    if group_id is not None:
        group_capacity = session.scalar(
            select(MeetingGroup.capacity).where(
                MeetingGroup.id == group_id, MeetingGroup.meeting_id == meeting.id
            )
        )
        group_taken = (
            session.scalar(select(func.count()).where(confirmed, Registration.group_id == group_id))
            or 0
        )
    return Places(
        capacity=meeting.capacity,
        reserved=meeting.reserved_places,
        public_taken=taken.get(False, 0),
        reserved_taken=taken.get(True, 0),
        group_capacity=group_capacity,
        group_taken=group_taken,
    )


def group_places(session: Session, meeting: Meeting) -> dict[int, int]:
    """Confirmed registrations per breakout group."""
    rows = session.execute(
        select(Registration.group_id, func.count())
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Registration.group_id.is_not(None),
        )
        .group_by(Registration.group_id)
    ).all()
    return {group_id: count for group_id, count in rows if group_id is not None}


def counts(session: Session, meeting: Meeting) -> dict[str, int]:
    """Registered, waiting and attended: live while the data is kept, then the stored counts."""
    if meeting.personal_data_erased_at is not None:
        return {
            "confirmed": meeting.count_registered or 0,
            "waiting": meeting.count_waiting or 0,
            "attended": meeting.count_attended or 0,
        }
    rows = dict(
        session.execute(
            select(Registration.status, func.count())
            .where(Registration.meeting_id == meeting.id)
            .group_by(Registration.status)
        ).all()
    )
    attended = session.scalar(
        select(func.count()).where(
            Registration.meeting_id == meeting.id, Registration.attended_at.is_not(None)
        )
    )
    return {
        "confirmed": rows.get(RegistrationStatus.CONFIRMED.value, 0),
        "waiting": rows.get(RegistrationStatus.WAITING.value, 0),
        "attended": attended or 0,
    }


def registrations(session: Session, meeting: Meeting) -> Sequence[tuple[Registration, User]]:
    """Everyone registered, for staff: confirmed first, then the waiting list in order."""
    return session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.meeting_id == meeting.id)
        .order_by(Registration.status, Registration.waiting_since, Registration.id)
    ).all()


def public_attendees(session: Session, meeting: Meeting) -> list[str]:
    """Names of those who attended and agreed to be listed."""
    rows = session.execute(
        select(User.full_name, Registration.organisation)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.attended_at.is_not(None),
            Registration.public_attendance.is_(True),
        )
        .order_by(User.full_name)
    ).all()
    return [f"{name} ({org})" if org else name for name, org in rows if name]


def speaker_requests(session: Session, meeting: Meeting) -> Sequence[SpeakerRequest]:
    return session.scalars(
        select(SpeakerRequest)
        .where(SpeakerRequest.meeting_id == meeting.id)
        .order_by(SpeakerRequest.agenda_item_id, SpeakerRequest.created_at, SpeakerRequest.id)
    ).all()


def running_order(session: Session, meeting: Meeting) -> dict[int, list[SpeakerRequest]]:
    """Accepted speakers per agenda item, in their scheduled order."""
    rows = session.scalars(
        select(SpeakerRequest)
        .where(
            SpeakerRequest.meeting_id == meeting.id,
            SpeakerRequest.status == SpeakerStatus.ACCEPTED.value,
        )
        .order_by(SpeakerRequest.agenda_item_id, SpeakerRequest.position, SpeakerRequest.id)
    ).all()
    order: dict[int, list[SpeakerRequest]] = {}
    for row in rows:
        order.setdefault(row.agenda_item_id, []).append(row)
    return order


def my_speaker_requests(
    session: Session, meeting: Meeting, user: User | None
) -> Sequence[SpeakerRequest]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return session.scalars(
        select(SpeakerRequest).where(
            SpeakerRequest.meeting_id == meeting.id, SpeakerRequest.user_id == user.id
        )
    ).all()


def contributions(session: Session, meeting: Meeting) -> Sequence[Contribution]:
    return session.scalars(
        select(Contribution)
        .where(Contribution.meeting_id == meeting.id)
        .order_by(Contribution.created_at, Contribution.id)
    ).all()


def minutes_revisions(session: Session, meeting: Meeting) -> Sequence[MinutesRevision]:
    """Newest first."""
    return session.scalars(
        select(MinutesRevision)
        .where(MinutesRevision.meeting_id == meeting.id)
        .order_by(MinutesRevision.number.desc())
    ).all()


def linked_proposal_ids(session: Session, meeting: Meeting) -> list[int]:
    return list(
        session.scalars(
            select(MeetingProposal.proposal_id)
            .where(MeetingProposal.meeting_id == meeting.id)
            .order_by(MeetingProposal.proposal_id)
        )
    )


def agenda_item(session: Session, meeting: Meeting, item_id: int) -> AgendaItem | None:
    return session.scalar(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
    )
