"""Crowdfunding pages for backers: campaigns, pledges, confirming and paying."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...core.actions import run
from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require, signed_in
from .. import domain, gateway, ledger, permissions, queries, services
from ..closing import pay_after_failure
from ..forms import PledgeForm, TierForm, UpdateForm, cents
from ..models import Campaign, Pledge
from ..states import CampaignState, PledgeState
from . import _campaign_or_404, _own_pledge, _stripe_page, bp, refusal_message


@bp.route("/crowdfunding")
def list_campaigns() -> str:
    now = utcnow()
    return render_template(
        "crowdfunding/list_campaigns.html",
        rows=queries.public_campaigns(get_session()),
        now=now,
        days_left=domain.days_left,
        percent_of=domain.percent_of,
    )


@bp.route("/crowdfunding/<slug>")
def show_campaign(slug: str) -> str:
    db, now = get_session(), utcnow()
    campaign = _campaign_or_404(slug)
    totals = ledger.totals(db, campaign.id)
    raised = totals.raised
    match = totals.city_match or (campaign.city_match_cents if raised >= campaign.goal_cents else 0)
    can_post = permissions.can_post_on_campaign(current_user, campaign)
    return render_template(
        "crowdfunding/show_campaign.html",
        campaign=campaign,
        totals=totals,
        raised=raised,
        crowd_percent=domain.percent_of(raised, campaign.approved_cost_cents),
        match_percent=domain.percent_of(match, campaign.approved_cost_cents),
        goal_percent=domain.percent_of(raised, campaign.goal_cents),
        backers=queries.public_backers(db, campaign.id),
        backing=services.backing(db, campaign.id),
        days_left=domain.days_left(campaign.ends_at, now),
        tiers=queries.tiers(db, campaign.id),
        updates=queries.updates(db, campaign.id),
        mine=queries.my_pledges(db, campaign.id, current_user),
        taking=services.taking_pledges(campaign, now),
        can_post=can_post,
        tier_form=TierForm(),
        update_form=UpdateForm(),
        share_url=url_for("crowdfunding.show_campaign", slug=slug, _external=True),
    )


@bp.route("/crowdfunding/<slug>/sostieni", methods=["GET", "POST"])
@require(signed_in)
def new_pledge(slug: str) -> ResponseReturnValue:
    db, now = get_session(), utcnow()
    campaign = _campaign_or_404(slug)
    if not services.taking_pledges(campaign, now):
        flash(refusal_message("not_taking_pledges"), "warning")
        return redirect(url_for("crowdfunding.show_campaign", slug=slug))
    tiers = queries.tiers(db, campaign.id)
    form = PledgeForm()
    form.tier.choices = [SelectChoice(0, _("No reward, thank you"))] + [
        SelectChoice(t.id, t.title, render_kw={"disabled": True} if _sold_out(t) else None)
        for t in tiers
    ]
    if request.method == "GET" and request.args.get("premio", "").isdigit():
        form.tier.data = int(request.args["premio"])
    page = functools.partial(
        render_template, "crowdfunding/new_pledge.html", campaign=campaign, form=form, tiers=tiers
    )
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.start_pledge(
            db,
            current_user,
            campaign,
            amount_cents=cents(form.amount.data),
            tier_id=form.tier.data or None,
            anonymous=bool(form.anonymous.data),
            now=now,
        ),
        form=form,
        again=page,
        fields={"unknown_tier": "tier", "tier_sold_out": "tier", "below_reward_minimum": "tier"}
        | {"*": "amount"},
        to=lambda started: url_for("crowdfunding.show_pledge", reference=started[0].reference),
    )


def _sold_out(tier: Any) -> bool:
    return tier.quantity is not None and tier.claimed >= tier.quantity


@bp.route("/crowdfunding/impegni/<reference>")
@require(signed_in)
def show_pledge(reference: str) -> str:
    db = get_session()
    pledge = _own_pledge(reference)
    campaign = db.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    context: dict[str, Any] = {}
    if pledge.state == PledgeState.PENDING.value and pledge.stripe_setup_intent_id:
        try:
            context["client_secret"] = gateway.setup_intent(
                pledge.stripe_setup_intent_id
            ).client_secret
        except gateway.PaymentsDown:
            flash(refusal_message("payments_down"), "warning")
        context.update(_stripe_page())
    return render_template(
        "crowdfunding/show_pledge.html",
        pledge=pledge,
        campaign=campaign,
        cancellable=campaign.state == CampaignState.LIVE.value
        and utcnow() < campaign.ends_at
        and pledge.state in (PledgeState.PENDING.value, PledgeState.ACTIVE.value),
        **context,
    )


@bp.route("/crowdfunding/impegni/<reference>/conferma", methods=["POST"])
@require(signed_in)
def confirm_pledge(reference: str) -> ResponseReturnValue:
    """The browser says the card is saved; we ask Stripe before believing it."""
    pledge = _own_pledge(reference)
    return run(
        lambda db: services.confirm_pledge(db, pledge, now=utcnow()),
        to=url_for("crowdfunding.show_pledge", reference=reference),
        done=lambda _none: (
            (_("Thank you! Your pledge is registered; nothing has been charged."), "success")
            if pledge.state == PledgeState.ACTIVE.value
            else (_("Your card is not confirmed yet."), "warning")
        ),
    )


@bp.route("/crowdfunding/impegni/<reference>/annulla", methods=["POST"])
@require(signed_in)
def cancel_pledge(reference: str) -> ResponseReturnValue:
    pledge = _own_pledge(reference)
    return run(
        lambda db: services.cancel_pledge(db, current_user, pledge, now=utcnow()),
        to=url_for("crowdfunding.show_pledge", reference=reference),
        done=_("Your pledge is cancelled. Nothing has been charged."),
    )


@bp.route("/crowdfunding/impegni/<reference>/paga", methods=["GET", "POST"])
@require(signed_in)
def pay_pledge(reference: str) -> ResponseReturnValue:
    """After a charge that failed: the backer confirms with the bank (3-D Secure) or saves
    another card, which is then charged. Every outcome is read back from Stripe."""
    db, now = get_session(), utcnow()
    pledge = _own_pledge(reference)
    campaign = db.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    here = url_for("crowdfunding.pay_pledge", reference=reference)
    open_to_pay = pledge.state == PledgeState.ACTION_NEEDED.value and (
        pledge.action_deadline is None or now < pledge.action_deadline
    )
    if request.method == "POST":
        return _pay(pledge, open_to_pay, here, now)
    if not open_to_pay:
        return redirect(url_for("crowdfunding.show_pledge", reference=reference))
    return _pay_page(pledge, campaign)


def _pay_page(pledge: Pledge, campaign: Campaign) -> ResponseReturnValue:
    """The page where the backer's browser confirms with the bank or saves a card."""
    try:
        mode, secret, setup_id = _next_payment_step(pledge)
    except gateway.PaymentsDown:  # only a page is shown: nothing to undo
        flash(refusal_message("payments_down"), "warning")
        return redirect(url_for("crowdfunding.show_pledge", reference=pledge.reference))
    return render_template(
        "crowdfunding/pay_pledge.html",
        pledge=pledge,
        campaign=campaign,
        client_secret=secret,
        mode=mode,
        setup_intent=setup_id,
        **_stripe_page(),
    )


