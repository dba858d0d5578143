"""A person's share of crowdfunding: their pledges and the applications they led, for the data
export and the activity page. On erasure a pledge forgets the name it showed on the campaign
page (it kept its own copy) and counts as anonymous; the amounts stay, for the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import personal_data
from ..core.personal_data import Activity, iso
from .models import Application, Campaign, Pledge


def _export(session: Session, user: Any) -> dict[str, Any]:
    pledges = session.execute(
        select(Pledge, Campaign.title)
        .join(Campaign, Campaign.id == Pledge.campaign_id)
        .where(Pledge.backer_id == user.id)
        .order_by(Pledge.id)
    )
    applications = session.scalars(
        select(Application).where(Application.lead_user_id == user.id).order_by(Application.id)
    )
    return {
        "pledges": [
            {
                "reference": p.reference,
                "campaign_id": p.campaign_id,
                "campaign": title,
                "amount_cents": p.amount_cents,
                "reward_tier_id": p.reward_tier_id,
                "anonymous": p.anonymous,
                "public_name": p.public_name,
                "state": p.state,
                "created_at": iso(p.created_at),
                "charged_at": iso(p.charged_at),
            }
            for p, title in pledges
        ],
        "applications": [
            {
                "id": a.id,
                "call_id": a.call_id,
                "organisation": a.organisation,
                "title": a.title,
                "summary": a.summary,
                "total_cost_cents": a.total_cost_cents,
                "state": a.state,
                "created_at": iso(a.created_at),
            }
            for a in applications
        ],
    }


def _erase(session: Session, user: Any, now: datetime) -> None:
    session.execute(
        update(Pledge).where(Pledge.backer_id == user.id).values(public_name="", anonymous=True)
    )


def _activity(session: Session, user: Any) -> list[Activity]:
    found = [
        Activity(
            "pledge",
            title,
            pledge.created_at,
            "crowdfunding.show_pledge",
            (("reference", pledge.reference),),
        )
        for pledge, title in session.execute(
            select(Pledge, Campaign.title)
            .join(Campaign, Campaign.id == Pledge.campaign_id)
            .where(Pledge.backer_id == user.id)
        )
    ]
    found += [
        Activity(
            "crowdfunding_application",
            a.title,
            a.created_at,
            "crowdfunding.show_application",
            (("application_id", a.id),),
        )
        for a in session.scalars(select(Application).where(Application.lead_user_id == user.id))
    ]
    return found


personal_data.register("crowdfunding", _export, _erase, _activity)
