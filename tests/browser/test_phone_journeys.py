"""The main journeys on a 360 px phone: propose, support, review as staff, vote, pledge,
register for a meeting and score as a juror. On every page of each: nothing scrolls sideways,
axe finds nothing serious, and where a page's point is one button (support, back, register,
vote), that button is on the first screen, above the long text. The desktop journeys are the
other files of this folder."""

from __future__ import annotations

from typing import Any

import pytest

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant
from civic.core.db import get_database
from civic.core.time import utcnow
from civic.grants import jury
from civic.grants.services.review import decide_formal_check
from tests.browser.conftest import (
    ARTIFACTS,
    LiveServer,
    check_accessibility,
    fill_test_card,
    record_feasible,
    sign_in,
    wait_until,
)
from tests.factories.accounts import make_user
from tests.factories.calls import make_call, make_voter, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.grants import make_application, make_grant_call
from tests.factories.meetings import make_meeting

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 780
# A long text, as people write them: it must not push the page's one action off the screen.
LONG = " ".join(["Un testo lungo che racconta il progetto nei particolari."] * 60)


def _phone(browser: Any, live_server: LiveServer, email: str) -> Any:
    return sign_in(
        browser,
        live_server.url,
        email,
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
    )


def _fits(page: Any) -> None:
    """Nothing scrolls sideways and axe finds nothing serious."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"
    check_accessibility(page)


def _on_first_screen(page: Any, target: Any) -> None:
    """The target is whole on the screen the page opens on, before any scrolling."""
    page.evaluate("window.scrollTo(0, 0)")
    box = target.bounding_box()
    if box is None or box["y"] < 0 or box["y"] + box["height"] > HEIGHT:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-first-screen.png"))
    assert box is not None, f"{page.url}: not shown"
    assert box["y"] >= 0, f"{page.url}: {box}"
    assert box["y"] + box["height"] <= HEIGHT, f"{page.url}: {box}"


def _open_with_action_first(page: Any, url: str, action: Any) -> None:
    """Open a page whose point is one action: the action is on the first screen, and the page
    fits the phone."""
    page.goto(url)
    _on_first_screen(page, action)
    _fits(page)


def _done(*pages: Any) -> None:
    for page in pages:
        assert page.console_errors == []
        page.context.close()


def _build(live_server: LiveServer, make: Any) -> Any:
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            return make(session)
        finally:
            session.close()


def test_propose_support_and_review_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    def make(session: Any) -> tuple[str, dict[str, str]]:
        call = make_call(session, threshold=1, title="Bilancio partecipativo al telefono")
        people = {
            "author": make_user(session, email="tel-autrice@example.org"),
            "fan": make_user(session, email="tel-sostenitore@example.org"),
            "staff": make_user(
                session, email="tel-ufficio@example.org", full_name="Ufficio Telefono",
                roles=(Role.STAFF,),
            ),
        }  # fmt: skip
        return call.slug, {k: str(v.email) for k, v in people.items()}

    slug, emails = _build(live_server, make)
    base = live_server.url

    author = _phone(browser, live_server, emails["author"])
    author.goto(f"{base}/bandi/{slug}")
    _fits(author)
    author.get_by_role("link", name="Presenta una proposta").click()
    author.get_by_label("Titolo").fill(
        "Alberi, panchine e fontanelle lungo tutta la via Padova fino al parco della Martesana"
    )
    author.get_by_label("Descrizione").fill(LONG)
    author.get_by_label("Costo stimato (€)").fill("18.000,00")
    wait_until(author, "document.querySelector('#pick-map.leaflet-container') !== null")
    author.locator("#pick-map").scroll_into_view_if_needed()
    author.locator("#pick-map").click(position={"x": 150, "y": 120})
    assert author.locator("#lat").input_value() != ""
    _fits(author)
    author.get_by_role("button", name="Salva la bozza").click()
    author.get_by_role("button", name="Invia").wait_for()
    _fits(author)  # a long title wraps
    author.get_by_role("button", name="Invia").click()
    author.get_by_text("La tua proposta è stata inviata.").wait_for()
    proposal_url = author.url
    _fits(author)

    fan = _phone(browser, live_server, emails["fan"])
    support = fan.get_by_role("button", name="Sostieni questa proposta")
    _open_with_action_first(fan, proposal_url, support)
    support.click()
    fan.get_by_text("Grazie per il tuo sostegno.").wait_for()
    _fits(fan)

    staff = _phone(browser, live_server, emails["staff"])
    staff.goto(proposal_url)
    staff.get_by_label("Revisore").select_option(label="Ufficio Telefono")
    staff.get_by_role("button", name="Assegna").click()
    staff.get_by_text("Il revisore è stato assegnato.").wait_for()
    _fits(staff)
    record_feasible(staff, "Si può fare in primavera.")
    _fits(staff)
    assert staff.locator("#proposal-status").inner_text() == "Fattibile"
    _done(author, fan, staff)


def test_vote_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    def make(session: Any) -> tuple[str, int, list[int], str]:
        call, projects = make_voting_call(session)
        area = next(iter(projects))
        voter = make_voter(session, area, email="tel-elettore@example.org")
        return call.slug, area, projects[area], str(voter.email)

    slug, _area, projects, email = _build(live_server, make)
    page = _phone(browser, live_server, email)
    vote = page.get_by_role("main").get_by_role("link", name="Vota", exact=True)
    _open_with_action_first(page, f"{live_server.url}/bandi/{slug}", vote)
    vote.click()
    page.get_by_role("link", name="Vota in questo Municipio").first.click()
    # The ballot page must have replaced the list before it is measured: a click does not
    # wait for the navigation it starts.
    page.wait_for_url(f"**/bandi/{slug}/voto/*")
    _fits(page)
    page.locator(f"label[for=p{projects[0]}]").click()
    page.get_by_role("button", name="Conferma il mio voto").click()
    page.get_by_role("heading", name="Il tuo voto è stato registrato").wait_for()
    assert page.locator("#receipt code").inner_text() != ""
    _fits(page)
    _done(page)


def test_pledge_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    def make(session: Any) -> tuple[str, str]:
        campaign = make_campaign(session, cost_cents=20_000_00)
        campaign.description = LONG
        backer = make_user(session, email="tel-sostenitrice@example.org")
        session.commit()
        return campaign.slug, str(backer.email)

    slug, email = _build(live_server, make)
    page = _phone(browser, live_server, email)
    back = page.get_by_role("link", name="Sostieni questo progetto")
    _open_with_action_first(page, f"{live_server.url}/crowdfunding/{slug}", back)
    back.click()
    page.get_by_label("Importo (€)").fill("50,00")
    _fits(page)
    page.get_by_role("button", name="Prosegui con la carta").click()
    page.wait_for_url("**/crowdfunding/impegni/**")
    fill_test_card(page)
    _fits(page)
    page.get_by_role("button", name="Salva la carta e conferma l'impegno").click()
    page.get_by_text("Carta salvata, nulla addebitato").wait_for()
    _fits(page)
    _done(page)


def test_register_for_a_meeting_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    def make(session: Any) -> tuple[str, str]:
        meeting = make_meeting(
            session, title="Assemblea pubblica sul verde del Municipio 9", description=LONG
        )
        person = make_user(session, email="tel-partecipante@example.org")
        return meeting.slug, str(person.email)

    slug, email = _build(live_server, make)
    page = _phone(browser, live_server, email)
    register = page.get_by_role("link", name="Iscriviti")
    _open_with_action_first(page, f"{live_server.url}/incontri/{slug}", register)
    register.click()
    page.locator("label[for=consent]").click()
    _fits(page)
    page.get_by_role("button", name="Iscriviti").click()
    page.get_by_text("Hai un posto.").wait_for()
    _fits(page)
    _done(page)


def test_score_as_a_juror_on_a_phone(browser: Any, live_server: LiveServer) -> None:
    def make(session: Any) -> str:
        staff = make_user(session, roles=(Role.STAFF,))
        call, settings = make_grant_call(session, staff)
        application = make_application(session, call, settings, title="Doposcuola al telefono")
        decide_formal_check(session, staff, application, outcome="admissible", now=utcnow())
        juror = make_user(session, email="tel-giurata@example.org")
        session.add(RoleGrant(user_id=juror.id, role=Role.JUROR.value, granted_at=utcnow()))
        session.flush()
        jury.add_juror(session, staff, application, juror, now=utcnow())
        session.commit()
        return str(juror.email)

    email = _build(live_server, make)
    page = _phone(browser, live_server, email)
    page.goto(f"{live_server.url}/giuria")
    _fits(page)
    page.locator("table a").first.click()  # the application by its protocol number
    page.get_by_text("Non ho conflitti di interessi con questa domanda").click()
    _fits(page)
    page.get_by_role("button", name="Dichiara").click()
    page.get_by_text("Una sartoria sociale.").wait_for()
    for code in ("idea", "need", "sustainability"):
        page.locator(f"#score-{code}").select_option("4")
        page.locator(f"#comment-{code}").fill("Chiaro e fattibile")
    _fits(page)
    page.get_by_role("button", name="Invia i miei punteggi (definitivi)").click()
    page.get_by_text("Punteggi inviati.").wait_for()
    _fits(page)
    _done(page)
