"""Back a project with a card in the browser, the campaign succeeds, the pledge is charged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civic.core.db import get_database
from civic.crowdfunding import ledger
from civic.crowdfunding.closing import close_campaign
from civic.crowdfunding.models import Pledge
from tests.browser.conftest import LiveServer, check_accessibility, fill_test_card, sign_in
from tests.factories.accounts import make_user
from tests.factories.crowdfunding import make_campaign
from tests.support import Mailbox

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_back_a_project_and_get_charged_when_it_succeeds(
    browser: Any, live_server: LiveServer, mailbox: Mailbox
) -> None:
    base, app = live_server.url, live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            campaign = make_campaign(session, cost_cents=20_000_00)
            backer = make_user(session, email="sostenitrice@example.org", full_name="Sara Rossi")
            slug, campaign_id, email = campaign.slug, campaign.id, str(backer.email)
        finally:
            session.close()

    page = sign_in(browser, base, email)
    page.goto(f"{base}/crowdfunding")
    check_accessibility(page)
    page.get_by_role("link", name="Un orto condiviso in via Padova").click()
    back = page.get_by_role("link", name="Sostieni questo progetto")
    back.wait_for()  # the campaign's page, not the list it replaces, is the one checked
    check_accessibility(page)
    back.click()
    page.get_by_label("Importo (€)").fill("10.000,00")
    check_accessibility(page)
    page.get_by_role("button", name="Prosegui con la carta").click()
    page.wait_for_url("**/crowdfunding/impegni/**")
    fill_test_card(page)
    page.get_by_role("button", name="Salva la carta e conferma l'impegno").click()
    page.get_by_text("Carta salvata, nulla addebitato").wait_for()
    assert mailbox.last_to(email)["Subject"].startswith("Grazie per sostenere")

    # The deadline passes; the closing job runs.
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            from civic.crowdfunding.models import Campaign

            loaded = session.get(Campaign, campaign_id)
            assert loaded is not None
            assert close_campaign(session, campaign_id, now=loaded.ends_at) == "succeeded"
            totals = ledger.totals(session, campaign_id)
            charged = session.query(Pledge).filter_by(campaign_id=campaign_id, state="charged")
            assert charged.count() == 1
            assert ledger.unbalanced(session) == []
        finally:
            session.close()
    assert (totals.charged, totals.city_match) == (10_000_00, 10_000_00)
    receipt = mailbox.last_to(email)
    assert receipt["Subject"].startswith("Ricevuta: € 10.000,00")
    page.reload()
    page.get_by_text("Addebitato il").wait_for()
    page.goto(f"{base}/crowdfunding/{slug}")
    page.get_by_text("Finanziato").first.wait_for()
    assert "€ 10.000,00" in page.inner_text("main")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "crowdfunding-campaign.png"), full_page=True)
    assert page.console_errors == [] or all("localstripe" in e for e in page.console_errors)
