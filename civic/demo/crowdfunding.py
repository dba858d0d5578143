"""The demo's civic crowdfunding call, with campaigns and their money."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calls import services as call_services
from ..calls.domain import CallKind, PhaseKind, Window, written_by
from ..calls.models import Call
from ..crowdfunding import domain as cf_domain
from ..crowdfunding import services as cf_services
from ..crowdfunding.domain import CallRules
from ..crowdfunding.models import CrowdfundingSettings
from ..places.queries import list_municipi

CROWDFUNDING_SLUG = "alleanze-di-quartiere-2024-25"


ALLIANCES = (
    # title, organisation, Municipio, cost in euro, state, share of the goal pledged (percent)
    ("Cortili aperti in via Padova", "Cooperativa Sociale Il Ponte", 2, 40_000, "live", 35),
    ("Biciclette per tutti al Corvetto", "Ciclofficina Corvetto APS", 4, 30_000, "live", 88),
    ("Un teatro di quartiere a Quarto Oggiaro", "Fondazione Periferie", 8, 60_000, "live", 112),
    ("L'orto dei nonni a Baggio", "APS Orti di Baggio", 7, 24_000, "succeeded", 104),
    ("Doposcuola in musica a Lorenteggio", "Note di Quartiere APS", 6, 36_000, "failed", 41),
    ("Una cucina comune a NoLo", "Impresa Sociale Tavola Aperta", 2, 50_000, "grace", 100),
)


def _demo_crowdfunding(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """The 2024-25 "alleanze di quartiere" call: 50% from citizens, the city up to 50,000 euro,
    60-day campaigns; six campaigns in different states, their pledges and their ledger.
    Pledges are written directly (no card, no Stripe call): demo data only."""
    import secrets

    from ..accounts.queries import get_user
    from ..crowdfunding import ledger
    from ..crowdfunding.models import Campaign, Pledge

    if session.scalar(select(Call.id).where(Call.slug == CROWDFUNDING_SLUG)) is not None:
        return 0
    staff = get_user(session, staff_id)
    assert staff is not None
    day = timedelta(days=1)
    call, settings = alliances_call(
        session,
        staff,
        windows=[Window(PhaseKind.SUBMISSION, now - 200 * day, now - 120 * day)],
        now=now - 210 * day,
    )
    municipi = {area.number: area.id for area in list_municipi(session)}
    rng = random.Random(2425)  # noqa: S311 (a repeatable demo)  # nosec B311
    for n, (title, organisation, number, euros, state, share) in enumerate(ALLIANCES):
        lead = citizens[n % len(citizens)]
        application = cf_services.submit_application(
            session,
            lead,
            call,
            settings,
            cf_services.ApplicationData(
                organisation=organisation,
                legal_form="business" if organisation.startswith("Impresa") else "association",
                tax_code=f"97{n:03d}1230150"[:11],
                milan_office=f"Municipio {number}, Milano",
                title=title,
                summary=f"{title}: un progetto di quartiere costruito con i residenti.",
                description=(
                    f"**{organisation}** propone {title.lower()}. I residenti hanno scelto "
                    "insieme le attività; il progetto continua dopo il finanziamento con le "
                    "quote dei soci e il volontariato."
                ),
                budget_lines=[
                    ("Allestimento e materiali", euros * 60),
                    ("Attività e personale", euros * 40),
                ],
                partners=[("Comitato di quartiere", "partner")],
            ),
            now=now - 190 * day,
        )
        score = 90 - 5 * n
        cf_services.rank_application(session, staff, application, score, "", now=now - 150 * day)
        starts = now - (10 + 15 * n) * day if state == "live" else now - (80 + 5 * n) * day
        campaign = cf_services.select_application(
            session,
            staff,
            application,
            settings,
            approved_cost_cents=euros * 100,
            starts_at=starts,
            ends_at=starts + 60 * day,
            area_id=municipi.get(number),
            now=starts - 5 * day,
        )
        cf_services.open_campaign(session, staff, campaign, now=starts)
        if n == 0:
            cf_services.add_reward_tier(
                session,
                lead,
                campaign,
                title="Cena in cortile",
                description="Per due persone.",
                min_amount_cents=50_00,
                quantity=40,
                now=starts,
            )
            cf_services.post_update(
                session,
                lead,
                campaign,
                "Primo incontro con i residenti",
                "Grazie a chi è venuto: abbiamo scelto insieme i primi tre cortili.",
                now=starts + 3 * day,
            )
        target = campaign.goal_cents * share // 100
        raised = 0
        while raised < target:
            amount = min(target - raised, rng.choice([25, 50, 100, 250, 500, 1000]) * 100)
            amount = max(amount, cf_domain.MIN_PLEDGE_CENTS)
            backer = rng.choice(citizens)
            pledge_state = {
                "live": "active",
                "succeeded": "charged",
                "failed": "released",
                "grace": "charged",
            }[state]
            if state == "grace" and raised > target * 9 // 10:
                pledge_state = "action_needed"
            made = Pledge(
                campaign_id=campaign.id,
                backer_id=backer.id,
                amount_cents=amount,
                anonymous=rng.random() < 0.3,
                public_name=backer.display_name,
                reference=secrets.token_urlsafe(18),
                state=pledge_state,
                charge_attempts=1 if pledge_state == "action_needed" else 0,
                action_deadline=now + 5 * day if pledge_state == "action_needed" else None,
                created_at=starts + day,
                updated_at=starts + day,
                charged_at=campaign.ends_at if pledge_state == "charged" else None,
            )
            session.add(made)
            session.flush()
            for kind, lines, when in _demo_movements(pledge_state, amount, starts, campaign):
                ledger.post(
                    session,
                    movement=f"{kind}:{made.id}",
                    campaign_id=campaign.id,
                    pledge_id=made.id,
                    kind=kind,
                    lines=lines,
                    now=when,
                )
            raised += amount
        loaded = session.get(Campaign, campaign.id)
        assert loaded is not None
        if state == "succeeded":
            loaded.state, loaded.closed_at = "succeeded", campaign.ends_at
            match = campaign.city_match_cents
            ledger.post(
                session,
                movement=f"city_match:{campaign.id}",
                campaign_id=campaign.id,
                kind="city_match",
                lines={"city": -match, "payout": match},
                reference="city-budget",
                now=campaign.ends_at,
            )
        elif state == "failed":
            loaded.state, loaded.closed_at = "failed", campaign.ends_at
        elif state == "grace":
            loaded.state, loaded.grace_ends_at = "grace", now + 5 * day
    session.flush()
    return len(ALLIANCES)


def _demo_movements(
    state: str, amount: int, starts: datetime, campaign: Any
) -> list[tuple[str, dict[str, int], datetime]]:
    """The ledger movements a demo pledge in ``state`` went through."""
    committed = {"pledged": amount, "backer_commitments": -amount}
    released = {"pledged": -amount, "backer_commitments": amount}
    moves = [("pledge_committed", committed, starts + timedelta(days=1))]
    if state == "charged":
        charged = released | {"stripe": amount, "backers": -amount}
        moves.append(("pledge_charged", charged, campaign.ends_at))
    if state == "released":
        moves.append(("pledge_released", released, campaign.ends_at))
    return moves


# Milan's rules for neighbourhood alliances: half from the crowd, the city's half up to 50,000
# euro, projects of 20,000 to 100,000 euro, campaigns of 40 to 60 days. The tests' factories
# build their calls with the same builder.
ALLIANCE_RULES = CallRules(
    crowd_share_pct=50,
    city_cap_cents=50_000_00,
    min_cost_cents=20_000_00,
    max_cost_cents=100_000_00,
    min_days=40,
    max_days=60,
    grace_days=7,
)


def alliances_call(
    session: Session, staff: User, *, windows: list[Window], now: datetime
) -> tuple[Call, CrowdfundingSettings]:
    """A published civic-crowdfunding call with Milan's alliance rules and these phases."""
    call = call_services.create_call(
        session,
        staff,
        call_services.CallData(
            kind=CallKind.CROWDFUNDING,
            title_it="Alleanze di quartiere 2024-25",
            title_en="Neighbourhood alliances 2024-25",
            description_it=(
                "Il Comune seleziona progetti di enti non profit e imprese con sede a Milano, "
                "da soli o in partenariato con un capofila. Ogni progetto raccoglie dai cittadini "
                "il 50% del costo in una campagna di 60 giorni; se ci riesce, il Comune aggiunge "
                "l'altro 50%, fino a 50.000 euro."
            ),
            description_en=(
                "The city selects projects by non-profits and businesses with an office in "
                "Milan, alone or with partners under a lead. Each project raises 50% of its "
                "cost from citizens in a 60-day campaign; if it succeeds, the city adds the "
                "other 50%, up to 50,000 euro."
            ),
            windows=windows,
        ),
        now=written_by(windows, now),
    )
    call_services.publish_call(session, staff, call, now=now)
    return call, cf_services.save_settings(session, staff, call, ALLIANCE_RULES, now=now)
