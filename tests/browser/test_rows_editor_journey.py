"""A structured editor in the browser: budget lines added and removed in place with scripts,
by sending the form back without them, and Enter in a row's field never removes a row."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.db import get_database
from tests.browser.conftest import LiveServer, check_accessibility, sign_in
from tests.factories.accounts import make_user
from tests.factories.crowdfunding import make_crowdfunding_call

pytestmark = pytest.mark.browser


def _application_page(live_server: LiveServer, email: str) -> str:
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call, _settings = make_crowdfunding_call(session)
            make_user(session, email=email)
            session.commit()
            return f"{live_server.url}/bandi/{call.slug}/candidatura"
        finally:
            session.close()


def _budget_values(page: Any) -> list[str]:
    rows = page.locator("input[name$='-what'][name^='budget-']")
    return [rows.nth(n).input_value() for n in range(rows.count())]


def test_rows_are_added_and_removed_in_place_on_a_phone(
    browser: Any, live_server: LiveServer
) -> None:
    url = _application_page(live_server, "righe@example.org")
    page = sign_in(
        browser, live_server.url, "righe@example.org", viewport={"width": 360, "height": 780}
    )
    page.goto(url)
    budget = page.get_by_role("group", name="Budget")
    budget.get_by_label("Voce di spesa").fill("Attrezzi")
    budget.get_by_label("Importo (€)").fill("12.000,00")
    budget.get_by_role("button", name="Aggiungi una voce di spesa").click()
    assert _budget_values(page) == ["Attrezzi", ""]
    assert page.evaluate("document.activeElement.name") == "budget-1-what"  # focus moves on
    page.keyboard.type("Recinzione")
    budget.get_by_label("Importo (€)").nth(1).fill("28.000,00")
    budget.get_by_role("button", name="Rimuovi riga 1").click()
    assert _budget_values(page) == ["Recinzione"]
    assert page.url == url  # all in place: nothing was sent
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Enter in a row's field sends the form with its own button: the row stays, and the
    # missing fields are named.
    budget.get_by_label("Voce di spesa").press("Enter")
    page.get_by_text("Correggi quanto segue:").wait_for()
    assert _budget_values(page) == ["Recinzione"]  # kept as typed
    assert page.console_errors == []


def test_without_scripts_the_buttons_send_the_form_back_as_typed(
    browser: Any, live_server: LiveServer
) -> None:
    url = _application_page(live_server, "senza-script@example.org")
    page = sign_in(browser, live_server.url, "senza-script@example.org", java_script_enabled=False)
    page.goto(url)
    page.get_by_label("Titolo del progetto").fill("Cortili aperti")
    budget = page.get_by_role("group", name="Budget")
    budget.get_by_label("Voce di spesa").fill("Arredi")
    budget.get_by_role("button", name="Aggiungi una voce di spesa").click()
    page.wait_for_load_state()
    assert _budget_values(page) == ["Arredi", ""]
    assert page.get_by_label("Titolo del progetto").input_value() == "Cortili aperti"
    assert page.get_by_text("Correggi quanto segue:").count() == 0  # not a refusal
    budget.get_by_label("Voce di spesa").nth(1).fill("Attività")
    budget.get_by_role("button", name="Rimuovi riga 1").click()
    page.wait_for_load_state()
    assert _budget_values(page) == ["Attività"]
