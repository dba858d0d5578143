"""A meeting fills up: register, wait, a place frees up, the door checks the code on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from civic.core.db import get_database
from tests.browser.conftest import LiveServer, check_accessibility, sign_in, wait_until
from tests.factories.accounts import make_user
from tests.factories.meetings import make_meeting, make_staff
from tests.support import Mailbox

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_register_wait_get_promoted_and_check_in(
    browser: Any, live_server: LiveServer, mailbox: Mailbox
) -> None:
    base, app = live_server.url, live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            staff = make_staff(session)
            meeting = make_meeting(
                session,
                staff,
                capacity=1,
                agenda=True,
                title="Presentazione del bando nel Municipio 2",
                accessibility=["sign_language", "step_free"],
            )
            first = make_user(session, email="prima@example.org", full_name="Prima Persona")
            second = make_user(session, email="seconda@example.org", full_name="Seconda Persona")
            slug = meeting.slug
            meeting_id = meeting.id
            emails = [str(staff.email), str(first.email), str(second.email)]
        finally:
            session.close()

    one = sign_in(browser, base, emails[1])
    one.goto(f"{base}/incontri")
    check_accessibility(one)
    one.get_by_role("link", name="Presentazione del bando nel Municipio 2").click()
    register = one.get_by_role("link", name="Iscriviti")
    register.wait_for()  # the meeting's page, not the list it replaces, is the one checked
    check_accessibility(one)
    register.click()
    one.get_by_label("Organizzazione che rappresenti (facoltativo)").fill("Comitato Greco")
    one.locator("label[for=consent]").click()
    check_accessibility(one)
    one.get_by_role("button", name="Iscriviti").click()
    one.get_by_text("Hai un posto.").wait_for()
    code = one.locator(".civic-code").inner_text().strip()
    assert len(code) == 8
    wait_until(one, "document.querySelector('img.civic-qr').naturalWidth > 0")
    check_accessibility(one)

    two = sign_in(browser, base, emails[2])
    two.goto(f"{base}/incontri/{slug}")
    two.get_by_role("link", name="Entra in lista d'attesa").click()
    two.locator("label[for=consent]").click()
    two.get_by_role("button", name="Iscriviti").click()
    two.get_by_text("Sei in lista d'attesa.").first.wait_for()

    mailbox.clear()
    one.get_by_role("button", name="Annulla la mia iscrizione").click()
    one.get_by_text("La tua iscrizione è stata annullata.").wait_for()
    promoted = mailbox.last_to("seconda@example.org")
    assert promoted["Subject"].startswith("Si è liberato un posto")
    two.reload()
    two.get_by_text("Hai un posto.").wait_for()
    new_code = two.locator(".civic-code").inner_text().strip()
    assert new_code in Mailbox.body(promoted)

    # At the door, on a phone.
    door = sign_in(browser, base, emails[0], viewport={"width": 390, "height": 844}, is_mobile=True)
    door.goto(f"{base}/gestione/incontri/{meeting_id}/accoglienza")
    check_accessibility(door)
    door.get_by_label("Codice di iscrizione").fill(code)  # the one who cancelled
    door.get_by_role("button", name="Registra l'ingresso").click()
    door.get_by_text("Questa iscrizione è stata annullata.").first.wait_for()
    door.get_by_label("Codice di iscrizione").fill(new_code.lower())
    door.get_by_role("button", name="Registra l'ingresso").click()
    door.get_by_text("Seconda Persona: ingresso registrato").wait_for()
    SHOTS.mkdir(exist_ok=True)
    door.screenshot(path=str(SHOTS / "meeting-check-in-phone.png"), full_page=True)
    two.screenshot(path=str(SHOTS / "meeting-page.png"), full_page=True)
    for page in (one, two, door):
        assert page.console_errors == []
