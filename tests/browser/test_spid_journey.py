"""Sign in through the (test) SPID/CIE provider, be verified by the census, vote; a person not
in the census is told why they cannot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from civic.accounts.domain import Role
from civic.core.db import get_database
from civic.core.time import utcnow
from civic.places.queries import list_municipi
from civic.residency.census import import_census
from tests.browser.conftest import LiveServer, check_accessibility
from tests.conftest import make_test_app
from tests.factories.accounts import make_user
from tests.factories.calls import make_voting_call
from tests.oidc_support import CLIENT_ID, CLIENT_SECRET, oidc_provider
from tests.support import Mailbox, free_port

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def spid_server(browser_database: str, smtp: tuple[int, Mailbox]) -> Iterator[LiveServer]:
    """A live server of its own, registered with a real OpenID provider as its broker."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with oidc_provider([f"{base}/accedi/spid/ritorno"]) as issuer:
        app = make_test_app(
            browser_database,
            smtp[0],
            RATELIMIT_ENABLED=False,
            EXTRA_HOSTS=["127.0.0.1"],  # the browser asks for the server by its address
            PUBLIC_URL=base,
            OIDC_ISSUER=issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
        )
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(url=base, app=app)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            get_database(app).engine.dispose()


def _spid(browser: Any, base: str, login: str) -> Any:
    page = browser.new_context(locale="it-IT").new_page()
    page.goto(base + "/accedi")
    check_accessibility(page)
    page.get_by_role("link", name="Entra con SPID o CIE").click()
    # The provider's own pages (oidc-provider's development login and consent).
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent
    page.wait_for_url(f"{base}/account")
    return page


def test_spid_sign_in_census_and_vote(browser: Any, spid_server: LiveServer) -> None:
    base, app = spid_server.url, spid_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call, projects = make_voting_call(session)
            area = next(iter(projects))
            number = next(a.number for a in list_municipi(session) if a.id == area)
            staff = make_user(session, roles=(Role.STAFF,))
            report = import_census(
                session, staff, f"RSSMRA85T10A562S,{number},1985-12-10\n", now=utcnow()
            )
            assert report.imported == 1
            session.commit()
            slug, label = call.slug, f"Municipio {number}"
        finally:
            session.close()

    mario = _spid(browser, base, "mario")
    assert "RSSMRA85T10A562S" in mario.inner_text("main")
    mario.goto(f"{base}/bandi/{slug}/voto")
    assert label in mario.inner_text("main")
    mario.get_by_role("link", name="Vota in questo Municipio").first.click()
    mario.locator(f"label[for=p{projects[area][0]}]").click()
    mario.get_by_role("button", name="Conferma il mio voto").click()
    mario.get_by_role("heading", name="Il tuo voto è stato registrato").wait_for()

    giulia = _spid(browser, base, "giulia")  # signed in, but not in the census
    giulia.goto(f"{base}/bandi/{slug}/voto")
    giulia.get_by_text("Per votare, accedi con SPID o CIE").first.wait_for()
    giulia.goto(f"{base}/bandi/{slug}/voto/{area}")
    giulia.locator(f"label[for=p{projects[area][0]}]").click()
    giulia.get_by_role("button", name="Conferma il mio voto").click()
    giulia.get_by_text("Per votare, accedi con SPID o CIE").first.wait_for()
    SHOTS.mkdir(exist_ok=True)
    giulia.screenshot(path=str(SHOTS / "spid-refused.png"), full_page=True)
