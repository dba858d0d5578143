"""Grant calls and applications for tests, through the services the app uses."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.calls.domain import PhaseKind, Window
from civic.calls.models import Call
from civic.calls.queries import get_call
from civic.core.time import utcnow
from civic.demo.grants import scuola_call
from civic.grants import services
from civic.grants.models import GrantApplication, GrantSettings
from tests.factories.accounts import make_user
from tests.factories.places import seed_municipi

DAY = timedelta(days=1)
CRITERIA = [
    {"code": "idea", "label": "Qualità dell'idea", "weight": 3, "threshold_half": 4},
    {"code": "need", "label": "Bisogno del quartiere", "weight": 2, "threshold_half": 0},
    {"code": "sustainability", "label": "Sostenibilità", "weight": 1, "threshold_half": 0},
]
SECTIONS = {
    "idea": "Una sartoria sociale.",
    "need": "Nel quartiere mancano luoghi di incontro.",
    "novelty": "Non esiste nulla di simile in zona.",
    "sustainability": "Vendita dei capi e quote associative.",
    "team": "Cinque residenti con esperienza.",
    "timeline": "Dodici mesi.",
}


def make_grant_call(
    db: Session, staff: User | None = None, *, deadline: datetime | None = None, **rules: Any
) -> tuple[Call, GrantSettings]:
    """A published grants call on every Municipio but the first, with rules set."""
    seed_municipi(db)
    staff = staff or make_user(db, roles=(Role.STAFF,))
    now = utcnow()
    budget = rules.pop("budget_cents", 60_000_00)
    data = services.SettingsData(
        max_grant_cents=30_000_00, criteria=CRITERIA, overall_threshold_half=4, **rules
    )
    windows = [Window(PhaseKind.SUBMISSION, now - 10 * DAY, deadline or now + 10 * DAY)]
    call, settings = scuola_call(db, staff, data, budget_cents=budget, windows=windows, now=now)
    db.commit()
    loaded = get_call(db, call.id)
    assert loaded is not None
    return loaded, settings


def make_application(
    db: Session,
    call: Call,
    settings: GrantSettings,
    lead: User | None = None,
    *,
    title: str = "Sartoria sociale a Corvetto",
    total_cents: int = 25_000_00,
    submit: bool = True,
    now: datetime | None = None,
) -> GrantApplication:
    """A group application with a confirmed second member, submitted unless asked."""
    lead = lead or make_user(db)
    now = now or utcnow()
    application = services.start_application(db, lead, call, settings, kind="group", now=now)
    services.save_draft(
        db,
        lead,
        application,
        call,
        settings,
        services.Draft(
            title=title,
            group_name="Residenti di via dei Cinquecento",
            organisation_name="",
            legal_form="",
            tax_code="",
            area_id=call.areas[0].area_id,
            sections=dict(SECTIONS),
            budget_lines=[
                ("Macchine da cucire", total_cents // 2),
                ("Affitto", total_cents - total_cents // 2),
            ],
            cofunding_cents=1_000_00,
        ),
        now=now,
    )
    member = make_user(db)
    token = services.invite_member(db, lead, application, str(member.email), now=now)
    services.confirm_member(db, member, token, now=now)
    if submit:
        services.submit(db, lead, application, call, settings, now=now)
    db.commit()
    return application
