"""From application to published ranking: a group applies, staff admit it, two jurors score
it after a third declares a conflict, the ranking is published."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts.domain import Role
from civic.core.db import get_database
from civic.grants.models import JuryAssignment
from tests.browser.conftest import LiveServer, check_accessibility, sign_in
from tests.factories.accounts import make_user
from tests.factories.grants import SECTIONS, make_grant_call
from tests.support import Mailbox

pytestmark = pytest.mark.browser


def test_application_to_published_ranking(
    browser: Any, live_server: LiveServer, mailbox: Mailbox
) -> None:
    base, app = live_server.url, live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            staff = make_user(session, roles=(Role.STAFF,), email="ufficio-sdq@example.org")
            call, _settings = make_grant_call(session, staff)
            jurors = [
                make_user(
                    session,
                    roles=(Role.JUROR,),
                    email=f"giurato{n}@example.org",
                    full_name=f"Giurato {n}",
                )
                for n in range(3)
            ]
            make_user(session, email="capofila@example.org", full_name="Carla Capofila")
            make_user(session, email="socio@example.org", full_name="Sandro Socio")
            slug, call_id = call.slug, call.id
            juror_ids = {j.id: str(j.email) for j in jurors}
        finally:
            session.close()

    lead = sign_in(browser, base, "capofila@example.org")
    lead.goto(f"{base}/bandi/{slug}")
    lead.get_by_role("button", name="Presenta domanda come gruppo di residenti").click()
    lead.get_by_label("Titolo del progetto").fill("Sartoria sociale a Corvetto")
    lead.get_by_label("Nome del gruppo").fill("Vicini di via dei Cinquecento")
    lead.locator("#area_id").select_option(index=1)
    for name, value in SECTIONS.items():
        lead.locator(f"#{name}").fill(value)
    budget = lead.get_by_role("group", name="Budget")
    budget.get_by_label("Voce di spesa").fill("Macchine da cucire")
    budget.get_by_label("Importo (€)").fill("12.000,00")
    budget.get_by_role("button", name="Aggiungi una voce di spesa").click()
    budget.get_by_label("Voce di spesa").nth(1).fill("Affitto")
    budget.get_by_label("Importo (€)").nth(1).fill("8.000,00")
    check_accessibility(lead)
    lead.get_by_role("button", name="Salva la bozza").click()
    lead.get_by_text("Contributo richiesto: € 20.000,00").wait_for()
    lead.get_by_label("Indirizzo e-mail del residente").fill("socio@example.org")
    lead.get_by_role("button", name="Invita", exact=True).click()
    link = Mailbox.link(mailbox.last_to("socio@example.org"), "/domande/conferma/")
    member = sign_in(browser, base, "socio@example.org")
    member.goto(link)
    member.get_by_text("Ora fai parte del gruppo.").wait_for()
    lead.reload()
    lead.get_by_role("button", name="Invia la domanda").click()
    lead.get_by_text("Inviata: protocollo").wait_for()
    assert "SDQ-" in lead.inner_text("main")

    office = sign_in(browser, base, "ufficio-sdq@example.org")
    office.goto(f"{base}/gestione/bandi/{call_id}/contributi")
    check_accessibility(office)
    office.get_by_role("button", name="Registra").click()  # outcome: admissible (the default)
    office.get_by_text("Verifica formale registrata").wait_for()
    office.get_by_role(
        "button", name="Assegna i giurati automaticamente (in modo bilanciato)"
    ).click()
    office.get_by_text("2 assegnazioni aggiunte.").wait_for()

    with app.app_context():
        session = get_database(app).session_factory()
        assigned = [
            a.juror_id for a in session.scalars(select(JuryAssignment).order_by(JuryAssignment.id))
        ]
        session.close()
    conflicted = juror_ids[assigned[0]]
    page = sign_in(browser, base, conflicted)
    page.goto(f"{base}/giuria")
    page.locator("table a").first.click()
    page.get_by_text("Ho un conflitto di interessi", exact=True).click()  # its label
    page.locator("#reason").fill("Conosco il gruppo")
    page.get_by_role("button", name="Dichiara").click()
    page.get_by_text("Ti sei astenuto").wait_for()

    with app.app_context():
        session = get_database(app).session_factory()
        active = [
            a.juror_id
            for a in session.scalars(
                select(JuryAssignment).where(JuryAssignment.recused_at.is_(None))
            )
        ]
        session.close()
    assert assigned[0] not in active
    assert len(active) == 2
    for juror_id in active:
        judge = sign_in(browser, base, juror_ids[juror_id])
        judge.goto(f"{base}/giuria")
        judge.locator("table a").first.click()
        judge.get_by_text("Non ho conflitti di interessi con questa domanda").click()  # no default
        judge.get_by_role("button", name="Dichiara").click()
        judge.get_by_text("Una sartoria sociale.").wait_for()
        check_accessibility(judge)
        for code in ("idea", "need", "sustainability"):
            judge.locator(f"#score-{code}").select_option("4,5")
            judge.locator(f"#comment-{code}").fill("Convincente e ben costruito")
        judge.get_by_role("button", name="Invia i miei punteggi (definitivi)").click()
        judge.get_by_text("Punteggi inviati.").wait_for()

    office.goto(f"{base}/gestione/bandi/{call_id}/contributi")
    office.get_by_role("button", name="Pubblica la graduatoria definitiva").click()
    office.get_by_text("Non si può annullare.").wait_for()  # an irreversible step asks first
    check_accessibility(office)
    office.get_by_role("button", name="Pubblica la graduatoria", exact=True).click()
    office.get_by_text("Graduatoria pubblicata.").wait_for()
    public = browser.new_context(locale="it-IT").new_page()
    public.goto(f"{base}/bandi/{slug}/graduatoria")
    public.get_by_role("heading", name="Graduatoria definitiva").wait_for()
    check_accessibility(public)
    assert "Finanziato" in public.inner_text("main")
    assert "finanziat" in mailbox.last_to("capofila@example.org")["Subject"]
