"""The dashboard as a person uses it: open it from the menu, filter by Municipio, read the
charts' tables, follow a funded project (signing in on the way), download the CSV and find the
page's figures in it; then staff report progress and the follower is told by e-mail."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from civic.accounts.domain import Role
from civic.core.db import get_database
from civic.core.time import utcnow
from civic.execution import services as execution
from civic.execution.domain import Progress, Status
from civic.execution.models import TrackedProject
from civic.voting.models import VoteResult
from civic.voting.services import counting
from tests.browser.conftest import LiveServer, check_accessibility, wait_until
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.calls import make_voting_call
from tests.support import Mailbox

pytestmark = pytest.mark.browser


def _seed(app: Any, follower: str = "segue.cruscotto@example.org") -> dict[str, Any]:
    """A vote with its result published: the winner of the first Municipio is funded."""
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            staff = make_user(session, roles=(Role.STAFF,))
            call, projects = make_voting_call(session, voting_open=False)
            area = sorted(projects)[0]
            winner = projects[area][0]
            session.add(
                VoteResult(
                    call_id=call.id, area_id=area, rule="greedy", budget_cents=100_000_00,
                    winners=[winner], explanation={}, ballots=12, voters=12, computed_at=utcnow(),
                )
            )  # fmt: skip
            session.flush()
            counting.publish_results(session, staff, call, now=utcnow())
            session.commit()
            project = (
                session.query(TrackedProject).filter_by(source="budget", source_id=winner).one()
            )
            follower = make_user(session, email=follower)
            return {
                "area": area,
                "project": project.id,
                "title": project.title,
                "staff": staff.id,
                "follower": follower.email,
            }
        finally:
            session.close()


def _cells(page: Any, area: int) -> dict[str, str]:
    row = page.locator(f'#by-municipio tr[data-area="{area}"]')
    return {
        field: row.locator(f'td[data-field="{field}"]').inner_text().strip()
        for field in ("proposals", "supports", "voters", "projects", "allocated_cents", "grants")
    }


def test_filter_the_dashboard_follow_a_funded_project_and_check_the_csv(
    page: Any, live_server: LiveServer, smtp: tuple[int, Mailbox]
) -> None:
    app, base = live_server.app, live_server.url
    seeded = _seed(app)
    area = seeded["area"]
    page.goto(base + "/")
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Cruscotto"
    ).click()
    page.wait_for_url("**/dashboard")
    wait_until(page, "document.querySelectorAll('.civic-chart canvas').length === 3")
    check_accessibility(page)
    # Filter by the Municipio of the funded project.
    page.get_by_label("Municipio", exact=True).select_option(str(area))
    page.get_by_role("button", name="Mostra i dati").click()
    page.wait_for_url(re.compile(rf".*municipio={area}.*"))
    rows = page.locator("#by-municipio tbody tr")
    assert rows.count() == 1
    shown = _cells(page, area)
    # Other journeys share this database: this Municipio holds at least what was seeded here.
    assert int(shown["projects"]) >= 1
    assert int(shown["voters"]) >= 12
    # The chart's data table beside it holds the same figures.
    participation = page.locator("#chart-participation-table tbody tr")
    assert participation.count() == 1
    assert participation.locator("td").nth(2).inner_text().strip() == shown["voters"]
    check_accessibility(page)
    # The CSV of the filtered view holds the figures of the page.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica questi dati (CSV, CC BY 4.0)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    by_area = {row["area_id"]: row for row in csv.DictReader(io.StringIO(text))}
    row = by_area[str(area)]
    for field in ("proposals", "supports", "voters", "grants"):
        assert row[field] == shown[field], field
    assert row["projects_funded"] == shown["projects"]
    euros = int(row["allocated_cents"]) // 100
    assert shown["allocated_cents"].replace(".", "").startswith(f"€ {euros},")
    assert by_area[""]["municipio"] == "Totale"
    # Follow the funded project: from its figure to the list, the project, sign in, follow.
    page.locator(f'#by-municipio tr[data-area="{area}"] td[data-field="projects"] a').click()
    page.wait_for_url("**/progetti-finanziati?*")
    check_accessibility(page)
    page.locator(f'a[href="/progetti-finanziati/{seeded["project"]}"]').click()
    page.wait_for_url(f"**/progetti-finanziati/{seeded['project']}")
    page.get_by_role("link", name="Accedi per seguire questo progetto").click()
    page.get_by_label("Indirizzo e-mail").fill(seeded["follower"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"**/progetti-finanziati/{seeded['project']}")
    # A click only starts the navigation: wait for the next page's message.
    page.get_by_role("button", name="Segui questo progetto").click()
    page.get_by_text("Segui questo progetto: ti scriveremo a ogni cambiamento.").wait_for()
    check_accessibility(page)
    # Staff report progress: the follower hears of it.
    mailbox = smtp[1]
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            from civic.accounts.queries import get_user

            staff = get_user(session, seeded["staff"])
            execution.report(
                session, staff, seeded["project"], Progress(Status.IN_PROGRESS, 20, 10_000_00, 0),
                body="Lavori iniziati.", now=utcnow(),
            )  # fmt: skip
            session.commit()
        finally:
            session.close()
    message = mailbox.last_to(seeded["follower"])
    assert "Avanzamento: 0% → 20%" in Mailbox.body(message)
    page.reload()
    assert page.get_by_text("Lavori iniziati.").is_visible()
    assert page.console_errors == []


def test_staff_report_progress_with_a_photo_from_the_page(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    from PIL import Image

    from tests.browser.conftest import sign_in

    app, base = live_server.app, live_server.url
    seeded = _seed(app, follower="segue.cantiere@example.org")
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            staff = make_user(session, roles=(Role.STAFF,), email="ufficio.attuazione@example.org")
            email = staff.email
        finally:
            session.close()
    photo = tmp_path / "cantiere.png"
    Image.new("RGB", (60, 40), "orange").save(photo)
    page = sign_in(browser, base, email)
    page.goto(f"{base}/gestione/progetti-finanziati/{seeded['project']}")
    check_accessibility(page)
    page.get_by_label("Stato").select_option("in_progress")
    page.get_by_label("Avanzamento (%)").fill("15")
    page.get_by_label("Somme impegnate (€)").fill("12.000,00")
    page.get_by_label("Somme spese (€)").fill("1.500,50")
    page.get_by_label("Aggiornamento per il pubblico").fill("Consegnato il cantiere.")
    page.locator("#photo_1").set_input_files(str(photo))
    page.locator("#alt_1").fill("Il cantiere appena recintato")
    page.get_by_role("button", name="Pubblica l'aggiornamento").click()
    page.get_by_text("L'aggiornamento è pubblico").wait_for()
    page.locator("#title").fill("Fine dei lavori")
    page.locator("#due_on").fill("2027-05-31")
    page.get_by_role("button", name="Aggiungi la tappa").click()
    page.get_by_text("Tappa aggiunta.").wait_for()
    check_accessibility(page)
    page.goto(f"{base}/progetti-finanziati/{seeded['project']}")
    assert page.get_by_text("Somme spese: € 0,00 → € 1.500,50").is_visible()
    image = page.get_by_role("img", name="Il cantiere appena recintato")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 60
    assert page.get_by_role("rowheader", name="Fine dei lavori").is_visible()
    check_accessibility(page)
    assert page.console_errors == []
