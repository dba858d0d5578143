"""Crowdfunding calls, campaigns and pledges for tests, through the services the app uses."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.calls.domain import PhaseKind, Window
from civic.calls.models import Call
from civic.core.time import utcnow
from civic.crowdfunding import services
from civic.crowdfunding.models import Campaign, CrowdfundingSettings, Pledge
from civic.demo.crowdfunding import alliances_call
from tests.factories.accounts import make_user
from tests.factories.places import seed_municipi
from tests.stripe_support import CARD_OK, confirm_card_setup

DAY = timedelta(days=1)


def make_crowdfunding_call(db: Session, staff: User | None = None) -> tuple[Call, Any]:
    """A published crowdfunding call with the demo's builder, open for applications."""
    seed_municipi(db)
    staff = staff or make_user(db, roles=(Role.STAFF,))
    now = utcnow()
    call, settings = alliances_call(
        db, staff, windows=[Window(PhaseKind.SUBMISSION, now - DAY, now + 30 * DAY)], now=now
    )
    db.commit()
    return call, settings


def application_data(**overrides: Any) -> services.ApplicationData:
    data = {
        "organisation": "Associazione Orti di Via Padova",
        "legal_form": "association",
        "tax_code": "97123450150",
        "milan_office": "Via Padova 36, Milano",
        "title": "Un orto condiviso in via Padova",
        "summary": "Trasformiamo un cortile in un orto per il quartiere.",
        "description": "Con le scuole e i residenti coltiviamo insieme.",
        "budget_lines": [("Attrezzi e semi", 12_000_00), ("Recinzione e irrigazione", 28_000_00)],
        "partners": [("Scuola primaria Giacosa", "partner")],
    }
    data.update(overrides)
    return services.ApplicationData(**data)


def make_campaign(
    db: Session,
    *,
    cost_cents: int = 40_000_00,
    live: bool = True,
    starts_at: datetime | None = None,
    days: int = 45,
    lead: User | None = None,
    staff: User | None = None,
) -> Campaign:
    """A selected project's campaign, open to pledges unless ``live`` is False."""
    staff = staff or make_user(db, roles=(Role.STAFF,))
    call, settings = make_crowdfunding_call(db, staff)
    lead = lead or make_user(db, email=None, full_name="Lead Partner")
    now = utcnow()
    application = services.submit_application(db, lead, call, settings, application_data(), now=now)
    starts = starts_at or now - DAY
    campaign = services.select_application(
        db,
        staff,
        application,
        settings,
        approved_cost_cents=cost_cents,
        starts_at=starts,
        ends_at=starts + days * DAY,
        area_id=None,
        now=now,
    )
    if live:
        services.open_campaign(db, staff, campaign, now=now)
    db.commit()
    return campaign


def settings_of(db: Session, campaign: Campaign) -> CrowdfundingSettings:
    found = db.get(CrowdfundingSettings, campaign.call_id)
    assert found is not None
    return found


def pledge(
    db: Session,
    stripe_url: str,
    campaign: Campaign,
    amount_cents: int,
    *,
    backer: User | None = None,
    card: str = CARD_OK,
    tier_id: int | None = None,
    anonymous: bool = False,
    confirm: bool = True,
) -> Pledge:
    """A pledge as a backer makes it: start, confirm the card as Stripe.js would, activate."""
    backer = backer or make_user(db)
    made, _secret = services.start_pledge(
        db,
        backer,
        campaign,
        amount_cents=amount_cents,
        tier_id=tier_id,
        anonymous=anonymous,
        now=utcnow(),
    )
    db.commit()
    if confirm:
        confirm_card_setup(stripe_url, str(made.stripe_setup_intent_id), card)
        assert services.confirm_pledge(db, made, now=utcnow())
        db.commit()
    return made
