"""What stays after a meeting: the minutes (with revisions) and the closing report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit
from ...core.db import add_once
from ...proposals.models import Proposal
from ..domain import MeetingStatus, is_over
from ..models import Meeting, MeetingProposal, MinutesRevision, Registration
from . import MeetingRefused, _check_staff


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
