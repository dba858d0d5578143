"""A form refused for one field comes back with everything else the person typed, and the
database unchanged: a call, its edit, a meeting, a crowdfunding application and a grant
application's draft (proposals, reviews, vote settings and juror scores have their own)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call
from civic.crowdfunding.models import Application
from civic.grants.models import GrantApplication
from civic.meetings.models import Meeting
from civic.places.queries import list_municipi
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_call
from tests.factories.places import seed_municipi
from tests.web.helpers import budget, rows, submit, text
from tests.web.test_form_bounds import NEXT, _call_form

TYPED = "Parchi e cortili del quartiere"  # what the person wrote in a field that was fine


def test_a_new_call_keeps_its_texts_and_budgets(client: FlaskClient, db: Session) -> None:
    seed_municipi(db)
    db.commit()
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    area = list_municipi(db)[2].id
    form = _call_form(
        area, title_it=TYPED, description_it="Testo **lungo**", total_budget="2.000.000,00"
    )
    page = text(submit(client, "/gestione/bandi/nuovo", form | {"voting_start": "domani"}))
    assert f'value="{TYPED}"' in page
    assert "Testo **lungo**" in page
    assert 'value="2.000.000,00"' in page
    assert 'value="100.000,00"' in page  # the Municipio's budget
    assert db.scalar(select(func.count()).select_from(Call)) == 0


def test_an_edited_call_keeps_what_was_typed(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    area = call.areas[0].area_id
    form = _call_form(area, title_it=TYPED, total_budget="1" * 20)
    page = text(submit(client, f"/gestione/bandi/{call.id}/modifica", form))
    assert f'value="{TYPED}"' in page
    db.expire_all()
    assert db.get(Call, call.id).title_it != TYPED  # type: ignore[union-attr]


def test_a_new_meeting_keeps_what_was_typed(client: FlaskClient, db: Session) -> None:
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = {
        "title": TYPED, "kind": "hearing", "format": "in_person", "call_id": "0",
        "area_id": "0", "day": f"{NEXT}-04-10", "start": "10:00", "end": "09:00",
        "venue": "Biblioteca Sormani", "address": "Corso di Porta Vittoria 6, Milano",
        "registration": "platform", "capacity": "80", "reserved_places": "5",
        "questions-0-question": "Da dove vieni?", "retention_days": "90", "contribution_days": "15",
    }  # fmt: skip
    page = text(submit(client, "/gestione/incontri/nuovo", form))
    for kept in (f'value="{TYPED}"', 'value="Biblioteca Sormani"', 'value="80"', "Da dove vieni?"):
        assert kept in page, kept
    assert db.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_crowdfunding_application_keeps_what_was_typed(client: FlaskClient, db: Session) -> None:
    from tests.factories.crowdfunding import make_crowdfunding_call

    call, _settings = make_crowdfunding_call(db)
    log_in(client, make_user(db))
    form = {
        "organisation": "Cooperativa Il Ponte", "legal_form": "social_cooperative",
        "tax_code": "12345678901", "milan_office": "Via Padova 36, Milano",
        "title": TYPED, "summary": "Apriamo i cortili.", "description": "Laboratori e orti.",
        **rows("partners", {"name": "Bar Sport", "role": "sponsor"}),
        **budget(("Arredi", "mille euro")),
    }  # fmt: skip
    page = text(submit(client, f"/bandi/{call.slug}/candidatura", form))
    for kept in (
        'value="Cooperativa Il Ponte"', f'value="{TYPED}"', 'value="Bar Sport"',
        'value="sponsor"', 'value="Arredi"', 'value="mille euro"',
    ):  # fmt: skip
        assert kept in page, kept
    assert db.scalar(select(func.count()).select_from(Application)) == 0


def test_a_grant_draft_keeps_what_was_typed(client: FlaskClient, db: Session) -> None:
    from tests.factories.grants import make_application, make_grant_call

    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db)
        lead = make_user(db)
        application = make_application(db, call, settings, lead, submit=False)
    log_in(client, lead)
    url = f"/domande/{application.id}"
    form = {
        "title": TYPED, "group_name": "Residenti di via dei Cinquecento", "area_id": str(
            call.areas[0].area_id
        ), "idea": "Una sartoria per il quartiere", "cofunding": "mille",
        **budget(("Macchine", "12.000,00")),
    }  # fmt: skip
    page = text(submit(client, url, form))
    for kept in (f'value="{TYPED}"', "Una sartoria", 'value="mille"', 'value="Macchine"'):
        assert kept in page, kept
    db.expire_all()
    assert db.get(GrantApplication, application.id).title != TYPED  # type: ignore[union-attr]
