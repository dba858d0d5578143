"""Crowdfunding: call rules, applications, campaigns with reward tiers and updates, pledges,
the append-only ledger and the Stripe events already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base, Cents
from .states import ApplicationState, CampaignState, PledgeState, values

LEGAL_FORMS = (
    "association",  # associazione (APS, ODV, ...)
    "social_cooperative",
    "foundation",
    "social_enterprise",
    "business",
)
LEDGER_KINDS = (
    "pledge_committed",
    "pledge_cancelled",
    "pledge_charged",
    "charge_failed",
    "pledge_lapsed",
    "pledge_released",
    "refund",
    "city_match",
    "payout",
)
LEDGER_ACCOUNTS = ("pledged", "backer_commitments", "stripe", "backers", "city", "payout")


class CrowdfundingSettings(Base):
    """The rules a crowdfunding call sets; frozen with the call's rules once it is in use."""

    __tablename__ = "crowdfunding_settings"
    __table_args__ = (
        CheckConstraint("crowd_share_pct BETWEEN 1 AND 100", name="share_percent"),
        CheckConstraint("city_cap_cents >= 0", name="cap_not_negative"),
        CheckConstraint("min_cost_cents > 0 AND max_cost_cents >= min_cost_cents", name="costs"),
        CheckConstraint("min_days >= 1 AND max_days >= min_days", name="days"),
        CheckConstraint("grace_days >= 1", name="grace"),
    )

    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    crowd_share_pct: Mapped[int]
    city_cap_cents: Mapped[Cents]
    min_cost_cents: Mapped[Cents]
    max_cost_cents: Mapped[Cents]
    min_days: Mapped[int]
    max_days: Mapped[int]
    grace_days: Mapped[int] = mapped_column(default=7)
    allow_businesses: Mapped[bool] = mapped_column(default=True)


class Application(Base):
    """An organisation's project, alone or as lead partner of a group."""

    __tablename__ = "crowdfunding_applications"
    __table_args__ = (
        CheckConstraint(f"state IN ({values(ApplicationState)})", name="state"),
        CheckConstraint(
            f"legal_form IN ({', '.join(repr(f) for f in LEGAL_FORMS)})", name="legal_form"
        ),
        CheckConstraint("total_cost_cents > 0", name="cost_positive"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(30))
    tax_code: Mapped[str] = mapped_column(String(20))
    milan_office: Mapped[str] = mapped_column(String(300))
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_cost_cents: Mapped[Cents]
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_stored: Mapped[str | None] = mapped_column(String(80), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ApplicationState.SUBMITTED.value)
    score: Mapped[int | None]
    staff_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Campaign(Base):
    """A selected project's campaign: the crowd raises the goal by the deadline, or no one pays."""

    __tablename__ = "crowdfunding_campaigns"
    __table_args__ = (
        CheckConstraint(f"state IN ({values(CampaignState)})", name="state"),
        CheckConstraint("goal_cents > 0 AND approved_cost_cents >= goal_cents", name="goal"),
        CheckConstraint("city_match_cents >= 0", name="match_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("crowdfunding_applications.id"), unique=True
    )
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation: Mapped[str] = mapped_column(String(200))
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    approved_cost_cents: Mapped[Cents]
    goal_cents: Mapped[Cents]
    city_match_cents: Mapped[Cents]  # what the city pays if the goal is reached
    state: Mapped[str] = mapped_column(String(20), default=CampaignState.DRAFT.value)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    grace_ends_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    paid_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RewardTier(Base):
    """An optional thank-you for pledges from a minimum amount, perhaps in limited number."""

    __tablename__ = "crowdfunding_reward_tiers"
    __table_args__ = (
        CheckConstraint("min_amount_cents > 0", name="minimum_positive"),
        CheckConstraint("quantity IS NULL OR quantity >= 1", name="quantity_positive"),
        CheckConstraint("claimed >= 0 AND (quantity IS NULL OR claimed <= quantity)", name="stock"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("crowdfunding_campaigns.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    min_amount_cents: Mapped[Cents]
    quantity: Mapped[int | None]
    claimed: Mapped[int] = mapped_column(default=0)


class CampaignUpdate(Base):
    """News the project posts on its campaign page."""

    __tablename__ = "crowdfunding_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("crowdfunding_campaigns.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Pledge(Base):
    """A backer's promise: the card is saved at pledge time and charged only on success."""

    __tablename__ = "crowdfunding_pledges"
    __table_args__ = (
        CheckConstraint(f"state IN ({values(PledgeState)})", name="state"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("charge_attempts >= 0", name="attempts"),
        Index("ix_crowdfunding_pledges_campaign_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crowdfunding_campaigns.id"))
    backer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    amount_cents: Mapped[Cents]
    reward_tier_id: Mapped[int | None] = mapped_column(ForeignKey("crowdfunding_reward_tiers.id"))
    anonymous: Mapped[bool] = mapped_column(default=False)
    public_name: Mapped[str] = mapped_column(String(200), default="")
    # A random reference: in Stripe's metadata and in the backer's links, never the row id.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=PledgeState.PENDING.value)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(80))
    stripe_setup_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(80))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    charge_attempts: Mapped[int] = mapped_column(default=0)
    action_deadline: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    charged_at: Mapped[datetime | None]


class LedgerEntry(Base):
    """One line of a movement; the lines of a movement (same ``movement``) sum to zero.

    Append-only: the ORM refuses updates and deletes, and so do database triggers.
    """

    __tablename__ = "crowdfunding_ledger"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in LEDGER_KINDS)})", name="kind"),
        CheckConstraint(
            f"account IN ({', '.join(repr(a) for a in LEDGER_ACCOUNTS)})", name="account"
        ),
        Index("ix_crowdfunding_ledger_campaign_account", "campaign_id", "account"),
        # A movement is posted once: posting it again (a rerun job, a replayed event) clashes.
        UniqueConstraint("movement", "account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    movement: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("crowdfunding_campaigns.id"))
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("crowdfunding_pledges.id"))
    kind: Mapped[str] = mapped_column(String(30))
    account: Mapped[str] = mapped_column(String(30))
    amount_cents: Mapped[Cents]
    reference: Mapped[str] = mapped_column(String(120), default="")  # e.g. a Stripe id
    created_at: Mapped[datetime]


class StripeEvent(Base):
    """A webhook event already handled: its id is UNIQUE, so a replay changes nothing."""

    __tablename__ = "crowdfunding_stripe_events"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str] = mapped_column(String(80), default="")
    received_at: Mapped[datetime]
