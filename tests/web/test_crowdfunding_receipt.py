"""A crowdfunding application has a receipt: an e-mail with a link and a page to read it again,
seen only by its lead and by staff; the committee's decision (and the reason for a no) reaches
the lead by e-mail and on that page; the activity page links to it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.crowdfunding.models import Application, Campaign
from tests.factories.accounts import log_in, make_user
from tests.factories.crowdfunding import make_crowdfunding_call
from tests.support import Mailbox
from tests.web.helpers import submit, text
from tests.web.test_crowdfunding import APPLICATION


def _applied(client: FlaskClient, db: Session) -> tuple[Application, str, User]:
    staff = make_user(db, roles=(Role.STAFF,))
    call, _settings = make_crowdfunding_call(db, staff)
    log_in(client, make_user(db, email="ponte@example.org", full_name="Paola Ponte"))
    sent = submit(client, f"/bandi/{call.slug}/candidatura", APPLICATION)
    application = db.scalar(select(Application))
    assert application is not None
    return application, sent.headers["Location"], staff


def _desk(client: FlaskClient, application: Application, staff: User) -> tuple[FlaskClient, str]:
    """Staff's own client, and the call's crowdfunding page where they decide."""
    desk = client.application.test_client()
    log_in(desk, staff)
    return desk, f"/gestione/bandi/{application.call_id}/crowdfunding"


def test_the_applicant_gets_a_receipt_and_a_page_to_read_it_again(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    application, location, staff = _applied(client, db)
    page_url = f"/crowdfunding/candidature/{application.id}"
    assert location.endswith(page_url)  # after sending, the receipt page
    page = text(client.get(page_url))
    assert "Cortili aperti" in page
    assert "€ 40.000,50" in page
    assert "Bar Sport (sponsor)" in page
    assert "Ricevuta il" in page

    receipt = mailbox.last_to("ponte@example.org")
    assert receipt["Subject"] == "Candidatura ricevuta: Cortili aperti"
    assert "€ 40.000,50" in Mailbox.body(receipt)
    link = Mailbox.link(receipt, page_url)
    assert client.get(link).status_code == 200

    activity = text(client.get("/account/attivita"))
    assert f'href="{page_url}"' in activity

    outsider = client.application.test_client()
    log_in(outsider, make_user(db))
    assert outsider.get(page_url).status_code == 404
    assert client.application.test_client().get(page_url).status_code == 302  # sign in first
    desk = client.application.test_client()
    log_in(desk, staff)
    assert desk.get(page_url).status_code == 200


def test_a_rejection_reaches_the_lead_with_its_reason(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    application, _location, staff = _applied(client, db)
    desk, manage = _desk(client, application, staff)
    rejected = submit(
        desk,
        f"/gestione/crowdfunding/candidature/{application.id}/respingi",
        {"reason": "Il progetto non riguarda spazi pubblici."},
        form_page=manage,
    )
    assert rejected.status_code == 302
    told = mailbox.last_to("ponte@example.org")
    assert told["Subject"] == "La tua candidatura non è stata selezionata: Cortili aperti"
    assert "Il progetto non riguarda spazi pubblici." in Mailbox.body(told)
    page = text(client.get(f"/crowdfunding/candidature/{application.id}"))
    assert "Il progetto non riguarda spazi pubblici." in page


def test_a_selection_reaches_the_lead_and_links_the_campaign(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    application, _location, staff = _applied(client, db)
    desk, manage = _desk(client, application, staff)
    chosen = {
        "approved_cost": "40.000,00",
        "starts_on": "2027-03-01",
        "ends_on": "2027-04-14",
        "area_id": "0",
    }
    url = f"/gestione/crowdfunding/candidature/{application.id}/seleziona"
    assert submit(desk, url, chosen, form_page=manage).status_code == 302
    told = mailbox.last_to("ponte@example.org")
    assert told["Subject"] == "Il tuo progetto è stato selezionato: Cortili aperti"
    campaign = db.scalar(select(Campaign))
    assert campaign is not None
    page = text(client.get(f"/crowdfunding/candidature/{application.id}"))
    assert f'href="/crowdfunding/{campaign.slug}"' in page
