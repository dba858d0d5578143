"""Three trustees get ready, each collects a share once, two of them open the box at the count;
every trustee page passes the axe checks, in Italian and English, and fits a 360 px phone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.db import get_database
from civic.core.time import utcnow
from civic.voting import services
from tests.browser.conftest import LiveServer, check_accessibility, sign_in
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_voter, make_voting_call

pytestmark = pytest.mark.browser


def _fits_a_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_trustees_collect_their_shares_and_two_open_the_box(
    browser: Any, live_server: LiveServer
) -> None:
    app, base = live_server.app, live_server.url
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call, projects = make_voting_call(session, secrecy="trustees")
            staff = make_user(session, roles=(Role.STAFF,))
            emails = [f"garante{n}-{call.id}@example.org" for n in range(3)]
            for n, email in enumerate(emails):
                make_user(session, email=email, language="en" if n == 1 else "it")
            services.set_up_box(
                session, staff, call, mode="trustees", trustee_emails=emails, threshold=2,
                now=utcnow(),
            )  # fmt: skip
            session.commit()
            call_id, slug, area = call.id, call.slug, next(iter(projects))
        finally:
            session.close()

    trustees = []
    for n, email in enumerate(emails):
        options = {"viewport": {"width": 360, "height": 780}} if n == 0 else {}
        page = sign_in(browser, base, email, **options)
        page.goto(f"{base}/garante")
        assert page.locator(f'a[href$="/garante/bandi/{call_id}"]').count() == 1, page.content()
        page.goto(f"{base}/garante/bandi/{call_id}")
        heading = "Trustee of the ballot box" if n == 1 else "Garante dell'urna"
        page.get_by_role("heading", name=heading).wait_for()
        check_accessibility(page)
        ready = (
            "I am ready to receive my share" if n == 1 else "Sono pronto a ricevere la mia quota"
        )
        page.get_by_role("button", name=ready).click()
        trustees.append(page)
    shares = []
    for n, page in enumerate(trustees):
        page.reload()
        english = n == 1
        show = "Show my share on screen" if english else "Mostra la mia quota sullo schermo"
        page.get_by_role("button", name=show).click()
        heading = "Your share of the key" if english else "La tua quota della chiave"
        page.get_by_role("heading", name=heading).wait_for()
        words = page.locator("#share-words li code").all_inner_texts()
        assert len(words) == 33
        shares.append(" ".join(w.split(". ", 1)[1] for w in words))
        check_accessibility(page)
        if n == 0:
            _fits_a_phone(page)
        page.goto(f"{base}/garante/bandi/{call_id}")
        collected = "You collected your share" if english else "Hai ritirato la tua quota"
        assert page.get_by_text(collected).is_visible()  # once only

    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        from civic.calls.queries import get_call

        loaded = get_call(session, call_id)
        for n in range(3):
            voter = make_voter(session, area)
            chosen = {projects[area][n]: 1}
            services.cast_ballot(session, voter, loaded, area, chosen, now=utcnow())  # type: ignore[arg-type]
            session.commit()
        now = utcnow()
        session.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
            .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
        )
        session.commit()
        session.close()

    first, second = trustees[0], trustees[2]
    first.goto(f"{base}/gestione/bandi/{call_id}/scrutinio")
    first.get_by_label("La tua quota: le 33 parole, in ordine").fill(shares[1])  # not hers
    first.get_by_role("button", name="Inserisci la mia quota").click()
    first.wait_for_load_state()
    assert "Questa non è la tua quota per questo bando." in first.content(), first.content()[-3000:]
    check_accessibility(first)
    _fits_a_phone(first)
    first.get_by_label("La tua quota: le 33 parole, in ordine").fill(shares[0].upper())
    first.get_by_role("button", name="Inserisci la mia quota").click()
    first.get_by_text("Inserite 1 quote su 2.").wait_for()
    second.goto(f"{base}/gestione/bandi/{call_id}/scrutinio")
    second.get_by_label("La tua quota: le 33 parole, in ordine").fill(shares[2])
    second.get_by_role("button", name="Inserisci la mia quota").click()
    second.get_by_text("L'urna è aperta").wait_for()
    check_accessibility(second)

    english = trustees[1]
    english.goto(f"{base}/bandi/{slug}/urna")
    english.get_by_role("heading", name="The ballot box", exact=True).wait_for()
    assert english.get_by_role("cell", name="3").first.is_visible()  # 3 sealed, 3 valid
    check_accessibility(english)
    for page in trustees:
        assert page.console_errors == []
        page.context.close()