def _pay(pledge: Pledge, open_to_pay: bool, here: str, now: datetime) -> ResponseReturnValue:
    """The backer's second try: a new card, or Stripe's answer on the last attempt."""
    return run(
        lambda db: pay_after_failure(
            db,
            pledge,
            request.form.get("setup_intent", "")[:80],
            open_to_pay=open_to_pay,
            now=now,
        ),
        to=lambda outcome: (
            url_for("crowdfunding.show_pledge", reference=pledge.reference)
            if pledge.state == PledgeState.CHARGED.value
            else here
        ),
        again=here,
        done=lambda outcome: _payment_outcome(pledge, outcome),
    )


def _next_payment_step(pledge: Pledge) -> tuple[str, str, str]:
    """What the backer's browser does next: confirm the payment with the bank, or save a new
    card; (mode, Stripe's client secret, the new card's setup id)."""
    intent = (
        gateway.payment_intent(pledge.stripe_payment_intent_id)
        if pledge.stripe_payment_intent_id
        else None
    )
    if intent is not None and intent.status == "requires_action":
        return "payment", intent.client_secret, ""
    setup = gateway.new_card_setup(
        customer_id=str(pledge.stripe_customer_id),
        reference=pledge.reference,
        attempt=pledge.charge_attempts + 1,
    )
    return "setup", setup.client_secret, setup.id


def _payment_outcome(pledge: Pledge, outcome: str) -> tuple[str, str]:
    if pledge.state == PledgeState.CHARGED.value:
        return _("Payment received. Thank you!"), "success"
    if outcome == "action_needed":
        return _("Your bank asks you to confirm the payment."), "info"
    return _("The payment did not go through. Try again or use another card."), "warning"
