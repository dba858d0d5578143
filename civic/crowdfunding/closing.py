"""Closing a campaign at its deadline, charging pledges, the grace period, the final total.

``close_campaign`` is what the Huey job runs. It is idempotent and resumable: each pledge is
charged in its own short transaction under a row lock, with an idempotency key derived from the
pledge and the attempt, and its outcome is written before the next one; killed half-way and run
again, it skips what is done and charges each pledge at most once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import audit, signals
from . import gateway, ledger
from .models import Campaign, CrowdfundingSettings, Pledge
from .services import _email, _lock_pledge, _release_tier, rules_of
from .states import CampaignState, PledgeState, move_campaign, move_pledge


def record_charge(session: Session, pledge: Pledge, intent_id: str, *, now: datetime) -> bool:
    """A charge Stripe reports as succeeded: the pledge is charged and the money in the ledger.
    Reads the PaymentIntent from Stripe; True if this call recorded it."""
    intent = gateway.payment_intent(intent_id)
    if intent.status != "succeeded" or (intent.metadata or {}).get("pledge") != pledge.reference:
        return False
    pledge = _lock_pledge(session, pledge.id)
    if pledge.state not in (PledgeState.ACTIVE.value, PledgeState.ACTION_NEEDED.value):
        return False
    campaign = session.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    if campaign.state not in (CampaignState.CHARGING.value, CampaignState.GRACE.value):
        return False
    pledge.state = move_pledge(pledge.state, PledgeState.CHARGED)
    pledge.stripe_payment_intent_id = intent.id
    pledge.charged_at = pledge.updated_at = now
    pledge.action_deadline = None
    amount = pledge.amount_cents
    ledger.post(
        session,
        movement=f"pledge_charged:{pledge.id}",
        campaign_id=campaign.id,
        pledge_id=pledge.id,
        kind="pledge_charged",
        lines={
            "pledged": -amount,
            "backer_commitments": amount,
            "stripe": amount,
            "backers": -amount,
        },
        reference=intent.id,
        now=now,
    )
    backer = session.get(User, pledge.backer_id) if pledge.backer_id else None
    _email(session, backer, "pledge_receipt", pledge=pledge, campaign=campaign, intent_id=intent.id)
    return True


def pay_after_failure(
    session: Session, pledge: Pledge, new_card: str, *, open_to_pay: bool, now: datetime
) -> str:
    """The backer's second try after a failed charge: with a new card while the window is open,
    else whatever Stripe now says about the last attempt. Returns the outcome."""
    if new_card and open_to_pay:
        return retry_with_new_card(session, pledge, new_card, now=now)
    if pledge.stripe_payment_intent_id:
        charged = record_charge(session, pledge, pledge.stripe_payment_intent_id, now=now)
        return "charged" if charged else "declined"
    return "declined"


def retry_with_new_card(
    session: Session, pledge: Pledge, setup_intent_id: str, *, now: datetime
) -> str:
    """The backer saved another card during the grace period: charge it now. Returns
    "charged", "action_needed" (the bank asks for 3-D Secure) or "declined"."""
    intent = gateway.setup_intent(setup_intent_id)
    if (intent.metadata or {}).get("pledge") != pledge.reference or intent.status != "succeeded":
        return "declined"
    if not intent.payment_method:
        return "declined"
    gateway.save_card(str(pledge.stripe_customer_id), intent.payment_method)
    pledge = _lock_pledge(session, pledge.id)
    if pledge.state != PledgeState.ACTION_NEEDED.value:
        return "charged" if pledge.state == PledgeState.CHARGED.value else "declined"
    if pledge.action_deadline is not None and now >= pledge.action_deadline:
        return "declined"
    pledge.stripe_payment_method_id = intent.payment_method
    result = gateway.charge_off_session(
        customer_id=str(pledge.stripe_customer_id),
        payment_method_id=intent.payment_method,
        amount_cents=pledge.amount_cents,
        reference=pledge.reference,
        attempt=pledge.charge_attempts + 1,
    )
    pledge.charge_attempts += 1
    pledge.stripe_payment_intent_id = result.payment_intent_id or pledge.stripe_payment_intent_id
    pledge.updated_at = now
    if result.outcome == "succeeded" and result.payment_intent_id:
        return (
            "charged"
            if record_charge(session, pledge, result.payment_intent_id, now=now)
            else "declined"
        )
    _record_failure(session, pledge, result, now)
    return result.outcome


def _record_failure(
    session: Session, pledge: Pledge, result: gateway.Charge, now: datetime
) -> None:
    """A charge that did not go through: no money moves, but the attempt is on the ledger."""
    pledge.last_error = (result.message or result.outcome)[:300]
    ledger.post(
        session,
        movement=f"charge_failed:{pledge.id}:{pledge.charge_attempts}",
        campaign_id=pledge.campaign_id,
        pledge_id=pledge.id,
        kind="charge_failed",
        lines={"stripe": 0},
        reference=result.payment_intent_id or "",
        now=now,
    )


def _charge_one(session: Session, pledge_id: int, grace_days: int, now: datetime) -> None:
    pledge = _lock_pledge(session, pledge_id)
    if pledge.state != PledgeState.ACTIVE.value:
        return
    result = gateway.charge_off_session(
        customer_id=str(pledge.stripe_customer_id),
        payment_method_id=str(pledge.stripe_payment_method_id),
        amount_cents=pledge.amount_cents,
        reference=pledge.reference,
        attempt=pledge.charge_attempts + 1,
    )
    if result.outcome == "succeeded" and result.payment_intent_id:
        record_charge(session, pledge, result.payment_intent_id, now=now)
        return
    pledge.charge_attempts += 1
    pledge.state = move_pledge(pledge.state, PledgeState.ACTION_NEEDED)
    pledge.stripe_payment_intent_id = result.payment_intent_id
    pledge.action_deadline = now + timedelta(days=grace_days)
    pledge.updated_at = now
    _record_failure(session, pledge, result, now)
    backer = session.get(User, pledge.backer_id) if pledge.backer_id else None
    campaign = session.get(Campaign, pledge.campaign_id)
    _email(
        session,
        backer,
        "pledge_action_needed",
        pledge=pledge,
        campaign=campaign,
        pay_url=url_for("crowdfunding.pay_pledge", reference=pledge.reference, _external=True),
    )


def _release(
    session: Session, pledge: Pledge, target: PledgeState, kind: str, now: datetime
) -> None:
    pledge = _lock_pledge(session, pledge.id)
    was_counted = pledge.state in (PledgeState.ACTIVE.value, PledgeState.ACTION_NEEDED.value)
    pledge.state = move_pledge(pledge.state, target)
    pledge.updated_at = now
    if was_counted:
        ledger.post(
            session,
            movement=f"{kind}:{pledge.id}",
            campaign_id=pledge.campaign_id,
            pledge_id=pledge.id,
            kind=kind,
            lines={"pledged": -pledge.amount_cents, "backer_commitments": pledge.amount_cents},
            now=now,
        )
    _release_tier(session, pledge)


def _pledges(session: Session, campaign_id: int, *states: PledgeState) -> list[int]:
    return list(
        session.scalars(
            select(Pledge.id)
            .where(Pledge.campaign_id == campaign_id, Pledge.state.in_([s.value for s in states]))
            .order_by(Pledge.id)
        )
    )


def close_campaign(session: Session, campaign_id: int, *, now: datetime) -> str:
    """Take a campaign as far as the clock allows; returns its state. Safe to run again.

    Commits as it goes: each step's outcome is kept before the next."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return "missing"
    settings = session.get(CrowdfundingSettings, campaign.call_id)
    grace_days = rules_of(settings).grace_days if settings else 7

    if campaign.state == CampaignState.LIVE.value:
        if now < campaign.ends_at:
            return campaign.state
        totals = ledger.totals(session, campaign.id)
        succeeded = totals.raised >= campaign.goal_cents
        campaign = _locked(session, campaign_id)
        if campaign.state == CampaignState.LIVE.value:
            target = CampaignState.CHARGING if succeeded else CampaignState.FAILED
            campaign.state = move_campaign(campaign.state, target)
            campaign.updated_at = now
            audit.record(
                session,
                actor_id=None,
                action=f"crowdfunding.deadline.{target.value}",
                target_type="crowdfunding_campaign",
                target_id=campaign.id,
                now=now,
                after={"raised": totals.raised, "goal": campaign.goal_cents},
            )
        session.commit()

    if campaign.state == CampaignState.FAILED.value:
        for pledge_id in _pledges(session, campaign.id, PledgeState.ACTIVE, PledgeState.PENDING):
            pledge = session.get(Pledge, pledge_id)
            assert pledge is not None
            counted = pledge.state == PledgeState.ACTIVE.value
            if pledge.state == PledgeState.PENDING.value:
                pledge.state = move_pledge(pledge.state, PledgeState.CANCELLED)
                _release_tier(session, pledge)
            else:
                _release(session, pledge, PledgeState.RELEASED, "pledge_released", now)
            if counted:
                backer = session.get(User, pledge.backer_id) if pledge.backer_id else None
                _email(session, backer, "campaign_failed", pledge=pledge, campaign=campaign)
            session.commit()
        return campaign.state

    if campaign.state == CampaignState.CHARGING.value:
        for pledge_id in _pledges(session, campaign.id, PledgeState.ACTIVE):
            _charge_one(session, pledge_id, grace_days, now)
            session.commit()  # each outcome is kept before the next charge
        for pledge_id in _pledges(session, campaign.id, PledgeState.PENDING):
            pledge = session.get(Pledge, pledge_id)
            assert pledge is not None
            pledge.state = move_pledge(pledge.state, PledgeState.CANCELLED)
            _release_tier(session, pledge)
            session.commit()
        campaign = _locked(session, campaign_id)
        if campaign.state == CampaignState.CHARGING.value:
            if _pledges(session, campaign.id, PledgeState.ACTION_NEEDED):
                campaign.state = move_campaign(campaign.state, CampaignState.GRACE)
                campaign.grace_ends_at = now + timedelta(days=grace_days)
            else:
                _finish(session, campaign, now)
        session.commit()

    if campaign.state == CampaignState.GRACE.value:
        if campaign.grace_ends_at is not None and now < campaign.grace_ends_at:
            return campaign.state
        for pledge_id in _pledges(session, campaign.id, PledgeState.ACTION_NEEDED):
            pledge = session.get(Pledge, pledge_id)
            assert pledge is not None
            _release(session, pledge, PledgeState.LAPSED, "pledge_lapsed", now)
            backer = session.get(User, pledge.backer_id) if pledge.backer_id else None
            _email(session, backer, "pledge_lapsed", pledge=pledge, campaign=campaign)
            session.commit()
        campaign = _locked(session, campaign_id)
        if campaign.state == CampaignState.GRACE.value:
            _finish(session, campaign, now)
        session.commit()
    return campaign.state


