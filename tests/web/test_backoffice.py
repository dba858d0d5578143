"""The back office's home and its list of calls: what needs staff now, and every call."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.time import utcnow
from civic.proposals.services.discussion import flag
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import DAY, make_call, make_proposal
from tests.web.helpers import submit, text


def test_an_empty_back_office_says_nothing_is_waiting(client: FlaskClient, db: Session) -> None:
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    page = text(client.get("/gestione"))
    assert 'id="nothing-waiting"' in page, page[page.find("<main") :][:1500]
    assert "è niente in attesa." in page


def test_the_home_lists_what_needs_staff_with_links(client: FlaskClient, db: Session) -> None:
    live = make_call(db, title="Bilancio aperto")
    draft = make_call(db, title="Bilancio in bozza", published=False)
    proposal = make_proposal(db, live)
    with client.application.test_request_context("/"):
        flag(db, make_user(db), "proposal", proposal.id, "Offensivo", now=utcnow())
    db.commit()
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    page = text(client.get("/gestione"))
    waiting = page.split('id="waiting"', 1)[1].split("</ul>", 1)[0]
    assert "1 segnalazione da moderare" in waiting
    assert 'href="/gestione/moderazione"' in waiting
    assert f'href="/gestione/bandi/{draft.id}/modifica"' in waiting
    assert "Bilancio in bozza" in waiting
    assert "1 proposta in attesa di revisione: Bilancio aperto" in waiting
    assert f'href="/bandi/{live.slug}/revisione"' in waiting
    assert "Bilancio aperto" in page.split('id="open-title"', 1)[1]
    for link in ("/gestione/bandi", "/gestione/incontri", "/gestione/moderazione"):
        assert f'href="{link}"' in page  # the same menu on every back-office page


def test_the_home_lists_applications_late_jurors_and_ending_campaigns(
    client: FlaskClient, db: Session
) -> None:
    from civic.crowdfunding import services as crowdfunding
    from civic.grants import services as grants
    from civic.grants.models import JuryAssignment
    from tests.factories.crowdfunding import application_data, make_campaign, make_crowdfunding_call
    from tests.factories.grants import make_application, make_grant_call

    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):  # the services e-mail and link
        now = utcnow()
        call, settings = make_grant_call(db, staff)
        make_application(db, call, settings, title="Da verificare")
        late = make_application(db, call, settings, title="In giuria")
        on_time = make_application(db, call, settings, title="Appena assegnata")
        for application in (late, on_time):
            grants.start_formal_check(db, staff, application, now=now)
            grants.decide_formal_check(db, staff, application, outcome="admissible", now=now)
        slow, quick = make_user(db, roles=(Role.JUROR,)), make_user(db, roles=(Role.JUROR,))
        db.add(JuryAssignment(application_id=late.id, juror_id=slow.id, assigned_at=now - 15 * DAY))
        db.add(JuryAssignment(application_id=on_time.id, juror_id=quick.id, assigned_at=now - DAY))
        ending = make_campaign(db, staff=staff, starts_at=now - 41 * DAY, days=45)  # 4 days left
        make_campaign(db, staff=staff, starts_at=now - DAY, days=45)
        cf_call, cf_settings = make_crowdfunding_call(db, staff)
        crowdfunding.submit_application(
            db, make_user(db), cf_call, cf_settings, application_data(), now=now
        )
    db.commit()
    log_in(client, staff)
    page = text(client.get("/gestione"))
    waiting = page.split('id="waiting"', 1)[1].split("</ul>", 1)[0]
    grant_call = call.title("it")
    assert f"1 domanda di contributo da verificare: {grant_call}" in waiting
    assert f"1 giurato non ha ancora dato i punteggi dopo due settimane: {grant_call}" in waiting
    assert f'href="/gestione/bandi/{call.id}/contributi"' in waiting
    assert f"1 candidatura di crowdfunding da valutare: {cf_call.title('it')}" in waiting
    assert f'href="/gestione/bandi/{cf_call.id}/crowdfunding"' in waiting
    assert f'href="/gestione/crowdfunding/campagne/{ending.id}"' in waiting
    assert waiting.count("Campagna in chiusura il") == 1  # the one ending in a month waits


def test_the_calls_list_shows_drafts_and_filters_by_status(
    client: FlaskClient, db: Session
) -> None:
    make_call(db, title="Bilancio aperto")
    make_call(db, title="Bilancio in bozza", published=False)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    every = text(client.get("/gestione/bandi"))
    assert "Bilancio aperto" in every
    assert "Bilancio in bozza" in every
    drafts = text(client.get("/gestione/bandi?stato=draft"))
    assert "Bilancio in bozza" in drafts
    assert "Bilancio aperto" not in drafts
    closed = text(client.get("/gestione/bandi?stato=closed"))
    assert 'id="no-calls"' in closed


def test_citizens_do_not_see_the_back_office(client: FlaskClient, db: Session) -> None:
    log_in(client, make_user(db))
    assert client.get("/gestione").status_code == 403
    assert client.get("/gestione/bandi").status_code == 403


def test_staff_reach_the_back_office_from_every_page(client: FlaskClient, db: Session) -> None:
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    assert 'href="/gestione"' in text(client.get("/bandi"))
    log_in(client, make_user(db))
    assert 'href="/gestione"' not in text(client.get("/bandi"))


def test_every_back_office_page_carries_the_same_menu(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    for url in (
        "/gestione",
        "/gestione/incontri",
        f"/gestione/bandi/{call.id}/modifica",
        "/gestione/progetti-finanziati",
        "/gestione/moderazione",
    ):
        page = text(client.get(url))
        menu = page.split('<nav class="mb-4" aria-label="Gestione">', 1)[1].split("</nav>", 1)[0]
        for link in ("/gestione/bandi", "/gestione/domande", "/gestione/campagne"):
            assert f'href="{link}"' in menu, (url, link)
    assert '<nav class="mb-4" aria-label="Gestione">' not in text(client.get("/bandi"))


def test_the_lists_of_campaigns_and_applications_filter_by_state(
    client: FlaskClient, db: Session
) -> None:
    from tests.factories.crowdfunding import make_campaign
    from tests.factories.grants import make_application, make_grant_call

    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        live = make_campaign(db, staff=staff)
        draft = make_campaign(db, staff=staff, live=False)
        grant_call, settings = make_grant_call(db, staff)
        make_application(db, grant_call, settings, title="Sartoria sociale")
        make_application(db, grant_call, settings, title="Bozza mai inviata", submit=False)
    log_in(client, staff)
    every = text(client.get("/gestione/campagne"))
    assert f'href="/gestione/crowdfunding/campagne/{live.id}"' in every
    assert f'href="/gestione/crowdfunding/campagne/{draft.id}"' in every
    only_live = text(client.get("/gestione/campagne?stato=live"))
    assert f"/campagne/{draft.id}" not in only_live
    assert "Aperta" in only_live  # a campaign's state, not the calls' plural heading
    assert "1 campagna" in only_live
    assert 'id="list-total"' in text(client.get("/gestione/campagne?stato=nonsense"))
    applications = text(client.get("/gestione/domande"))
    assert "Sartoria sociale" in applications
    assert "Bozza mai inviata" not in applications  # drafts are the applicants' own
    assert "Un orto condiviso in via Padova" in applications  # the campaigns' applications
    grants_only = text(client.get("/gestione/domande?programma=grant"))
    assert "Un orto condiviso" not in grants_only
    assert f'href="/gestione/bandi/{grant_call.id}/contributi"' in grants_only


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[9.15, 45.45], [9.20, 45.45], [9.20, 45.48], [9.15, 45.48], [9.15, 45.45]]],
}


def test_an_uploaded_outline_keeps_places_in_their_municipio(
    client: FlaskClient, db: Session
) -> None:
    import json

    from civic.places.models import Area
    from civic.proposals.models import Proposal
    from tests.web.test_proposals import _form

    call = make_call(db)
    area = call.areas[0].area_id
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    page = text(client.get("/gestione/municipi"))
    assert "Nessuno: vale il riquadro della città" in page
    bad = submit(client, "/gestione/municipi", {"area_id": str(area), "text": "{non json"})
    assert "Questo non è GeoJSON" in text(bad)
    assert "{non json" in text(bad)  # what was pasted stays
    db.expire_all()
    assert db.get(Area, area).boundary is None  # type: ignore[union-attr]
    saved = submit(client, "/gestione/municipi", {"area_id": str(area), "text": json.dumps(SQUARE)})
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Area, area).boundary["type"] == "Polygon"  # type: ignore[index, union-attr]

    log_in(client, make_user(db))
    north = _form(call, area_id=str(area), lat="45.50", lon="9.17")  # in the city, not the area
    refused = submit(client, f"/bandi/{call.slug}/proposte/nuova", north)
    assert "Questo luogo è fuori dal Municipio che hai scelto." in text(refused)
    assert db.scalar(select(func.count()).select_from(Proposal)) == 0
    inside = _form(call, area_id=str(area), lat="45.46", lon="9.17")
    assert submit(client, f"/bandi/{call.slug}/proposte/nuova", inside).status_code == 302
    assert db.scalar(select(func.count()).select_from(Proposal)) == 1
