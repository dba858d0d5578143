"""Vote, change the vote with the receipt, close, count, publish, read the results."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.db import get_database
from civic.core.time import utcnow
from tests.browser.conftest import LiveServer, check_accessibility, sign_in
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_voter, make_voting_call

pytestmark = pytest.mark.browser


def test_vote_change_count_publish_and_read(browser: Any, live_server: LiveServer) -> None:
    app, base = live_server.app, live_server.url
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call, projects = make_voting_call(session, ballot_kind="knapsack")
            area = next(iter(projects))
            voter = make_voter(session, area, email="elettrice@example.org")
            make_user(session, email="scrutatore@example.org", roles=(Role.STAFF,))
            slug, call_id, voter_email = call.slug, call.id, str(voter.email)
        finally:
            session.close()

    page = sign_in(browser, base, voter_email)
    page.goto(f"{base}/bandi/{slug}")
    page.get_by_role("main").get_by_role("link", name="Vota", exact=True).click()
    page.get_by_role("link", name="Vota in questo Municipio").first.click()
    page.wait_for_url(f"**/bandi/{slug}/voto/*")  # the ballot, not the list it replaces, is checked
    check_accessibility(page)
    page.locator(f"label[for=p{projects[area][0]}]").click()
    page.locator(f"label[for=p{projects[area][1]}]").click()
    assert page.locator("#running-count").inner_text() == "2"  # updated live, by script
    assert page.locator("#running-cost").inner_text() == "€ 70.000,00"
    page.get_by_role("button", name="Conferma il mio voto").click()
    page.get_by_role("heading", name="Il tuo voto è stato registrato").wait_for()
    receipt = page.locator("#receipt code").inner_text()
    check_accessibility(page)

    page.get_by_role("link", name="Cambia il mio voto").click()
    page.get_by_label("Codice ricevuta").fill(receipt)
    page.locator(f"label[for=p{projects[area][2]}]").click()
    page.get_by_role("button", name="Cambia il mio voto").click()
    page.get_by_role("heading", name="La tua scheda è stata modificata").wait_for()
    tracking = page.locator("#tracking-code").inner_text()
    check_accessibility(page)
    page.get_by_role("link", name="Guarda l'urna").click()
    page.get_by_role("heading", name="L'urna", exact=True).wait_for()
    assert page.get_by_text(tracking, exact=True).is_visible()  # the voter finds their ballot
    check_accessibility(page)

    with app.app_context():  # the clock moves on: voting closes
        session = get_database(app).session_factory()
        now = utcnow()
        session.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
            .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
        )
        session.commit()
        session.close()

    page.goto(f"{base}/bandi/{slug}/risultati")
    assert page.get_by_text("nessuno, personale del Comune compreso").is_visible()

    staff = sign_in(browser, base, "scrutatore@example.org")
    staff.goto(f"{base}/gestione/bandi/{call_id}/risultati")
    staff.get_by_role("button", name="Avvia lo scrutinio").click()
    staff.get_by_text("lo scrutinio è iniziato").wait_for()
    check_accessibility(staff)
    staff.goto(f"{base}/gestione/bandi/{call_id}/risultati")
    staff.get_by_role("button", name="Pubblica i risultati").click()
    staff.get_by_text("Non si può annullare.").wait_for()  # an irreversible step asks first
    check_accessibility(staff)
    staff.get_by_role("button", name="Pubblica i risultati").click()
    staff.get_by_text("I risultati sono pubblici.").wait_for()

    page.goto(f"{base}/bandi/{slug}/risultati")
    page.get_by_role("heading", name="Risultati", exact=True).wait_for()
    table = page.get_by_role("table").first
    assert "Finanziato" in table.inner_text()
    check_accessibility(page)
    page.set_viewport_size({"width": 360, "height": 780})  # a phone: nothing scrolls sideways
    page.reload()
    page.get_by_role("heading", name="Risultati", exact=True).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.console_errors == []
    assert staff.console_errors == []
    page.context.close()
    staff.context.close()
