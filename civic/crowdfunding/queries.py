"""Reading crowdfunding: campaigns with their totals, applications, pledges, backers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from . import ledger
from .models import Application, Campaign, CampaignUpdate, Pledge, RewardTier
from .states import CampaignState, PledgeState


def campaign_by_slug(session: Session, slug: str) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.slug == slug))


def public_campaigns(session: Session) -> list[tuple[Campaign, ledger.Totals]]:
    """Every campaign past the draft stage, open ones first, with totals from one query."""
    campaigns = list(
        session.scalars(
            select(Campaign)
            .where(Campaign.state != CampaignState.DRAFT.value)
            .order_by(Campaign.ends_at.desc(), Campaign.id)
            .limit(200)
        )
    )
    found = ledger.balances(session, [c.id for c in campaigns])
    rows = [(c, ledger.totals_of(found[c.id])) for c in campaigns]
    rows.sort(key=lambda row: row[0].state != CampaignState.LIVE.value)
    return rows


def tiers(session: Session, campaign_id: int) -> Sequence[RewardTier]:
    return session.scalars(
        select(RewardTier)
        .where(RewardTier.campaign_id == campaign_id)
        .order_by(RewardTier.min_amount_cents, RewardTier.id)
    ).all()


def updates(session: Session, campaign_id: int) -> Sequence[CampaignUpdate]:
    return session.scalars(
        select(CampaignUpdate)
        .where(CampaignUpdate.campaign_id == campaign_id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc())
    ).all()


def public_backers(session: Session, campaign_id: int) -> list[tuple[str, int]]:
    """Names (or "anonymous" as None) with amounts, for pledges that count."""
    rows = session.execute(
        select(Pledge.anonymous, Pledge.public_name, Pledge.amount_cents)
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.state.in_(
                [
                    PledgeState.ACTIVE.value,
                    PledgeState.CHARGED.value,
                    PledgeState.ACTION_NEEDED.value,
                ]
            ),
        )
        .order_by(Pledge.created_at.desc(), Pledge.id.desc())
        .limit(500)
    ).all()
    return [("" if anonymous else name, amount) for anonymous, name, amount in rows]


def pledge_by_reference(session: Session, reference: str) -> Pledge | None:
    return session.scalar(select(Pledge).where(Pledge.reference == reference))


def my_pledges(session: Session, campaign_id: int, user: User | None) -> Sequence[Pledge]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return session.scalars(
        select(Pledge)
        .where(Pledge.campaign_id == campaign_id, Pledge.backer_id == user.id)
        .order_by(Pledge.id.desc())
    ).all()


def applications(session: Session, call_id: int) -> Sequence[Application]:
    """The ranking: scored first, best first, then unscored in order of arrival."""
    return session.scalars(
        select(Application)
        .where(Application.call_id == call_id)
        .order_by(Application.score.is_(None), Application.score.desc(), Application.id)
    ).all()


def campaign_pledges(session: Session, campaign_id: int) -> Sequence[tuple[Pledge, User | None]]:
    return session.execute(
        select(Pledge, User)
        .outerjoin(User, User.id == Pledge.backer_id)
        .where(Pledge.campaign_id == campaign_id)
        .order_by(Pledge.id)
    ).all()


def campaigns_of_call(session: Session, call_id: int) -> Sequence[Campaign]:
    return session.scalars(
        select(Campaign).where(Campaign.call_id == call_id).order_by(Campaign.id)
    ).all()
