"""Crowdfunding through the web: applying, selecting, pledging with Stripe (localstripe)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.time import utcnow
from civic.crowdfunding import ledger
from civic.crowdfunding.closing import close_campaign
from civic.crowdfunding.models import Application, Campaign, Pledge
from tests.factories.accounts import log_in, make_user
from tests.factories.crowdfunding import make_campaign, make_crowdfunding_call, pledge
from tests.stripe_support import CARD_DECLINED_LATER, confirm_card_setup, flush
from tests.support import Mailbox
from tests.web.helpers import budget, post_with_token, rows, submit, text


@pytest.fixture
def app_overrides(localstripe: str) -> dict[str, Any]:
    flush(localstripe)
    return {"STRIPE_API_BASE": localstripe}


APPLICATION = {
    "organisation": "Cooperativa Sociale Il Ponte",
    "legal_form": "social_cooperative",
    "tax_code": "12345678901",
    "milan_office": "Via Padova 36, Milano",
    "title": "Cortili aperti",
    "summary": "Apriamo i cortili delle case popolari al quartiere.",
    "description": "Laboratori, cinema all'aperto e orti.",
    **rows(
        "partners",
        {"name": "Associazione Genitori Giacosa", "role": "partner"},
        {"name": "Bar Sport", "role": "sponsor"},
    ),
    **budget(("Arredi", "15.000,00"), ("Attività", "25.000,50")),
}


def _without_budget() -> dict[str, str]:
    return {k: v for k, v in APPLICATION.items() if not k.startswith("budget-")}


def test_an_organisation_applies_and_staff_select_the_project(
    client: FlaskClient, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, _settings = make_crowdfunding_call(db, staff)
    applicant = make_user(db)
    log_in(client, applicant)
    assert "Candidati con un progetto" in text(client.get(f"/bandi/{call.slug}"))
    url = f"/bandi/{call.slug}/candidatura"
    too_cheap = submit(client, url, _without_budget() | budget(("Arredi", "1.000,00")))
    assert "Il progetto costa meno del minimo del bando." in text(too_cheap)
    malformed = submit(client, url, _without_budget() | budget(("Arredi", "tanti")))
    assert "Scrivi un importo come 1.234,50." in text(malformed)
    assert 'value="tanti"' in text(malformed)
    assert db.scalar(select(func.count()).select_from(Application)) == 0
    done = submit(client, url, APPLICATION)
    assert done.status_code == 302
    application = db.scalar(select(Application))
    assert application is not None
    assert application.total_cost_cents == 40_000_50
    assert application.partners == [
        {"name": "Associazione Genitori Giacosa", "role": "partner"},
        {"name": "Bar Sport", "role": "sponsor"},
    ]

    desk = client.application.test_client()
    log_in(desk, staff)
    manage = f"/gestione/bandi/{call.id}/crowdfunding"
    assert "Cortili aperti" in text(desk.get(manage))
    scored = submit(
        desk,
        f"/gestione/crowdfunding/candidature/{application.id}/valuta",
        {"score": "82", "note": "Forte radicamento"},
        form_page=manage,
    )
    assert scored.status_code == 302
    short = submit(
        desk,
        f"/gestione/crowdfunding/candidature/{application.id}/seleziona",
        {
            "approved_cost": "40.000,00",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-10",
            "area_id": "0",
        },
        form_page=manage,
    )
    assert short.status_code == 302
    assert "fuori dall&#39;intervallo" in text(desk.get(manage))
    selected = submit(
        desk,
        f"/gestione/crowdfunding/candidature/{application.id}/seleziona",
        {
            "approved_cost": "40.000,00",
            "starts_on": "2027-03-01",
            "ends_on": "2027-04-14",
            "area_id": "0",
        },
        form_page=manage,
    )
    assert selected.status_code == 302
    campaign = db.scalar(select(Campaign))
    assert campaign is not None
    assert (campaign.goal_cents, campaign.city_match_cents) == (20_000_00, 20_000_00)
    assert campaign.state == "draft"
    assert client.get(f"/crowdfunding/{campaign.slug}").status_code == 200  # the lead sees it
    assert client.application.test_client().get(f"/crowdfunding/{campaign.slug}").status_code == 404


def test_backing_a_project_on_the_web(
    client: FlaskClient, db: Session, localstripe: str, mailbox: Mailbox
) -> None:
    with client.application.test_request_context("/"):
        campaign = make_campaign(db)
    backer = make_user(db, email="backer@example.org", full_name="Bruna Bianchi")
    log_in(client, backer)
    page = f"/crowdfunding/{campaign.slug}"
    assert "Sostieni questo progetto" in text(client.get(page))
    small = submit(client, f"{page}/sostieni", {"amount": "2,00", "tier": "0"})
    assert "L&#39;impegno minimo è di € 5,00." in text(small)
    started = submit(client, f"{page}/sostieni", {"amount": "25,00", "tier": "0", "anonymous": "y"})
    assert started.status_code == 302
    made = db.scalar(select(Pledge))
    assert made is not None
    assert made.state == "pending"
    card_page = client.get(started.headers["Location"])
    csp = card_page.headers["Content-Security-Policy"]
    assert localstripe in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "/js.stripe.com/v3/" in text(card_page)
    assert localstripe not in client.get(page).headers["Content-Security-Policy"]
    # The browser confirms the card with Stripe.js, then tells the server, which checks.
    confirm_card_setup(localstripe, str(made.stripe_setup_intent_id))
    confirmed = post_with_token(client, f"/crowdfunding/impegni/{made.reference}/conferma")
    assert confirmed.status_code == 302
    db.refresh(made)
    assert made.state == "active"
    public = text(client.application.test_client().get(page))
    assert "€ 25,00" in public
    assert "Bruna Bianchi" not in public  # anonymous in public
    assert "Anonimo" in public
    cancelled = post_with_token(client, f"/crowdfunding/impegni/{made.reference}/annulla")
    assert cancelled.status_code == 302
    db.refresh(made)
    assert made.state == "cancelled"
    assert ledger.totals(db, campaign.id).raised == 0
    stranger = client.application.test_client()
    log_in(stranger, make_user(db))
    assert stranger.get(f"/crowdfunding/impegni/{made.reference}").status_code == 404


def test_a_declined_backer_pays_with_another_card_on_the_web(
    client: FlaskClient, db: Session, localstripe: str, mailbox: Mailbox
) -> None:
    backer = make_user(db, email="declined@example.org")
    with client.application.test_request_context("/"):
        campaign = make_campaign(db, cost_cents=20_000_00)
        pledge(db, localstripe, campaign, 10_000_00)
        made = pledge(db, localstripe, campaign, 50_00, backer=backer, card=CARD_DECLINED_LATER)
        assert close_campaign(db, campaign.id, now=campaign.ends_at) == "grace"
    db.refresh(made)
    assert made.state == "action_needed"
    log_in(client, backer)
    pay = client.get(f"/crowdfunding/impegni/{made.reference}/paga")
    html = text(pay)
    assert pay.status_code == 200
    setup_id = html.split('name="setup_intent" value="', 1)[1].split('"', 1)[0]
    confirm_card_setup(localstripe, setup_id)  # Stripe.js with a new card
    paid = post_with_token(
        client, f"/crowdfunding/impegni/{made.reference}/paga", {"setup_intent": setup_id}
    )
    assert paid.status_code == 302
    db.refresh(made)
    assert made.state == "charged"
    assert ledger.totals(db, campaign.id).charged == 10_050_00
    assert ledger.unbalanced(db) == []


def test_the_campaign_page_shows_the_match_as_a_second_segment(
    client: FlaskClient, db: Session, localstripe: str
) -> None:
    with client.application.test_request_context("/"):
        campaign = make_campaign(db, cost_cents=20_000_00)
        pledge(db, localstripe, campaign, 10_000_00)
    html = text(client.get(f"/crowdfunding/{campaign.slug}"))
    assert "civic-funding-crowd civic-pct-50" in html
    assert "civic-funding-city civic-pct-50" in html  # the goal is reached: the match shows
    assert "€ 10.000,00" in html
    listing = text(client.get("/crowdfunding"))
    assert campaign.title in listing
    staff = make_user(db, roles=(Role.STAFF,))
    log_in(client, staff)
    manage = text(client.get(f"/gestione/crowdfunding/campagne/{campaign.id}"))
    assert "ogni movimento torna al centesimo" in manage
    assert "pledge_committed:" in manage
    assert utcnow() < campaign.ends_at


def test_a_pledge_while_stripe_is_down_gets_a_clear_message_and_saves_nothing(
    client: FlaskClient, db: Session
) -> None:
    with client.application.test_request_context("/"):
        campaign = make_campaign(db)
    client.application.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens
    log_in(client, make_user(db))
    response = submit(
        client, f"/crowdfunding/{campaign.slug}/sostieni", {"amount": "20,00", "tier": "0"}
    )
    assert response.status_code == 200
    assert "Il servizio di pagamento non è raggiungibile" in text(response)
    assert db.scalar(select(func.count()).select_from(Pledge)) == 0
    assert ledger.totals(db, campaign.id).raised == 0


def test_the_campaign_counts_people_and_pledges_apart_and_explains_its_bar(
    client: FlaskClient, db: Session
) -> None:
    """One person may back twice: the page said "1 backer" beside a list of two pledges, and
    a bar of the whole cost beside a percentage of the goal."""
    import secrets

    from civic.core.time import utcnow

    with client.application.test_request_context("/"):
        campaign = make_campaign(db)
    twice, once = make_user(db), make_user(db)
    now = utcnow()
    for person in (twice, twice, once):
        db.add(
            Pledge(
                campaign_id=campaign.id, backer_id=person.id, amount_cents=25_00,
                reference=secrets.token_hex(8), state="active", created_at=now, updated_at=now,
            )
        )  # fmt: skip
    db.commit()
    page = text(client.get(f"/crowdfunding/{campaign.slug}"))
    assert "2 sostenitori (3 impegni)" in page
    assert 'id="bar-explained"' in page
    assert "La barra è il costo intero del progetto" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"min_cost": "0"}, "min_cost", "deve essere più di zero"),
        ({"max_cost": "1.000,00"}, "max_cost", "almeno quello del più piccolo"),
        ({"max_days": "10"}, "max_days", "almeno quanto la più breve"),
    ],
)
def test_crowdfunding_rules_that_contradict_themselves_are_refused_beside_the_field(
    client: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    from civic.crowdfunding.models import CrowdfundingSettings

    call, settings = make_crowdfunding_call(db)
    before = (settings.min_cost_cents, settings.max_cost_cents, settings.max_days)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = {
        "crowd_share_pct": "50", "city_cap": "20.000,00", "min_cost": "5.000,00",
        "max_cost": "60.000,00", "min_days": "30", "max_days": "60", "grace_days": "7",
    } | changes  # fmt: skip
    page = text(submit(client, f"/gestione/bandi/{call.id}/crowdfunding", form))
    assert f'id="{field}-error"' in page
    assert message in page
    assert f'value="{changes[field]}"' in page  # what was typed stays
    db.expire_all()
    kept = db.get(CrowdfundingSettings, call.id)
    assert kept is not None
    assert (kept.min_cost_cents, kept.max_cost_cents, kept.max_days) == before
