"""On a phone the header is a row with a menu button (no JavaScript needed): the links open
under it, one per line; on a wide screen they stand in a row and the button is not there."""

from __future__ import annotations

from typing import Any

import pytest

from civic.accounts.domain import Role
from civic.core.db import get_database
from tests.browser.conftest import LiveServer, check_accessibility, sign_in
from tests.factories.accounts import make_user

pytestmark = pytest.mark.browser

MENU = "details.civic-menu > summary"


def _header_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('header').getBoundingClientRect().height"))


def test_on_a_phone_the_links_are_behind_a_menu_button(page: Any, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + "/")
    button = page.locator(MENU)
    assert button.is_visible()
    calls = page.get_by_role("link", name="Bandi", exact=True)
    assert not calls.is_visible()  # closed: the header is one row under the brand
    closed = _header_height(page)
    assert closed <= 170, closed  # before: 260 of the phone's 780 px
    check_accessibility(page)
    button.click()
    assert calls.is_visible()
    assert _header_height(page) > closed  # the links open under the button, pushing the page
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    calls.click()
    page.wait_for_url("**/bandi")
    page.get_by_role("heading", name="Bandi", exact=True).wait_for()
    assert page.console_errors == []


def test_on_a_wide_screen_the_links_stand_in_a_row(page: Any, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    assert not page.locator(MENU).is_visible()
    assert page.get_by_role("link", name="Bandi", exact=True).is_visible()
    assert page.get_by_role("navigation", name="Navigazione principale").count() == 1


def _staff_on_a_phone(browser: Any, live_server: LiveServer, email: str) -> Any:
    """A member of staff, signed in on a 360 px phone."""
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            make_user(session, roles=(Role.STAFF,), email=email)
            session.commit()
        finally:
            session.close()
    return sign_in(browser, live_server.url, email, viewport={"width": 360, "height": 780})


def test_staff_find_their_own_links_in_the_phone_menu(
    browser: Any, live_server: LiveServer
) -> None:
    phone = _staff_on_a_phone(browser, live_server, "menu-staff@example.org")
    assert _header_height(phone) <= 170  # the account button and "Esci" stay on the top row
    phone.locator(MENU).click()
    phone.get_by_role("link", name="Gestione", exact=True).click()
    phone.wait_for_url("**/gestione")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.context.close()


def test_on_a_phone_the_back_office_menu_folds_behind_a_button(
    browser: Any, live_server: LiveServer
) -> None:
    phone = _staff_on_a_phone(browser, live_server, "fold-staff@example.org")
    phone.goto(live_server.url + "/gestione")
    heading = phone.get_by_role("heading", name="Gestione", exact=True)
    box = heading.bounding_box()
    assert box is not None
    assert box["y"] < 300  # the page starts under the header, not under five rows of links
    assert not phone.get_by_role("link", name="Campagne", exact=True).is_visible()
    phone.locator("details.civic-office-menu > summary").click()
    phone.get_by_role("link", name="Campagne", exact=True).click()
    phone.wait_for_url("**/gestione/campagne")
    check_accessibility(phone)
    phone.context.close()
