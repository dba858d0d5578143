"""Crowdfunding use cases: call rules, applications, selection, campaigns, pledges.

Money moves only through ``ledger.post``; pledges and campaigns change state only through
``states``; every change runs in the caller's transaction. Stripe is called before anything is
written, so a Stripe that is down leaves no half-made pledge.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calls.domain import CallKind
from ..calls.models import Call
from ..calls.services import slugify
from ..core import audit
from ..core.mail import queue_email
from ..core.refusals import PermissionDenied
from ..core.refusals import Refused as BaseRefused
from . import domain, gateway, ledger
from . import personal as _personal  # noqa: F401 (registers the crowdfunding share of personal data)
from .models import (
    LEGAL_FORMS,
    Application,
    Campaign,
    CampaignUpdate,
    CrowdfundingSettings,
    Pledge,
    RewardTier,
)
from .permissions import can_manage_crowdfunding, can_post_on_campaign, owns_pledge
from .states import ApplicationState, CampaignState, PledgeState, move_campaign, move_pledge


class Refused(BaseRefused):
    """A crowdfunding request the rules do not allow; ``code`` names the reason."""


def _staff(actor: Any) -> None:
    if not can_manage_crowdfunding(actor):
        raise PermissionDenied()


def rules_of(settings: CrowdfundingSettings) -> domain.CallRules:
    return domain.CallRules(
        crowd_share_pct=settings.crowd_share_pct,
        city_cap_cents=settings.city_cap_cents,
        min_cost_cents=settings.min_cost_cents,
        max_cost_cents=settings.max_cost_cents,
        min_days=settings.min_days,
        max_days=settings.max_days,
        grace_days=settings.grace_days,
    )


# Call rules ----------------------------------------------------------------------------------


def save_settings(
    session: Session,
    actor: User,
    call: Call,
    rules: domain.CallRules,
    *,
    now: datetime,
    allow_businesses: bool = True,
) -> CrowdfundingSettings:
    """Set a crowdfunding call's rules; frozen once the first application exists."""
    _staff(actor)
    if call.kind != CallKind.CROWDFUNDING.value:
        raise Refused("not_crowdfunding")
    if session.scalar(select(Application.id).where(Application.call_id == call.id).limit(1)):
        raise Refused("rules_frozen")
    if not (1 <= rules.crowd_share_pct <= 100) or rules.city_cap_cents < 0:
        raise Refused("rules_invalid")
    if rules.min_cost_cents <= 0:
        raise Refused("min_cost_zero")
    if rules.max_cost_cents < rules.min_cost_cents:
        raise Refused("costs_inverted")
    if rules.max_days < rules.min_days:
        raise Refused("days_inverted")
    if rules.min_days < 1 or rules.grace_days < 1:
        raise Refused("rules_invalid")
    settings = session.get(CrowdfundingSettings, call.id) or CrowdfundingSettings(call_id=call.id)
    before = {k: getattr(settings, k, None) for k in rules.__dataclass_fields__}
    for name in rules.__dataclass_fields__:
        setattr(settings, name, getattr(rules, name))
    settings.allow_businesses = allow_businesses
    session.add(settings)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.rules",
        target_type="call",
        target_id=call.id,
        now=now,
        before=before,
        after={k: getattr(rules, k) for k in rules.__dataclass_fields__},
    )
    return settings


# Applications --------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    organisation: str
    legal_form: str
    tax_code: str
    milan_office: str
    title: str
    summary: str
    description: str
    budget_lines: list[tuple[str, int]]  # (what, cents)
    partners: list[tuple[str, str]]  # (organisation, role)


def submit_application(
    session: Session,
    applicant: User,
    call: Call,
    settings: CrowdfundingSettings,
    data: ApplicationData,
    *,
    now: datetime,
    document: tuple[str, str] | None = None,
) -> Application:
    """An organisation applies with its project; the total is the sum of the budget lines."""
    if data.legal_form not in LEGAL_FORMS:
        raise Refused("legal_form")
    if data.legal_form == "business" and not settings.allow_businesses:
        raise Refused("businesses_not_allowed")
    if not data.milan_office.strip():
        raise Refused("milan_office_needed")
    if not data.budget_lines or any(amount <= 0 for _what, amount in data.budget_lines):
        raise Refused("budget_lines")
    total = sum(amount for _what, amount in data.budget_lines)
    problem = domain.cost_problem(rules_of(settings), total)
    if problem:
        raise Refused(problem)
    application = Application(
        call_id=call.id,
        lead_user_id=applicant.id,
        organisation=data.organisation.strip(),
        legal_form=data.legal_form,
        tax_code=data.tax_code.strip().upper(),
        milan_office=data.milan_office.strip(),
        partners=[{"name": n.strip(), "role": r.strip()} for n, r in data.partners if n.strip()],
        title=data.title.strip(),
        summary=data.summary.strip(),
        description=data.description.strip(),
        budget_lines=[{"what": w.strip(), "cents": c} for w, c in data.budget_lines],
        total_cost_cents=total,
        document_name=document[0] if document else None,
        document_stored=document[1] if document else None,
        created_at=now,
    )
    session.add(application)
    session.flush()
    _email(
        session,
        applicant,
        "crowdfunding_application_received",
        application=application,
        call_title=call.title(applicant.language),
    )
    return application


