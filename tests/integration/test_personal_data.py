"""Everything a person did is in their data export and on their activity page; deleting the
account erases their name and address from every page, export and table."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts import services as accounts
from civic.accounts.domain import Role
from civic.core import personal_data
from civic.core.time import utcnow
from civic.execution.models import ProjectFollower, TrackedProject
from civic.models import metadata
from civic.proposals import services as proposals
from civic.voting import services as voting
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.factories.calls import make_call, make_proposal, make_voter, make_voting_call
from tests.factories.crowdfunding import (
    application_data,
    make_campaign,
    make_crowdfunding_call,
    pledge,
)
from tests.factories.grants import make_application, make_grant_call
from tests.factories.meetings import make_meeting, register
from tests.web.helpers import text

NAME = "Zelinda Quartararo"
EMAIL = "zelinda.quartararo@example.org"


@pytest.fixture
def app_overrides(localstripe: str) -> dict[str, Any]:
    from tests.stripe_support import flush

    flush(localstripe)
    return {"STRIPE_API_BASE": localstripe}


def _everything(db: Session, localstripe: str) -> dict[str, Any]:
    """A person who proposed, commented, supported, followed, voted, pledged, applied for a
    grant and for crowdfunding, registered for a meeting and followed a funded project."""
    from civic.crowdfunding import services as crowdfunding

    now = utcnow()
    call = make_call(db)
    # Her vote's Municipio is her residence, so her proposal goes there too.
    voting_call, projects = make_voting_call(db)
    area = next(iter(projects))
    person = make_voter(db, area, email=EMAIL, full_name=NAME)
    proposal = make_proposal(db, call, person, title="Panchine in piazza Leonardo")
    other = make_proposal(db, call, title="Fontanella in via Celoria")
    proposals.add_comment(db, person, other, "Ottima idea, la sostengo.", parent_id=None, now=now)
    proposals.support_proposal(db, person, other, call, now=now)
    proposals.follow(db, person, other, now=now)
    voting.cast_ballot(db, person, voting_call, area, {projects[area][0]: 1}, now=now)
    campaign = make_campaign(db)
    made = pledge(db, localstripe, campaign, 25_00, backer=person)
    cf_call, cf_settings = make_crowdfunding_call(db)
    crowdfunding.submit_application(
        db, person, cf_call, cf_settings, application_data(title="Cortile verde"), now=now
    )
    grant_call, grant_settings = make_grant_call(db)
    make_application(db, grant_call, grant_settings, person, title="Sartoria di quartiere")
    meeting = make_meeting(db, title="Presentazione del bilancio")
    register(db, meeting, person)
    project = TrackedProject(
        source="budget", source_id=other.id, call_id=call.id, area_id=other.area_id,
        theme_id=other.theme_id, title="Fontanella in via Celoria", funded_cents=10_000_00,
        funded_at=now, updated_at=now,
    )  # fmt: skip
    db.add(project)
    db.flush()
    db.add(ProjectFollower(user_id=person.id, project_id=project.id, created_at=now))
    db.commit()
    return {
        "person": person,
        "proposal": proposal,
        "other": other,
        "campaign": campaign,
        "pledge": made,
        "meeting": meeting,
        "project": project,
        "voting_call": voting_call,
    }


def test_the_export_holds_every_kind_of_contribution(
    app_ctx: Flask, db: Session, localstripe: str
) -> None:
    did = _everything(db, localstripe)
    data = accounts.export_personal_data(db, did["person"], now=utcnow())
    assert data["account"]["full_name"] == NAME
    assert [p["title"] for p in data["proposals"]["proposals"]] == ["Panchine in piazza Leonardo"]
    assert data["proposals"]["comments"][0]["text"] == "Ottima idea, la sostengo."
    assert did["other"].id in {s["proposal_id"] for s in data["proposals"]["supports"]}
    assert did["other"].id in {f["proposal_id"] for f in data["proposals"]["follows"]}
    assert [v["call_id"] for v in data["voting"]["votes"]] == [did["voting_call"].id]
    assert "choices" not in str(data["voting"])  # how she voted is nowhere: sealed apart
    assert data["crowdfunding"]["pledges"][0]["amount_cents"] == 25_00
    assert data["crowdfunding"]["applications"][0]["title"] == "Cortile verde"
    assert data["grants"]["applications"][0]["title"] == "Sartoria di quartiere"
    assert data["grants"]["applications"][0]["lead"] is True
    assert data["meetings"][0]["meeting"] == "Presentazione del bilancio"
    assert data["funded_projects"]["follows"][0]["project_id"] == did["project"].id
    assert set(personal_data.exporters) == set(data) - {"exported_at", "format"}


def test_the_activity_page_lists_each_with_its_link(
    app: Flask, client: FlaskClient, db: Session, localstripe: str
) -> None:
    with app.test_request_context("/"):
        did = _everything(db, localstripe)
    log_in(client, did["person"])
    page = text(client.get("/account/attivita"))
    listed = page.split('id="activity"', 1)[1].split("</ul>", 1)[0]
    for label, link in [
        ("Proposta", f'href="/proposte/{did["proposal"].id}"'),
        ("Commento", f'href="/proposte/{did["other"].id}#comment-'),
        ("Sostegno", f'href="/proposte/{did["other"].id}"'),
        ("Segui una proposta", f'href="/proposte/{did["other"].id}"'),
        ("Voto espresso", f'href="/bandi/{did["voting_call"].slug}/urna"'),
        ("Impegno di sostegno", f'href="/crowdfunding/impegni/{did["pledge"].reference}"'),
        ("Candidatura di crowdfunding", "Cortile verde"),
        ("Domanda di contributo", 'href="/domande/'),
        ("Iscrizione a un incontro", f'href="/incontri/{did["meeting"].slug}"'),
        ("Segui un progetto finanziato", f'href="/progetti-finanziati/{did["project"].id}"'),
    ]:
        assert label in listed, label
        assert link in listed, link
    assert "Nulla per ora" not in page


def test_a_new_account_has_no_activity_yet(client: FlaskClient, db: Session) -> None:
    log_in(client, make_user(db))
    assert 'id="no-activity"' in text(client.get("/account/attivita"))


def _rows_naming(db: Session, *needles: str) -> list[str]:
    """Every table and column whose text holds one of the needles, read without the models'
    knowledge of which column holds what."""
    found = []
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                written = str(value).lower()
                if any(needle.lower() in written for needle in needles):
                    found.append(f"{table.name}.{column}")
    return sorted(set(found))


def test_a_deleted_account_leaves_its_name_on_no_page_export_or_table(
    app: Flask, client: FlaskClient, db: Session, localstripe: str
) -> None:
    with app.test_request_context("/"):
        did = _everything(db, localstripe)
        assert _rows_naming(db, NAME, EMAIL)  # the scan finds her before
        person = did["person"]
        accounts.delete_account(db, person, password=PASSWORD, now=utcnow())
        db.commit()
        assert _rows_naming(db, NAME, EMAIL) == []
    staff = make_user(db, roles=(Role.STAFF,))
    log_in(client, staff)
    pages = [
        f"/crowdfunding/{did['campaign'].slug}",
        f"/proposte/{did['proposal'].id}",
        f"/proposte/{did['other'].id}",
        f"/incontri/{did['meeting'].slug}",
        "/opendata/proposals.csv",
    ]
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert NAME not in text(answer), url
        assert EMAIL not in text(answer), url
