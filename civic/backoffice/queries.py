"""What waits for staff, counted per call in a few grouped queries: proposals to review,
applications to check, jurors late, campaigns about to end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.pagination import Page, paginate
from ..crowdfunding.models import Application as CrowdfundingApplication
from ..crowdfunding.models import Campaign
from ..crowdfunding.states import ApplicationState, CampaignState
from ..grants.models import GrantApplication, JuryAssignment
from ..grants.states import State as GrantState
from ..proposals.domain import Status as ProposalStatus
from ..proposals.models import Proposal

JURY_DAYS = timedelta(days=14)
# A campaign is "ending" for staff this many days before its deadline: time to push it.
ENDING_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Waiting:
    """Counts per call id of each kind of thing waiting for staff."""

    proposals: dict[int, int]
    grant_applications: dict[int, int]
    crowdfunding_applications: dict[int, int]
    late_jurors: dict[int, int]
    ending_campaigns: list[Campaign]


def _per_call(session: Session, statement: object) -> dict[int, int]:
    return {call_id: int(count) for call_id, count in session.execute(statement)}  # type: ignore[call-overload]


def waiting(session: Session, now: datetime) -> Waiting:
    proposals = _per_call(
        session,
        select(Proposal.call_id, func.count())
        .where(Proposal.status.in_([ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW]))
        .group_by(Proposal.call_id),
    )
    grant_applications = _per_call(
        session,
        select(GrantApplication.call_id, func.count())
        .where(GrantApplication.state.in_([GrantState.SUBMITTED, GrantState.FORMAL_CHECK]))
        .group_by(GrantApplication.call_id),
    )
    crowdfunding_applications = _per_call(
        session,
        select(CrowdfundingApplication.call_id, func.count())
        .where(CrowdfundingApplication.state == ApplicationState.SUBMITTED)
        .group_by(CrowdfundingApplication.call_id),
    )
    # A juror is late two weeks after being assigned without final scores (grant calls have
    # no jury deadline of their own).
    late_jurors = _per_call(
        session,
        select(GrantApplication.call_id, func.count(func.distinct(JuryAssignment.juror_id)))
        .join(JuryAssignment, JuryAssignment.application_id == GrantApplication.id)
        .where(
            GrantApplication.state == GrantState.UNDER_REVIEW,
            JuryAssignment.submitted_at.is_(None),
            JuryAssignment.recused_at.is_(None),
            JuryAssignment.assigned_at < now - JURY_DAYS,
        )
        .group_by(GrantApplication.call_id),
    )
    ending = list(
        session.scalars(
            select(Campaign)
            .where(
                Campaign.state == CampaignState.LIVE,
                Campaign.ends_at > now,
                Campaign.ends_at <= now + ENDING_WITHIN,
            )
            .order_by(Campaign.ends_at, Campaign.id)
        )
    )
    return Waiting(proposals, grant_applications, crowdfunding_applications, late_jurors, ending)


def campaigns(session: Session, state: str | None, page: int) -> Page[Campaign]:
    """Every campaign, the ones ending soonest first; ``state`` narrows them."""
    statement = select(Campaign).order_by(Campaign.ends_at.desc(), Campaign.id.desc())
    if state:
        statement = statement.where(Campaign.state == state)
    return paginate(session, statement, page, per_page=50)


@dataclass(frozen=True)
class ApplicationRow:
    """One application of either programme, as the staff list shows it."""

    programme: str  # "grant" or "crowdfunding"
    call_id: int
    title: str
    state: str
    sent_at: datetime | None


def applications(
    session: Session, programme: str | None, state: str | None
) -> list[ApplicationRow]:
    """Grant applications past their draft and crowdfunding applications, newest first."""
    rows: list[ApplicationRow] = []
    if programme in (None, "grant"):
        grants = select(GrantApplication).where(GrantApplication.state != GrantState.DRAFT)
        if state:
            grants = grants.where(GrantApplication.state == state)
        rows += [
            ApplicationRow("grant", a.call_id, a.title or a.group_name, a.state, a.submitted_at)
            for a in session.scalars(grants.limit(500))
        ]
    if programme in (None, "crowdfunding"):
        crowd = select(CrowdfundingApplication)
        if state:
            crowd = crowd.where(CrowdfundingApplication.state == state)
        rows += [
            ApplicationRow("crowdfunding", a.call_id, a.title, a.state, a.created_at)
            for a in session.scalars(crowd.limit(500))
        ]
    return sorted(rows, key=lambda r: (r.sent_at is None, r.sent_at), reverse=True)