def _tell_lead(session: Session, application: Application) -> None:
    """The lead applicant hears of the decision, with the reason when it is no."""
    lead = session.get(User, application.lead_user_id) if application.lead_user_id else None
    _email(session, lead, "crowdfunding_application_decided", application=application)


def rank_application(
    session: Session,
    actor: User,
    application: Application,
    score: int,
    note: str,
    *,
    now: datetime,
) -> None:
    """The committee's score (0-100) and note; the ranking sorts by score."""
    _staff(actor)
    if not 0 <= score <= 100:
        raise Refused("score_range")
    application.score, application.staff_note = score, note.strip()
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.rank",
        target_type="crowdfunding_application",
        target_id=application.id,
        now=now,
        after={"score": score},
    )
    session.flush()


def _unique_slug(session: Session, title: str) -> str:
    base = slugify(title)[:90]
    slug, n = base, 1
    while session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def select_application(
    session: Session,
    actor: User,
    application: Application,
    settings: CrowdfundingSettings,
    *,
    approved_cost_cents: int,
    starts_at: datetime,
    ends_at: datetime,
    area_id: int | None,
    now: datetime,
) -> Campaign:
    """Select a project: its campaign is made (not yet open) with the goal and the match."""
    _staff(actor)
    if application.state != ApplicationState.SUBMITTED.value:
        raise Refused("already_decided")
    rules = rules_of(settings)
    problem = domain.cost_problem(rules, approved_cost_cents) or domain.length_problem(
        rules, starts_at, ends_at
    )
    if problem:
        raise Refused(problem)
    application.state = ApplicationState.SELECTED.value
    application.decided_by_id, application.decided_at = actor.id, now
    campaign = Campaign(
        slug=_unique_slug(session, application.title),
        call_id=application.call_id,
        application_id=application.id,
        lead_user_id=application.lead_user_id,
        organisation=application.organisation,
        partners=list(application.partners),
        title=application.title,
        summary=application.summary,
        description=application.description,
        budget_lines=list(application.budget_lines),
        area_id=area_id,
        approved_cost_cents=approved_cost_cents,
        goal_cents=domain.goal_cents(rules, approved_cost_cents),
        city_match_cents=domain.city_match_cents(rules, approved_cost_cents),
        state=CampaignState.DRAFT.value,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.select",
        target_type="crowdfunding_application",
        target_id=application.id,
        now=now,
        after={"campaign": campaign.id, "approved_cost_cents": approved_cost_cents},
    )
    _tell_lead(session, application)
    return campaign


def reject_application(
    session: Session, actor: User, application: Application, reason: str, *, now: datetime
) -> None:
    _staff(actor)
    if application.state != ApplicationState.SUBMITTED.value:
        raise Refused("already_decided")
    if not reason.strip():
        raise Refused("reason_needed")
    application.state = ApplicationState.REJECTED.value
    application.staff_note = reason.strip()
    application.decided_by_id, application.decided_at = actor.id, now
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.reject",
        target_type="crowdfunding_application",
        target_id=application.id,
        now=now,
        reason=reason.strip(),
    )
    session.flush()
    _tell_lead(session, application)


# Campaigns -----------------------------------------------------------------------------------


def open_campaign(session: Session, actor: User, campaign: Campaign, *, now: datetime) -> None:
    _staff(actor)
    campaign.state = move_campaign(campaign.state, CampaignState.LIVE)
    if campaign.starts_at > now:
        pass  # announced: pledges are taken from the start date
    campaign.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="crowdfunding.open",
        target_type="crowdfunding_campaign",
        target_id=campaign.id,
        now=now,
    )
    session.flush()


