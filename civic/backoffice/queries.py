"""What waits for staff, counted per call in a few grouped queries: proposals to review,
applications to check, jurors late, campaigns about to end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
