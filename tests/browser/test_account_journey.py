"""A citizen's first visit, as a person does it, with an accessibility check on every page."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, check_accessibility
from tests.factories.accounts import PASSWORD
from tests.support import Mailbox

pytestmark = pytest.mark.browser


def test_register_verify_sign_in_switch_language_download_and_sign_out(
    page: Any, live_server: LiveServer, mailbox: Mailbox, tmp_path: Any
) -> None:
    base = live_server.url
    page.goto(base + "/")
    check_accessibility(page)
    page.get_by_role("link", name="Crea un account").first.click()
    page.wait_for_url("**/registrati")
    check_accessibility(page)

    page.get_by_label("Nome e cognome").fill("Giovanna Verdi")
    page.get_by_label("Indirizzo e-mail").fill("giovanna@example.org")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Ripeti la password").fill(PASSWORD)
    page.locator("label[for=privacy]").click(position={"x": 8, "y": 10})  # the drawn box
    assert page.locator("#privacy").is_checked()
    page.get_by_role("button", name="Crea l'account").click()
    page.get_by_role("heading", name="Controlla la tua e-mail").wait_for()
    check_accessibility(page)

    link = Mailbox.link(mailbox.last_to("giovanna@example.org"), "/verifica-email/")
    page.goto(link)
    page.wait_for_url("**/accedi")
    assert "Il tuo indirizzo e-mail è confermato" in page.content()
    check_accessibility(page)

    page.get_by_label("Indirizzo e-mail").fill("giovanna@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").last.click()
    page.wait_for_url("**/account")
    page.get_by_role("heading", name="Il mio account", exact=True).wait_for()
    check_accessibility(page)

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My account", exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    path = tmp_path / "data.json"
    download_info.value.save_as(str(path))
    data = json.loads(path.read_text())
    assert data["account"]["email"] == "giovanna@example.org"
    assert data["account"]["language"] == "en"

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("banner").get_by_role("link", name="Sign in").is_visible()
    check_accessibility(page)
    assert page.console_errors == []


@pytest.mark.parametrize(
    "path",
    ["/accedi", "/password-dimenticata", "/privacy", "/dichiarazione-accessibilita", "/non-esiste"],
)
def test_public_pages_pass_the_accessibility_check(
    page: Any, live_server: LiveServer, path: str
) -> None:
    page.goto(live_server.url + path)
    check_accessibility(page)
    assert page.console_errors == [] or path == "/non-esiste"


def test_form_errors_are_announced_and_tied_to_their_fields(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/registrati")
    page.get_by_label("Indirizzo e-mail").fill("non-valido")
    page.get_by_role("button", name="Crea l'account").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Inserisci un indirizzo e-mail valido." in summary.inner_text()
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in (email.get_attribute("aria-describedby") or "")
    check_accessibility(page)


def test_on_a_phone_the_navigation_sits_below_the_brand(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="it-IT")
    phone = context.new_page()
    try:
        phone.goto(live_server.url + "/")
        brand = phone.locator(".it-brand-wrapper").first.bounding_box()
        menu = phone.locator("details.civic-menu > summary")
        button = menu.bounding_box()
        assert brand is not None
        assert button is not None
        assert button["y"] >= brand["y"] + brand["height"]
        menu.click()  # the links open under the menu button
        nav = phone.get_by_role("navigation", name="Navigazione principale").bounding_box()
        assert nav is not None
        assert nav["y"] >= brand["y"] + brand["height"]
        assert phone.get_by_role("link", name="Home").is_visible()
        check_accessibility(phone)
    finally:
        context.close()