def _locked(session: Session, campaign_id: int) -> Campaign:
    found = session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


def _finish(session: Session, campaign: Campaign, now: datetime) -> None:
    """Fix the final total and record the city's match (paid outside Stripe)."""
    campaign.state = move_campaign(campaign.state, CampaignState.SUCCEEDED)
    campaign.closed_at = campaign.updated_at = now
    ledger.post(
        session,
        movement=f"city_match:{campaign.id}",
        campaign_id=campaign.id,
        kind="city_match",
        lines={"city": -campaign.city_match_cents, "payout": campaign.city_match_cents},
        reference="city-budget",
        now=now,
    )
    totals = ledger.totals(session, campaign.id)
    signals.projects_funded.send("crowdfunding", session=session, call_id=campaign.call_id, now=now)
    audit.record(
        session,
        actor_id=None,
        action="crowdfunding.succeeded",
        target_type="crowdfunding_campaign",
        target_id=campaign.id,
        now=now,
        after={"charged": totals.charged, "city_match": campaign.city_match_cents},
    )
    lead = session.get(User, campaign.lead_user_id) if campaign.lead_user_id else None
    _email(session, lead, "campaign_succeeded", campaign=campaign, totals=totals)


def record_payout(session: Session, actor: User, campaign: Campaign, *, now: datetime) -> str:
    """The crowd's money goes to the lead partner (the match is already on the payout account)."""
    from .services import Refused, _staff

    _staff(actor)
    if campaign.state != CampaignState.SUCCEEDED.value:
        raise Refused("not_succeeded")
    totals = ledger.totals(session, campaign.id)
    reference = gateway.pay_out(campaign.slug, totals.charged)
    posted = ledger.post(
        session,
        movement=f"payout:{campaign.id}",
        campaign_id=campaign.id,
        kind="payout",
        lines={"stripe": -totals.charged, "payout": totals.charged},
        reference=reference,
        now=now,
    )
    if not posted:
        raise Refused("already_paid_out")
    campaign.paid_out_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.payout",
        target_type="crowdfunding_campaign",
        target_id=campaign.id,
        now=now,
        after={"amount_cents": totals.charged + campaign.city_match_cents, "reference": reference},
    )
    session.flush()
    return reference


def due_campaigns(session: Session, now: datetime) -> list[int]:
    """Campaigns the closing job has work on: past the deadline, charging, or past grace."""
    return list(
        session.scalars(
            select(Campaign.id).where(
                ((Campaign.state == CampaignState.LIVE.value) & (Campaign.ends_at <= now))
                | (Campaign.state == CampaignState.CHARGING.value)
                | ((Campaign.state == CampaignState.GRACE.value) & (Campaign.grace_ends_at <= now))
            )
        )
    )
