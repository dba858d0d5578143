"""Structured editors on the server (civic.core.rows): rows added and removed without scripts
keep what was typed and save nothing; blank rows are skipped, half-filled ones refused beside
their field; hostile button values change nothing; criteria codes and section codes stay
internal."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.rows import MAX_ROWS
from civic.core.time import utcnow
from civic.crowdfunding.models import Application
from civic.grants import services
from civic.grants.models import GrantSettings
from tests.factories.accounts import log_in, make_user
from tests.factories.crowdfunding import make_crowdfunding_call
from tests.factories.grants import make_application, make_grant_call
from tests.web.helpers import budget, rows, submit, text

APPLICATION = {
    "organisation": "Cooperativa Il Ponte",
    "legal_form": "social_cooperative",
    "tax_code": "12345678901",
    "milan_office": "Via Padova 36, Milano",
    "title": "Cortili aperti",
    "summary": "Apriamo i cortili.",
    "description": "Laboratori e orti.",
}


def _budget_names(html: str) -> list[str]:
    return re.findall(r'name="(budget-\d+)-what"', html)


def _applications(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Application)) or 0


def _applying(client: FlaskClient, db: Session) -> str:
    call, _settings = make_crowdfunding_call(db)
    log_in(client, make_user(db))
    return f"/bandi/{call.slug}/candidatura"


def test_adding_and_removing_rows_without_scripts_keeps_the_rest(
    client: FlaskClient, db: Session
) -> None:
    url = _applying(client, db)
    typed = APPLICATION | budget(("Arredi", "15.000,00"), ("Attività", "25.000,50"))

    added = submit(client, url, typed | {"rows": "add:budget"})
    assert added.status_code == 200
    assert _budget_names(text(added)) == ["budget-0", "budget-1", "budget-2"]
    assert 'value="Attività"' in text(added)
    assert 'value="Cortili aperti"' in text(added)
    assert "Correggi quanto segue:" not in text(added)  # not a refusal: nothing checked yet

    removed = submit(client, url, typed | {"rows": "remove:budget-0"})
    assert _budget_names(text(removed)) == ["budget-1"]
    assert 'value="Arredi"' not in text(removed)
    assert 'value="Attività"' in text(removed)
    assert _applications(db) == 0  # neither button saves anything


@pytest.mark.parametrize(
    "button",
    ["remove:", "remove:budget", "remove:budget-99", "add:", "add:csrf_token", "add:title",
     "remove:title-0", "add:budget-0", "remove:../../budget-0", "add:budget\x00"],
)  # fmt: skip
def test_hostile_row_buttons_change_nothing(client: FlaskClient, db: Session, button: str) -> None:
    url = _applying(client, db)
    typed = APPLICATION | budget(("Arredi", "15.000,00"), ("Attività", "25.000,50"))
    answer = submit(client, url, typed | {"rows": button})
    assert answer.status_code in (200, 400)
    assert _applications(db) == 0
    if answer.status_code == 200:
        assert _budget_names(text(answer)) == ["budget-0", "budget-1"]


def test_no_more_rows_than_the_limit(client: FlaskClient, db: Session) -> None:
    url = _applying(client, db)
    many = budget(*((f"Voce {n}", "100,00") for n in range(MAX_ROWS + 5)))
    answer = submit(client, url, APPLICATION | many | {"rows": "add:budget"})
    assert len(_budget_names(text(answer))) == MAX_ROWS


def test_blank_rows_are_skipped_and_half_filled_ones_refused(
    client: FlaskClient, db: Session
) -> None:
    url = _applying(client, db)
    half = APPLICATION | budget(("Arredi", "15.000,00"), ("", "300,00"))
    refused = submit(client, url, half)
    assert refused.status_code == 200
    assert 'id="budget-1-what-error"' in text(refused)
    assert 'href="#budget-1-what"' in text(refused)  # the summary points at the row's field
    assert _applications(db) == 0

    lines = (("", ""), ("Arredi", "15.000,00"), ("", ""), ("Attività", "25.000,50"))
    blanks = APPLICATION | budget(*lines) | rows("partners", {"name": "", "role": ""})
    assert submit(client, url, blanks).status_code == 302
    application = db.scalar(select(Application))
    assert application is not None
    assert [line["what"] for line in application.budget_lines] == ["Arredi", "Attività"]
    assert application.partners == []


def _rules(**changes: str) -> dict[str, str]:
    form = {
        "max_grant": "30.000,00", "overall_threshold": "3", "jurors_per_application": "2",
        "disagreement": "1,5", "tie_break": "earlier", "ranking_basis": "raw", "mode": "single",
    }  # fmt: skip
    return form | changes


def _grant_rules_page(client: FlaskClient, db: Session) -> tuple[str, GrantSettings]:
    """Staff signed in on a grant call's rules page."""
    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
    log_in(client, staff)
    return f"/gestione/bandi/{call.id}/contributi", settings


