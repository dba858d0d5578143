"""From proposal to feasibility, as the people involved do it, with an axe check on each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from civic.accounts.domain import Role
from civic.core.db import get_database
from tests.browser.conftest import (
    LiveServer,
    check_accessibility,
    record_feasible,
    sign_in,
    wait_until,
)
from tests.factories.accounts import make_user
from tests.factories.calls import make_call
from tests.support import Mailbox

pytestmark = pytest.mark.browser


def _people_and_call(live_server: LiveServer) -> tuple[str, dict[str, str]]:
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call = make_call(session, threshold=1, title="Bilancio partecipativo del quartiere")
            emails = {
                "author": make_user(
                    session, email="autrice@example.org", full_name="Anna Autrice"
                ).email,
                "fan": make_user(session, email="sostenitore@example.org").email,
                "staff": make_user(
                    session,
                    email="ufficio@example.org",
                    full_name="Ufficio Verde",
                    roles=(Role.STAFF,),
                ).email,
            }
            return call.slug, {k: str(v) for k, v in emails.items()}
        finally:
            session.close()


def test_submit_support_review_and_notify(
    browser: Any, live_server: LiveServer, mailbox: Mailbox, tmp_path: Path
) -> None:
    base = live_server.url
    slug, emails = _people_and_call(live_server)

    author = sign_in(browser, base, emails["author"])
    author.goto(f"{base}/bandi/{slug}")
    check_accessibility(author)
    author.get_by_role("link", name="Presenta una proposta").click()
    author.get_by_label("Titolo").fill("Alberi e panchine in piazza")
    author.get_by_label("Descrizione").fill("Proponiamo **dieci alberi** e sei panchine all'ombra.")
    author.get_by_label("Costo stimato (€)").fill("18.000,00")
    wait_until(author, "document.querySelector('#pick-map.leaflet-container') !== null")
    author.locator("#pick-map").click(position={"x": 220, "y": 160})
    assert author.locator("#lat").input_value() != ""
    assert author.locator("#lon").input_value() != ""
    check_accessibility(author)
    author.get_by_role("button", name="Salva la bozza").click()
    author.get_by_role("heading", name="Alberi e panchine in piazza").wait_for()

    author.get_by_role("link", name="Modifica la proposta").click()
    photo = tmp_path / "piazza.png"
    Image.new("RGB", (64, 48), "green").save(photo)
    author.locator("#file").set_input_files(str(photo))
    author.get_by_role("button", name="Carica").click()
    author.get_by_text("piazza.png").wait_for()
    author.goto(author.url.replace("/modifica", ""))
    assert author.get_by_role("img", name="Immagine 1 della proposta").is_visible()
    author.get_by_role("button", name="Invia").click()
    author.get_by_text("La tua proposta è stata inviata.").wait_for()
    proposal_url = author.url
    check_accessibility(author)

    fan = sign_in(browser, base, emails["fan"])
    fan.goto(proposal_url)
    fan.get_by_role("button", name="Sostieni questa proposta").click()
    fan.get_by_text("Grazie per il tuo sostegno.").wait_for()
    assert fan.locator("#proposal-status").inner_text() == "In revisione"  # threshold of 1 reached

    staff = sign_in(browser, base, emails["staff"])
    staff.goto(proposal_url)
    staff.get_by_label("Revisore").select_option(label="Ufficio Verde")
    staff.get_by_role("button", name="Assegna").click()
    staff.get_by_text("Il revisore è stato assegnato.").wait_for()
    check_accessibility(staff)
    record_feasible(staff, "Il verde pubblico può piantare gli alberi in primavera.")

    email = mailbox.last_to(emails["author"])
    body = Mailbox.body(email)
    assert "Fattibile" in body
    assert "in primavera" in body
    author.goto(Mailbox.link(email, "/proposte/"))
    assert author.locator("#proposal-status").inner_text() == "Fattibile"
    assert author.get_by_text("€ 21.000,00").is_visible()
    check_accessibility(author)
    for page in (author, fan, staff):
        assert page.console_errors == []
        page.context.close()


def test_the_proposal_list_and_map_pass_the_accessibility_check(
    browser: Any, live_server: LiveServer
) -> None:
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            from tests.factories.calls import make_proposal

            call = make_call(session, title="Bando con mappa")
            make_proposal(session, call, title="Una proposta sulla mappa")
            slug = call.slug
        finally:
            session.close()
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    page.goto(f"{live_server.url}/bandi/{slug}/proposte")
    check_accessibility(page)
    page.get_by_role("link", name="Mappa", exact=True).click()
    page.locator(".leaflet-interactive").first.wait_for()
    check_accessibility(page)
    context.close()