def add_reward_tier(
    session: Session,
    actor: User,
    campaign: Campaign,
    *,
    title: str,
    description: str,
    min_amount_cents: int,
    quantity: int | None,
    now: datetime,
) -> RewardTier:
    if not can_post_on_campaign(actor, campaign):
        raise PermissionDenied()
    if campaign.state not in (CampaignState.DRAFT.value, CampaignState.LIVE.value):
        raise Refused("campaign_closed")
    if not title.strip() or min_amount_cents < domain.MIN_PLEDGE_CENTS:
        raise Refused("tier_invalid")
    if quantity is not None and quantity < 1:
        raise Refused("tier_invalid")
    tier = RewardTier(
        campaign_id=campaign.id,
        title=title.strip(),
        description=description.strip(),
        min_amount_cents=min_amount_cents,
        quantity=quantity,
    )
    session.add(tier)
    session.flush()
    return tier


def post_update(
    session: Session, actor: User, campaign: Campaign, title: str, body: str, *, now: datetime
) -> CampaignUpdate:
    if not can_post_on_campaign(actor, campaign):
        raise PermissionDenied()
    if not title.strip() or not body.strip():
        raise Refused("update_empty")
    item = CampaignUpdate(
        campaign_id=campaign.id,
        title=title.strip()[:200],
        body=body.strip(),
        author_id=actor.id,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def taking_pledges(campaign: Campaign, now: datetime) -> bool:
    return (
        campaign.state == CampaignState.LIVE.value and campaign.starts_at <= now < campaign.ends_at
    )


# Pledges -------------------------------------------------------------------------------------


def _email(session: Session, person: User | None, template: str, **context: Any) -> None:
    if person is None or not person.email:
        return
    queue_email(session, person.email, template, person.language, user=person, **context)


def _pledge_url(pledge: Pledge) -> str:
    return url_for("crowdfunding.show_pledge", reference=pledge.reference, _external=True)


def _lock_campaign(session: Session, campaign_id: int) -> Campaign:
    found = session.scalar(select(Campaign).where(Campaign.id == campaign_id).with_for_update())
    assert found is not None
    return found


def _lock_pledge(session: Session, pledge_id: int) -> Pledge:
    session.flush()
    found = session.scalar(
        select(Pledge)
        .where(Pledge.id == pledge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


def start_pledge(
    session: Session,
    backer: User,
    campaign: Campaign,
    *,
    amount_cents: int,
    tier_id: int | None,
    anonymous: bool,
    now: datetime,
) -> tuple[Pledge, str]:
    """Begin a pledge: Stripe gets a Customer and a SetupIntent first (nothing is charged), then
    the pledge is written with its reward reserved. Returns the pledge and the client secret
    the browser confirms the card with."""
    if not getattr(backer, "is_authenticated", False):
        raise PermissionDenied()
    if not taking_pledges(campaign, now):
        raise Refused("not_taking_pledges")
    tier = None
    if tier_id is not None:
        tier = session.scalar(
            select(RewardTier).where(
                RewardTier.id == tier_id, RewardTier.campaign_id == campaign.id
            )
        )
        if tier is None:
            raise Refused("unknown_tier")
    problem = domain.pledge_problem(amount_cents, tier.min_amount_cents if tier else None)
    if problem:
        raise Refused(problem)
    if tier is not None and tier.quantity is not None and tier.claimed >= tier.quantity:
        raise Refused("tier_sold_out")  # a quick answer; the reservation below is the real check
    reference = secrets.token_urlsafe(18)
    customer_id, intent = gateway.start_pledge(str(backer.email), reference, amount_cents)
    if tier is not None:
        # One statement: the row is locked while it checks and counts, so never oversold.
        reserved = session.execute(
            update(RewardTier)
            .where(
                RewardTier.id == tier.id,
                (RewardTier.quantity.is_(None)) | (RewardTier.claimed < RewardTier.quantity),
            )
            .values(claimed=RewardTier.claimed + 1)
        )
        if reserved.rowcount != 1:  # type: ignore[attr-defined]
            raise Refused("tier_sold_out")
    pledge = Pledge(
        campaign_id=campaign.id,
        backer_id=backer.id,
        amount_cents=amount_cents,
        reward_tier_id=tier.id if tier else None,
        anonymous=anonymous,
        public_name="" if anonymous else backer.display_name,
        reference=reference,
        state=PledgeState.PENDING.value,
        stripe_customer_id=customer_id,
        stripe_setup_intent_id=intent.id,
        created_at=now,
        updated_at=now,
    )
    session.add(pledge)
    session.flush()
    return pledge, intent.client_secret


def confirm_pledge(session: Session, pledge: Pledge, *, now: datetime) -> bool:
    """Activate a pledge once Stripe says its card is saved (from the browser or a webhook).
    Returns True if this call activated it; reads Stripe, never trusts the caller."""
    if pledge.stripe_setup_intent_id is None:
        return False
    intent = gateway.setup_intent(pledge.stripe_setup_intent_id)
    if intent.status != "succeeded" or not intent.payment_method:
        return False
    gateway.save_card(str(pledge.stripe_customer_id), intent.payment_method)
    pledge = _lock_pledge(session, pledge.id)
    if pledge.state != PledgeState.PENDING.value:
        return False  # already done (the webhook and the browser both ask)
    campaign = session.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    if not taking_pledges(campaign, now):
        return False
    pledge.state = move_pledge(pledge.state, PledgeState.ACTIVE)
    pledge.stripe_payment_method_id = intent.payment_method
    pledge.updated_at = now
    ledger.post(
        session,
        movement=f"pledge_committed:{pledge.id}",
        campaign_id=pledge.campaign_id,
        pledge_id=pledge.id,
        kind="pledge_committed",
        lines={"pledged": pledge.amount_cents, "backer_commitments": -pledge.amount_cents},
        reference=intent.id,
        now=now,
    )
    backer = session.get(User, pledge.backer_id) if pledge.backer_id else None
    _email(
        session,
        backer,
        "pledge_confirmed",
        pledge=pledge,
        campaign=campaign,
        pledge_url=_pledge_url(pledge),
    )
    return True


def _release_tier(session: Session, pledge: Pledge) -> None:
    if pledge.reward_tier_id is not None:
        session.execute(
            update(RewardTier)
            .where(RewardTier.id == pledge.reward_tier_id, RewardTier.claimed > 0)
            .values(claimed=RewardTier.claimed - 1)
        )


def expire_unconfirmed_pledges(session: Session, *, now: datetime, hold: timedelta) -> int:
    """Pledges whose card was not confirmed within ``hold`` expire: the reward place they held
    goes back. Pending pledges have nothing in the ledger. Returns how many expired."""
    stale = session.scalars(
        select(Pledge)
        .where(Pledge.state == PledgeState.PENDING.value, Pledge.created_at < now - hold)
        .order_by(Pledge.id)
        .with_for_update(skip_locked=True)  # one being confirmed right now is left to finish
    ).all()
    for pledge in stale:
        pledge.state = move_pledge(pledge.state, PledgeState.EXPIRED)
        pledge.updated_at = now
        _release_tier(session, pledge)
    session.flush()
    return len(stale)


def cancel_pledge(session: Session, backer: User, pledge: Pledge, *, now: datetime) -> None:
    """The backer withdraws before the deadline: nothing was charged, nothing will be."""
    if not owns_pledge(backer, pledge):
        raise PermissionDenied()
    campaign = _lock_campaign(session, pledge.campaign_id)
    pledge = _lock_pledge(session, pledge.id)
    if campaign.state != CampaignState.LIVE.value or now >= campaign.ends_at:
        raise Refused("deadline_passed")
    if pledge.state not in (PledgeState.PENDING.value, PledgeState.ACTIVE.value):
        raise Refused("not_cancellable")
    was_active = pledge.state == PledgeState.ACTIVE.value
    pledge.state = move_pledge(pledge.state, PledgeState.CANCELLED)
    pledge.updated_at = now
    if was_active:
        ledger.post(
            session,
            movement=f"pledge_cancelled:{pledge.id}",
            campaign_id=campaign.id,
            pledge_id=pledge.id,
            kind="pledge_cancelled",
            lines={"pledged": -pledge.amount_cents, "backer_commitments": pledge.amount_cents},
            now=now,
        )
    _release_tier(session, pledge)
    _email(session, backer, "pledge_cancelled", pledge=pledge, campaign=campaign)
    session.flush()


def backing(session: Session, campaign_id: int) -> tuple[int, int]:
    """The people backing a campaign and their pledges that count (one person may pledge more
    than once: the page says both, so the list of pledges and the count agree)."""
    people, pledges = session.execute(
        select(func.count(func.distinct(Pledge.backer_id)), func.count(Pledge.id)).where(
            Pledge.campaign_id == campaign_id,
            Pledge.state.in_(
                [
                    PledgeState.ACTIVE.value,
                    PledgeState.CHARGED.value,
                    PledgeState.ACTION_NEEDED.value,
                ]
            ),
        )
    ).one()
    return int(people or 0), int(pledges or 0)