def test_new_criteria_get_hidden_codes_and_name_the_tie_break(
    client: FlaskClient, db: Session
) -> None:
    url, settings = _grant_rules_page(client, db)
    kept = settings.criteria[0]
    criteria = rows(
        "criteria",
        {"code": kept["code"], "label": "Idea rinnovata", "weight": "2", "threshold": "1,5"},
        {"code": "", "label": "Qualità dell'impatto", "weight": "3", "threshold": ""},
        {"code": "", "label": "Qualità dell'impatto!", "weight": "1", "threshold": "2"},
    )
    saved = submit(client, url, _rules(**criteria))
    assert saved.status_code == 302
    db.refresh(settings)
    stored = [(c["code"], c["label"], c["weight"], c["threshold_half"]) for c in settings.criteria]
    assert stored == [
        (kept["code"], "Idea rinnovata", 2, 3),
        ("qualita-dell-impatto", "Qualità dell'impatto", 3, 0),
        ("qualita-dell-impatto-2", "Qualità dell'impatto!", 1, 4),
    ]  # fmt: skip

    page = text(client.get(url))
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "qualita-dell-impatto" not in visible  # only in the hidden inputs and option values
    assert "Il punteggio più alto su: Qualità dell&#39;impatto" in page
    for bogus in ("criterion:nessuno", "x" * 1000):  # only a listed choice is taken
        refused = submit(client, url, _rules(**criteria, tie_break=bogus))
        assert refused.status_code == 200
        assert 'id="tie_break-error"' in text(refused)
    db.refresh(settings)
    assert settings.tie_break == "earlier"
    tie = submit(client, url, _rules(**criteria, tie_break="criterion:qualita-dell-impatto"))
    assert tie.status_code == 302
    db.refresh(settings)
    assert settings.tie_break == "criterion:qualita-dell-impatto"
    # The audit log names the criteria and the tie-break as staff typed them, never by code.
    reader = client.application.test_client()
    log_in(reader, make_user(db, roles=(Role.ADMIN,)))
    logged = text(reader.get("/admin/registro?azione=grant."))
    assert "Qualità dell&#39;impatto" in logged
    assert "qualita-dell-impatto" not in logged


def test_a_bad_score_is_refused_beside_its_criterion(client: FlaskClient, db: Session) -> None:
    url, settings = _grant_rules_page(client, db)
    before = [dict(c) for c in settings.criteria]
    bad = rows("criteria", {"code": "", "label": "Impatto", "weight": "3", "threshold": "7"})
    refused = submit(client, url, _rules(**bad))
    assert refused.status_code == 200
    assert 'id="criteria-0-threshold-error"' in text(refused)
    assert "Scrivi un punteggio da 0 a 5 a mezzi punti" in text(refused)
    assert 'value="Impatto"' in text(refused)
    db.refresh(settings)
    assert settings.criteria == before


def test_staff_ask_for_sections_by_name_and_the_applicant_reads_names(
    client: FlaskClient, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
        application = make_application(db, call, settings)
        services.start_formal_check(db, staff, application, now=utcnow())
        db.commit()
    log_in(client, staff)
    url = f"/gestione/domande/{application.id}/verifica"
    manage = f"/gestione/bandi/{call.id}/contributi"
    assert "Il gruppo" in text(client.get(manage))  # the sections offered by their names
    unknown = {"outcome": "integration", "reason": "Manca", "sections": "segreti",
               "until": "2099-01-10T12:00"}  # fmt: skip
    submit(client, url, unknown, form_page=manage)
    db.refresh(application)
    assert application.state != "integration_requested"

    asked = unknown | {"sections": ["budget", "team"]}
    assert submit(client, url, asked, form_page=manage).status_code == 302
    db.refresh(application)
    assert application.integration_sections == ["budget", "team"]
    lead = db.get(User, application.lead_user_id)
    assert lead is not None
    log_in(client, lead)
    page = text(client.get(f"/domande/{application.id}"))
    assert "Budget, Il gruppo" in page
    assert "budget, team" not in page
    assert db.get(GrantSettings, call.id) is not None


def test_a_meetings_questions_are_rows_edited_from_their_own_page(
    client: FlaskClient, db: Session
) -> None:
    from civic.meetings.models import Meeting
    from tests.factories.meetings import make_meeting
    from tests.web.helpers import form_fields

    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        meeting = make_meeting(
            db, staff, questions=["Da quale quartiere vieni?", "Quanti anni hai?"]
        )
    log_in(client, staff)
    url = f"/gestione/incontri/{meeting.id}/modifica"
    page = text(client.get(url))
    assert 'name="questions-0-question"' in page
    assert 'value="Quanti anni hai?"' in page
    assert "per riga" not in page  # no free-text syntax left
    fields = form_fields(page, "questions-0-question")
    assert fields["questions-2-question"] == ""  # a blank row to type into

    added = text(submit(client, url, fields | {"rows": "add:questions"}))
    assert 'name="questions-3-question"' in added
    assert 'value="Da quale quartiere vieni?"' in added  # kept, and nothing saved yet
    removed = submit(client, url, fields | {"rows": "remove:questions-0"})
    assert 'value="Da quale quartiere vieni?"' not in text(removed)
    db.expire_all()
    assert db.get(Meeting, meeting.id).questions == [
        "Da quale quartiere vieni?",
        "Quanti anni hai?",
    ]  # type: ignore[union-attr]

    saved = submit(
        client,
        url,
        fields
        | {"questions-0-question": "", "questions-2-question": "Hai bisogno di un interprete?"},
    )
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Meeting, meeting.id).questions == [
        "Quanti anni hai?",
        "Hai bisogno di un interprete?",
    ]  # type: ignore[union-attr]
