"""Crowdfunding pages: campaigns and pledges for backers, applications for organisations,
selection and closing for staff, and Stripe's webhook."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from ...calls import sections as call_sections
from ...calls.domain import CallKind
from ...core.actions import describe
from ...core.db import get_session
from ...core.security import allow_sources
from .. import gateway, permissions, queries, services
from ..models import Application, Campaign, CrowdfundingSettings, Pledge
from ..states import CampaignState, IllegalMove

bp = Blueprint("crowdfunding", __name__)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    def pledge_state_label(state: str) -> str:
        return str(
            {
                "pending": _("Card not confirmed yet"),
                "active": _("Card saved, nothing charged"),
                "cancelled": _("Cancelled"),
                "charged": _("Charged"),
                "action_needed": _("Payment to complete"),
                "lapsed": _("Lapsed, not charged"),
                "released": _("Not charged: goal not reached"),
                "refunded": _("Refunded"),
                "expired": _("Expired: the card was not confirmed in time"),
            }.get(state, state)
        )

    def campaign_state_label(state: str) -> str:
        return str(
            {
                "draft": _("Not open yet"),
                "live": pgettext("campaign state", "Open"),
                "charging": _("Goal reached: charging pledges"),
                "grace": _("Goal reached: completing payments"),
                "succeeded": _("Funded"),
                "failed": _("Goal not reached: no one was charged"),
            }.get(state, state)
        )

    def application_state_label(state: str) -> str:
        return str(
            {
                "submitted": _("To evaluate"),
                "selected": _("Selected"),
                "rejected": _("Not selected"),
            }.get(state, state)
        )

    return {
        "pledge_state_label": pledge_state_label,
        "campaign_state_label": campaign_state_label,
        "application_state_label": application_state_label,
    }


@describe(services.Refused)
@describe(gateway.PaymentsDown)
def _words(refused: services.Refused) -> str:
    return refusal_message(refused.code)


@describe(IllegalMove)
def _illegal(refused: IllegalMove) -> str | None:
    if refused.params.get("kind") == "campaign":
        return str(_("The campaign is already open or closed."))
    return None


def refusal_message(code: str) -> str:
    messages = {
        "not_crowdfunding": _("This call is not a crowdfunding call."),
        "rules_frozen": _("The rules are frozen: applications have already been submitted."),
        "rules_invalid": _("Check the rules: costs, days and shares must be consistent."),
        "min_cost_zero": _("The smallest project cost must be more than zero."),
        "costs_inverted": _("The largest project cost must be at least the smallest."),
        "days_inverted": _("The longest campaign must last at least as long as the shortest."),
        "legal_form": _("Choose a legal form from the list."),
        "businesses_not_allowed": _("This call is open to non-profits only."),
        "milan_office_needed": _("Give the address of the office in Milan."),
        "budget_lines": _("Give at least one budget line with a positive amount."),
        "cost_too_low": _("The project costs less than the call's minimum."),
        "cost_too_high": _("The project costs more than the call's maximum."),
        "cost_beyond_match": _("The crowd's share and the city's cap would not cover this cost."),
        "length_outside_range": _("The campaign's length is outside the call's range."),
        "score_range": _("The score goes from 0 to 100."),
        "already_decided": _("This application has already been decided."),
        "reason_needed": _("Give a reason."),
        "campaign_closed": _("The campaign is closed."),
        "tier_invalid": _("A reward needs a title and a minimum of at least € 5,00."),
        "update_empty": _("Write a title and some text."),
        "not_taking_pledges": _("This campaign is not taking pledges now."),
        "unknown_tier": _("Choose a reward from the list."),
        "pledge_too_small": _("The smallest pledge is € 5,00."),
        "pledge_too_large": _("The largest pledge is € 10.000,00."),
        "below_reward_minimum": _("This reward needs a larger pledge."),
        "tier_sold_out": _("This reward has run out: choose another or none."),
        "deadline_passed": _("The deadline has passed."),
        "not_cancellable": _("This pledge can no longer be cancelled."),
        "not_succeeded": _("The campaign has not succeeded."),
        "already_paid_out": _("The payout has already been recorded."),
        "payments_down": _(
            "The payment service cannot be reached right now. Nothing has been saved or "
            "charged: please try again in a few minutes."
        ),
    }
    return str(messages.get(code, _("This is not possible.")))


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "crowdfunding"


def _campaign_or_404(slug: str) -> Campaign:
    campaign = queries.campaign_by_slug(get_session(), slug)
    if campaign is None:
        abort(404)
    if campaign.state == CampaignState.DRAFT.value and not (
        permissions.can_post_on_campaign(current_user, campaign)
    ):
        abort(404)
    return campaign


def _own_pledge(reference: str) -> Pledge:
    pledge = queries.pledge_by_reference(get_session(), reference[:60])
    if pledge is None or not permissions.owns_pledge(current_user, pledge):
        abort(404)
    return pledge


def _stripe_page() -> dict[str, str]:
    """Stripe.js may load and talk to Stripe on this page only."""
    js = gateway.js_url()
    origin = "/".join(js.split("/")[:3])
    allow_sources("script-src", origin)
    allow_sources("connect-src", origin)
    allow_sources("frame-src", origin)
    return {"stripe_js": js, "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"]}


def _euros(amount: int) -> str:
    return f"{amount // 100}" + (f",{amount % 100:02d}" if amount % 100 else "")


def _application(application_id: int) -> tuple[Application, CrowdfundingSettings]:
    db = get_session()
    application = db.get(Application, application_id)
    if application is None:
        abort(404)
    settings = db.get(CrowdfundingSettings, application.call_id)
    if settings is None:
        abort(404)
    return application, settings


def _back_to_call(application: Application) -> str:
    return url_for("crowdfunding.manage_call", call_id=application.call_id)


def _campaign(campaign_id: int) -> Campaign:
    campaign = get_session().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _call_page_part(db: Any, call: Any, _now: datetime) -> dict[str, Any] | None:
    """On a crowdfunding call's page: its rules and campaigns."""
    if call.kind != CallKind.CROWDFUNDING.value:
        return None
    return {
        "settings": db.get(CrowdfundingSettings, call.id),
        "campaigns": queries.campaigns_of_call(db, call.id),
    }


call_sections.add_part("crowdfunding", _call_page_part)


# The pages register their routes on bp when imported.
from . import applicant, backer, staff, webhook  # noqa: E402, F401
