"""Every route for every role: who gets the page, who is sent to sign in, who gets 403."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, TextClause, delete, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.calls import queries as call_queries
from civic.calls.models import Call, CallPhase
from civic.core.db import Base, get_database
from civic.core.time import to_rome, utcnow
from civic.crowdfunding import services as cf_services
from civic.crowdfunding.models import Campaign, CrowdfundingSettings
from civic.crowdfunding.states import CampaignState
from civic.execution import services as execution_services
from civic.execution.models import Milestone, TrackedProject
from civic.grants.models import GrantApplication, GrantFile, GrantInstalment, JuryAssignment
from civic.meetings import services as meeting_services
from civic.meetings.domain import MeetingStatus
from civic.meetings.models import Meeting
from civic.proposals import services
from civic.proposals.models import Notification, Proposal
from civic.voting import services as voting_services
from tests.conftest import make_test_app
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_proposal, make_voting_call
from tests.factories.crowdfunding import application_data, make_campaign, make_crowdfunding_call
from tests.factories.grants import make_application, make_grant_call
from tests.factories.meetings import make_meeting, register
from tests.support import Mailbox, plain_pdf

ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, Role.CITIZEN, Role.ORGANISATION_MEMBER, Role.JUROR, Role.STAFF, Role.ADMIN]

PUBLIC = {ANONYMOUS, *Role}
SIGNED_IN = set(Role)
STAFF = {Role.STAFF, Role.ADMIN}
ADMIN_ONLY = {Role.ADMIN}
AUTHOR_ONLY: set[object] = set()  # none of the personas wrote the proposal or comment

REVIEW = {
    "outcome": "feasible",
    "public_reason": "Fattibile.",
    "cost_estimate": "1.000,00",
    "running_cost": "0",
    "duration_months": "3",
    # Voting is open in the matrix's call: only an admin changes the ballot, with a reason.
    "ballot_override_reason": "Il progetto era stato escluso per errore.",
}

# Pages for visitors only: a signed-in person is sent to their account instead.
VISITORS_ONLY = {"/accedi", "/registrati"}
PDF = plain_pdf()
AGENDA = {
    "start": "{agenda_start}",
    "minutes": "15",
    "title": "Saluti",
    "speakers": "La presidente",
}
DECISION = {
    "r{speaker_request}-decision": "accept",
    "r{speaker_request}-minutes": "3",
    "r{speaker_request}-position": "1",
}
TIER = {"title": "Maglietta", "description": "Con il logo", "min_amount": "20", "quantity": ""}
PROGRESS = {
    "status": "in_progress",
    "percent": "10",
    "committed": "100,00",
    "spent": "0",
    "body": "Lavori avviati.",
}
MILESTONE = {"title": "Collaudo", "due_on": "2027-06-01"}
GRANT_RULES = {
    "max_grant": "30.000,00",
    "criteria-0-code": "idea", "criteria-0-label": "Qualità dell'idea", "criteria-0-weight": "3",
    "criteria-0-threshold": "2", "criteria-1-code": "need", "criteria-1-label": "Bisogno",
    "criteria-1-weight": "3", "criteria-1-threshold": "2",
    "overall_threshold": "3",
    "jurors_per_application": "2",
    "disagreement": "1,5",
    "tie_break": "earlier",
    "ranking_basis": "raw",
    "mode": "single",
}  # fmt: skip
CF_RULES = {
    "crowd_share_pct": "50",
    "city_cap": "20.000,00",
    "min_cost": "5.000,00",
    "max_cost": "60.000,00",
    "min_days": "30",
    "max_days": "60",
    "grace_days": "7",
}
SELECT = {
    "approved_cost": "40.000,00",
    "starts_on": "{campaign_start}",
    "ends_on": "{campaign_end}",
    "area_id": "0",
}
NO = {"reason": "Fuori dagli obiettivi del bando."}
SPEAK = {"item_id": "{agenda_item}", "summary": "Due parole"}
CONFIRMED = {"confirmed": "yes"}  # irreversible steps ask first (core/confirm.py)
OUTLINE = {  # a Municipio's outline; braces doubled, as the matrix fills forms with format()
    "area_id": "{area}",
    "text": '{{"type": "Polygon", "coordinates": [[[9.1, 45.4], [9.2, 45.4], [9.2, 45.5], '
    "[9.1, 45.4]]]}}",
}
NEWS = {"title": "Si parte", "body": "Abbiamo cominciato."}
REACHED = {"m{milestone}-done_on": "2026-11-30"}

# (method, path, form data, who may use it)
ROUTES: list[tuple[str, str, dict[str, Any] | None, set[object]]] = [
    ("GET", "/", None, PUBLIC),
    ("GET", "/privacy", None, PUBLIC),
    ("GET", "/dichiarazione-accessibilita", None, PUBLIC),
    ("GET", "/segretezza-del-voto", None, PUBLIC),
    ("GET", "/luoghi/confini.json", None, PUBLIC),
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/readyz", None, PUBLIC),
    ("GET", "/accedi", None, {ANONYMOUS}),
    ("GET", "/registrati", None, {ANONYMOUS}),
    ("GET", "/password-dimenticata", None, PUBLIC),
    ("GET", "/accedi/link", None, PUBLIC),
    ("GET", "/account", None, SIGNED_IN),
    ("GET", "/account/profilo", None, SIGNED_IN),
    ("GET", "/account/password", None, SIGNED_IN),
    ("GET", "/account/i-miei-dati.json", None, SIGNED_IN),
    ("GET", "/account/attivita", None, SIGNED_IN),
    ("GET", "/account/e-mail", None, SIGNED_IN),
    ("GET", "/account/elimina", None, SIGNED_IN),
    ("GET", "/admin/utenti", None, ADMIN_ONLY),
    ("GET", "/admin/utenti/{target}", None, ADMIN_ONLY),
    ("POST", "/admin/utenti/{target}/ruoli/concedi", {"role": "juror"}, ADMIN_ONLY),
    ("GET", "/admin/registro", None, ADMIN_ONLY),
    ("GET", "/bandi", None, PUBLIC),
    ("GET", "/bandi/{slug}", None, PUBLIC),
    ("GET", "/gestione/bandi/nuovo", None, STAFF),
    ("GET", "/gestione/bandi/{call}/modifica", None, STAFF),
    ("POST", "/gestione/bandi/{call}/pubblica", {}, STAFF),
    ("POST", "/gestione/bandi/{call}/documenti", {"title": "Regolamento", "file": PDF}, STAFF),
    ("GET", "/bandi/{slug}/proposte", None, PUBLIC),
    ("GET", "/bandi/{slug}/proposte/nuova", None, SIGNED_IN),
    ("GET", "/bandi/{slug}/revisione", None, STAFF),
    ("GET", "/proposte/{proposal}", None, PUBLIC),
    ("GET", "/proposte/{proposal}/revisioni", None, PUBLIC),
    ("GET", "/proposte/{proposal}/modifica", None, AUTHOR_ONLY),
    ("POST", "/proposte/{proposal}/invia", {}, AUTHOR_ONLY),
    ("POST", "/proposte/{proposal}/ritira", {}, AUTHOR_ONLY),
    ("POST", "/proposte/{proposal}/file", {}, AUTHOR_ONLY),
    ("POST", "/proposte/{proposal}/sostegno", {}, SIGNED_IN),
    ("POST", "/proposte/{proposal}/sostegno/ritira", {}, SIGNED_IN),
    ("POST", "/proposte/{proposal}/segui", {}, SIGNED_IN),
    ("POST", "/proposte/{proposal}/non-seguire", {}, SIGNED_IN),
    ("POST", "/proposte/{proposal}/commenti", {"body": "Bella idea"}, SIGNED_IN),
    ("POST", "/commenti/{comment}/modifica", {"body": "Cambiato"}, AUTHOR_ONLY),
    ("POST", "/segnala/proposal/{proposal}", {"reason": "Pubblicità"}, SIGNED_IN),
    ("POST", "/segnala/comment/{comment}", {"reason": "Offensivo"}, SIGNED_IN),
    ("POST", "/appello/proposal/{proposal}", {"text": "Non è giusto"}, AUTHOR_ONLY),
    ("POST", "/proposte/{proposal}/revisori", {"reviewer_id": "{target}"}, STAFF),
    ("POST", "/proposte/{proposal}/avvia-revisione", {}, STAFF),
    ("POST", "/proposte/{proposal}/fattibilita", REVIEW, ADMIN_ONLY),
    ("GET", "/gestione/moderazione", None, STAFF),
    ("POST", "/gestione/moderazione/proposal/{proposal}/respingi", {}, STAFF),
    ("GET", "/notifiche", None, SIGNED_IN),
    ("POST", "/notifiche", {}, SIGNED_IN),
    ("GET", "/bandi/{slug}/voto", None, SIGNED_IN),
    ("GET", "/bandi/{slug}/voto/{area}", None, SIGNED_IN),
    ("GET", "/bandi/{slug}/voto/{area}/modifica", None, SIGNED_IN),
    ("GET", "/bandi/{slug}/risultati", None, PUBLIC),
    ("GET", "/bandi/{slug}/urna", None, PUBLIC),
    ("GET", "/garante", None, SIGNED_IN),
    ("GET", "/gestione/bandi/{call}/scrutinio", None, STAFF),
    ("GET", "/gestione/bandi/{call}/voto", None, STAFF),
    ("GET", "/gestione/bandi/{call}/seggio", None, STAFF),
    ("POST", "/gestione/bandi/{call}/scrutinio", {}, STAFF),
    ("GET", "/gestione/bandi/{call}/risultati", None, STAFF),
    ("POST", "/gestione/bandi/{call}/pubblica-risultati", CONFIRMED, STAFF),
    ("GET", "/gestione/residenza", None, STAFF),
    ("GET", "/incontri", None, PUBLIC),
    ("GET", "/incontri/calendario.ics", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/verbale", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/calendario.ics", None, PUBLIC),
    ("GET", "/bandi/{slug}/incontri.ics", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/iscrizione", None, SIGNED_IN),
    ("POST", "/incontri/{meeting_slug}/iscrizione/annulla", {}, SIGNED_IN),
    (
        "POST",
        "/incontri/{meeting_slug}/interventi",
        {"item_id": "{agenda_item}", "summary": "Due parole"},
        SIGNED_IN,
    ),
    ("POST", "/incontri/{meeting_slug}/contributi", {"body": "Un'idea"}, SIGNED_IN),
    ("GET", "/gestione", None, STAFF),
    ("GET", "/gestione/bandi", None, STAFF),
    ("GET", "/gestione/campagne", None, STAFF),
    ("GET", "/gestione/domande", None, STAFF),
    ("GET", "/gestione/municipi", None, STAFF),
    ("POST", "/gestione/municipi", OUTLINE, STAFF),
    ("GET", "/gestione/incontri", None, STAFF),
    ("GET", "/gestione/incontri/nuovo", None, STAFF),
    ("GET", "/gestione/incontri/{meeting}", None, STAFF),
    ("GET", "/gestione/incontri/{meeting}/modifica", None, STAFF),
    ("POST", "/gestione/incontri/{meeting}/pubblica", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/annulla", {"reason": "Maltempo"}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/gruppi", {"title": "Gruppo A", "capacity": "10"}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/agenda", AGENDA, STAFF),
    ("POST", "/gestione/incontri/{meeting}/ospiti", {"email": "target@example.org"}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/interventi/{speaker_request}", DECISION, STAFF),
    ("POST", "/gestione/incontri/{meeting}/verbale", {"body": "Verbale", "note": "prima"}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/resoconto", {"body": "Resoconto"}, STAFF),
    ("GET", "/gestione/incontri/{meeting}/accoglienza", None, STAFF),
    ("POST", "/gestione/incontri/{meeting}/accoglienza", {"code": "{registration_code}"}, STAFF),
    ("GET", "/gestione/residenza/anagrafe", None, STAFF),
    ("GET", "/admin/impostazioni", None, ADMIN_ONLY),
    ("POST", "/admin/impostazioni", {}, ADMIN_ONLY),
    ("POST", "/admin/utenti/{target}/identita", {"reason": "Controllo richiesto"}, ADMIN_ONLY),
    ("GET", "/bandi/{grant_slug}/graduatoria", None, PUBLIC),
    ("GET", "/contributi/trasparenza", None, PUBLIC),
    ("POST", "/bandi/{grant_slug}/domande/nuova", {"kind": "group"}, SIGNED_IN),
    ("GET", "/gestione/bandi/{grant_call}/contributi", None, STAFF),
    ("POST", "/gestione/bandi/{fresh_grant_call}/contributi", GRANT_RULES, STAFF),
    ("POST", "/gestione/domande/{grant_app}/verifica", {"outcome": "admissible"}, STAFF),
    ("POST", "/gestione/bandi/{grant_call}/giuria", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/giurati", {"juror_id": "{free_juror}"}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/resoconto", {"body": "Consenso"}, STAFF),
    (
        "POST",
        "/gestione/bandi/{grant_call}/graduatoria",
        {"kind": "provisional", **CONFIRMED},
        STAFF,
    ),
    ("POST", "/gestione/domande/{grant_app}/esito", {"step": "reporting", **CONFIRMED}, STAFF),
    ("POST", "/gestione/giuria/{jury_assignment}/rimuovi", {}, STAFF),
    ("GET", "/opendata", None, PUBLIC),
    ("GET", "/opendata/catalog.jsonld", None, PUBLIC),
    ("GET", "/opendata/proposals.csv", None, PUBLIC),
    ("GET", "/opendata/proposals.json", None, PUBLIC),
    ("GET", "/api/v1/openapi.json", None, PUBLIC),
    ("GET", "/api/v1/docs", None, PUBLIC),
    ("GET", "/api/v1/proposals", None, PUBLIC),
    ("GET", "/api/v1/proposals/{proposal}", None, PUBLIC),
    ("GET", "/gestione/domande/{grant_app}/rate", None, STAFF),
    (
        "POST",
        "/gestione/domande/{grant_app}/rate",
        {"plan-0-amount": "{grant_total}", "plan-0-due": "2027-01-01"},
        STAFF,
    ),
    ("POST", "/gestione/domande/{grant_app}/rate/{instalment}", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/relazioni/{grant_report}", {}, STAFF),
    ("GET", "/giuria", None, {Role.JUROR}),
    ("GET", "/crowdfunding", None, PUBLIC),
    ("GET", "/crowdfunding/{campaign_slug}", None, PUBLIC),
    ("GET", "/crowdfunding/{campaign_slug}/sostieni", None, SIGNED_IN),
    ("GET", "/bandi/{cf_slug}/candidatura", None, SIGNED_IN),
    ("POST", "/crowdfunding/{campaign_slug}/premi", TIER, STAFF),  # and the lead partner
    (
        "POST",
        "/crowdfunding/{campaign_slug}/aggiornamenti",
        {"title": "Si parte", "body": "Via."},
        STAFF,
    ),  # and the lead partner
    ("GET", "/gestione/bandi/{cf_call}/crowdfunding", None, STAFF),
    ("POST", "/gestione/bandi/{fresh_cf_call}/crowdfunding", CF_RULES, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{application}/valuta", {"score": "80"}, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{fresh_application}/seleziona", SELECT, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{fresh_application}/respingi", NO, STAFF),
    ("GET", "/gestione/crowdfunding/campagne/{campaign}", None, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/apri", CONFIRMED, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/chiudi", CONFIRMED, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/erogazione", CONFIRMED, STAFF),
    ("GET", "/dashboard", None, PUBLIC),
    ("GET", "/dashboard/dati.csv", None, PUBLIC),
    ("GET", "/dashboard/proposte", None, PUBLIC),
    ("GET", "/dashboard/votazioni", None, PUBLIC),
    ("GET", "/dashboard/crowdfunding", None, PUBLIC),
    ("GET", "/dashboard/contributi", None, PUBLIC),
    ("GET", "/progetti-finanziati", None, PUBLIC),
    ("GET", "/progetti-finanziati/{project}", None, PUBLIC),
    ("POST", "/progetti-finanziati/{project}/segui", {}, SIGNED_IN),
    ("POST", "/progetti-finanziati/{project}/non-seguire", {}, SIGNED_IN),
    ("GET", "/gestione/progetti-finanziati", None, STAFF),
    ("POST", "/gestione/progetti-finanziati/aggiorna", {}, STAFF),
    ("GET", "/gestione/progetti-finanziati/{project}", None, STAFF),
    ("POST", "/gestione/progetti-finanziati/{project}/aggiornamento", PROGRESS, STAFF),
    ("POST", "/gestione/progetti-finanziati/{project}/tappe", MILESTONE, STAFF),
    ("POST", "/gestione/progetti-finanziati/{project}/tappe/{milestone}", REACHED, STAFF),
]

# Reached only with a token, a stored file or an existing appeal: covered by their own tests.
ELSEWHERE = {
    "static",
    "accounts.verify_email",
    "accounts.reset_password",
    "accounts.sign_in_with_link",  # tests/web/test_sign_in_link.py
    "accounts.email_settings_by_link",  # tests/web/test_email_settings.py
    "accounts.sign_out",
    "accounts.sign_out_everywhere",  # tests/web/test_sign_out.py
    "pages.set_language",
    "calls.download_document",
    "proposals.download_file",
    "proposals.remove_file",
    "proposals.decide_appeal",
    "voting.download_pb",
    "voting.results_csv",
    "meetings.registration_qr",
    "accounts.oidc_start",  # off unless an issuer is configured: tests/integration/test_identity
    "accounts.oidc_callback",
    "voting.declare_residency",  # only for calls that accept declarations: test_identity
    # Grants: the applicant's own pages and the juror's desk answer 404 to others (own tests).
    "grants.show_application",
    "grants.invite",
    "grants.confirm_member",
    "grants.send_integration",
    "grants.add_file",
    "grants.add_report",
    "grants.download_file",
    "grants.receipt",
    "grants.jury_application",
    "grants.ranking_csv",
    "grants.ranking_pdf_view",
    "crowdfunding.show_pledge",
    "crowdfunding.confirm_pledge",
    "crowdfunding.cancel_pledge",
    "crowdfunding.pay_pledge",
    "crowdfunding.stripe_webhook",
    "crowdfunding.application_document",
    "execution.photo",  # a stored photo: tests/web/test_execution.py
    "ballot_box.trustee",  # a trustee's own page, 404 to others: tests/web/test_trustees.py
    "crowdfunding.show_application",  # the lead's and staff's: test_crowdfunding_receipt.py
}


def test_every_view_is_in_the_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    ids = {
        "target": 1,
        "slug": "x",
        "call": 1,
        "proposal": 1,
        "comment": 1,
        "area": 1,
        "meeting": 1,
        "meeting_slug": "y",
        "speaker_request": 1,
        "campaign": 1,
        "campaign_slug": "z",
        "cf_slug": "w",
        "cf_call": 1,
        "application": 1,
        "grant_slug": "v",
        "grant_call": 1,
        "grant_app": 1,
        "jury_assignment": 1,
        "instalment": 1,
        "grant_report": 1,
        "project": 1,
        "milestone": 1,
        "fresh_grant_call": 1,
        "fresh_cf_call": 1,
        "fresh_application": 1,
    }
    covered = {
        adapter.match(path.format(**ids), method=method)[0] for method, path, _d, _w in ROUTES
    }
    every = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(every - covered - ELSEWHERE) == []


def _own_session(connection: Connection) -> Session:
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture(scope="module")
def matrix(
    engine: Engine, database_url: str, smtp: tuple[int, Mailbox]
) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """The matrix's objects, made once for the module in a transaction rolled back at its end;
    each test runs in a savepoint of it (the ``db`` fixture below), so each starts from them."""
    connection = engine.connect()
    outer = connection.begin()
    app = make_test_app(database_url, smtp[0])
    get_database(app).session_factory = lambda: _own_session(connection)
    builder = _own_session(connection)
    made = _build(builder, app)
    builder.close()
    yield connection, made
    outer.rollback()
    connection.close()


@pytest.fixture
def db(matrix: tuple[Connection, dict[str, Any]]) -> Iterator[Session]:
    """This module's test session: inside a savepoint of the matrix's transaction."""
    connection, _made = matrix
    savepoint = connection.begin_nested()
    session = _own_session(connection)
    yield session
    session.close()
    savepoint.rollback()


@pytest.fixture
def objects(matrix: tuple[Connection, dict[str, Any]]) -> dict[str, Any]:
    return matrix[1]


def _build(db: Session, app: Flask) -> dict[str, Any]:
    """A call, a proposal by someone else, a comment by someone else, and a person to act on."""
    with app.test_request_context("/"):
        call, _projects = make_voting_call(db)
        proposal = make_proposal(db, call)
        comment = services.add_comment(
            db, make_user(db), proposal, "Ciao", parent_id=None, now=utcnow()
        )
        db.commit()
        meeting = make_meeting(db, agenda=True, call_id=call.id)
        speaker = make_user(db)
        registration = register(db, meeting, speaker)
        request = meeting_services.request_to_speak(
            db, speaker, meeting, meeting.agenda[0].id, "Due parole", now=utcnow()
        )
        db.commit()
        grant_call, grant_settings = make_grant_call(db)
        grant_app = make_application(db, grant_call, grant_settings)
        juror = make_user(db, roles=(Role.JUROR,))
        jury_assignment = JuryAssignment(
            application_id=grant_app.id, juror_id=juror.id, assigned_at=utcnow()
        )
        instalment = GrantInstalment(
            application_id=grant_app.id, number=1, amount_cents=100, due_on=date(2026, 1, 1)
        )
        report = GrantFile(
            application_id=grant_app.id,
            kind="report",
            title="Relazione",
            stored_name="relazione-di-prova.pdf",
            size_bytes=1,
            uploaded_at=utcnow(),
        )
        db.add_all([jury_assignment, instalment, report])
        db.commit()
    project = TrackedProject(
        source="budget",
        source_id=proposal.id,
        call_id=call.id,
        area_id=proposal.area_id,
        title=proposal.title,
        funded_cents=proposal.cost_cents,
        funded_at=utcnow(),
        updated_at=utcnow(),
    )
    db.add(project)
    db.flush()
    milestone = Milestone(project_id=project.id, title="Inizio lavori", due_on=date(2027, 1, 1))
    db.add(milestone)
    db.commit()
    with app.test_request_context("/"):  # its application's receipt is e-mailed
        campaign = make_campaign(db)
    cf_call = db.get(Call, campaign.call_id)
    assert cf_call is not None
    target = make_user(db, email="target@example.org", roles=(Role.STAFF,))
    free_juror = make_user(db, email="giurata@example.org", roles=(Role.JUROR,))
    fresh_grant_call, _fresh_settings = make_grant_call(db)
    fresh_cf_call, _cf_settings = make_crowdfunding_call(db)
    cf_settings = db.get(CrowdfundingSettings, cf_call.id)
    assert cf_settings is not None
    with app.test_request_context("/"):
        fresh_application = cf_services.submit_application(
            db, make_user(db), cf_call, cf_settings, application_data(title="Orti"), now=utcnow()
        )
    db.commit()
    today = to_rome(utcnow()).date()
    whole, cents = divmod(grant_app.total_cents, 100)
    return {
        "fresh_grant_call": fresh_grant_call.id,
        "fresh_cf_call": fresh_cf_call.id,
        "fresh_application": fresh_application.id,
        "campaign_start": (today + timedelta(days=1)).isoformat(),
        "campaign_end": (today + timedelta(days=40)).isoformat(),
        "grant_total": f"{whole},{cents:02d}",
        "registration_code": registration.code,
        "agenda_item": meeting.agenda[0].id,
        "agenda_start": (to_rome(meeting.starts_at) + timedelta(minutes=30)).strftime("%H:%M"),
        "free_juror": free_juror.id,
        "campaign": campaign.id,
        "campaign_slug": campaign.slug,
        "cf_slug": cf_call.slug,
        "cf_call": cf_call.id,
        "application": campaign.application_id,
        "grant_slug": grant_call.slug,
        "grant_call": grant_call.id,
        "grant_app": grant_app.id,
        "jury_assignment": jury_assignment.id,
        "instalment": instalment.id,
        "grant_report": report.id,
        "project": project.id,
        "milestone": milestone.id,
        "meeting": meeting.id,
        "meeting_slug": meeting.slug,
        "speaker_request": request.id,
        "slug": call.slug,
        "call": call.id,
        "proposal": proposal.id,
        "comment": comment.id,
        "target": target.id,
        "area": call.areas[0].area_id,
    }


def _client_as(app: Flask, db: Session, persona: object) -> tuple[FlaskClient, User | None]:
    client = app.test_client()
    if persona == ANONYMOUS:
        return client, None
    roles = () if persona is Role.CITIZEN else (persona,)
    person = make_user(db, roles=roles)  # type: ignore[arg-type]
    log_in(client, person)
    return client, person


# What must already be true for an allowed case to change something (a support to withdraw,
# a registration to cancel, a draft to publish). Applied for every persona, so a refused case
# proves that nothing changed either.
def _unpublish_call(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    call = db.get(Call, objects["call"])
    assert call is not None
    call.published_at = None


def _support_first(db: Session, objects: dict[str, Any], person: User | None) -> None:
    if person is not None:
        proposal = db.get(Proposal, objects["proposal"])
        call = call_queries.get_call(db, objects["call"])
        assert proposal is not None
        assert call is not None
        services.support_proposal(db, person, proposal, call, now=utcnow())


def _follow_first(db: Session, objects: dict[str, Any], person: User | None) -> None:
    if person is not None:
        proposal = db.get(Proposal, objects["proposal"])
        assert proposal is not None
        services.follow(db, person, proposal, now=utcnow())


def _unread_notice(db: Session, _objects: dict[str, Any], person: User | None) -> None:
    if person is not None:
        db.add(Notification(user_id=person.id, kind="status_changed", created_at=utcnow()))


def _registered(db: Session, objects: dict[str, Any], person: User | None) -> None:
    if person is not None:
        meeting = db.get(Meeting, objects["meeting"])
        assert meeting is not None
        register(db, meeting, person)


def _unpublish_meeting(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    meeting = db.get(Meeting, objects["meeting"])
    assert meeting is not None
    meeting.status, meeting.published_at = MeetingStatus.DRAFT.value, None


def _reserved_places(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    meeting = db.get(Meeting, objects["meeting"])
    assert meeting is not None
    meeting.reserved_places = min(5, meeting.capacity)


def _meeting_held(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    """The meeting took place this morning: its minutes and report may be published."""
    meeting = db.get(Meeting, objects["meeting"])
    assert meeting is not None
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = utcnow() - length - timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + length


def _follow_project(db: Session, objects: dict[str, Any], person: User | None) -> None:
    if person is not None:
        project = db.get(TrackedProject, objects["project"])
        assert project is not None
        execution_services.follow(db, person, project, now=utcnow())


def _draft_campaign(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    campaign = db.get(Campaign, objects["campaign"])
    assert campaign is not None
    campaign.state = CampaignState.DRAFT.value


def _grant_in(state: str) -> Any:
    def prepare(db: Session, objects: dict[str, Any], _person: User | None) -> None:
        application = db.get(GrantApplication, objects["grant_app"])
        assert application is not None
        application.state = state
        if state == "agreement":  # a plan is made once: the route makes it
            db.execute(
                delete(GrantInstalment).where(GrantInstalment.application_id == application.id)
            )

    return prepare


def _instalment_due(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    application = db.get(GrantApplication, objects["grant_app"])
    assert application is not None
    application.state = "agreement"


def _voting_over(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    """The call's vote closed an hour ago."""
    for phase in db.scalars(select(CallPhase).where(CallPhase.call_id == objects["call"])):
        length = phase.ends_at - phase.starts_at
        phase.ends_at = utcnow() - timedelta(hours=1)
        phase.starts_at = phase.ends_at - length


def _counted(db: Session, objects: dict[str, Any], person: User | None) -> None:
    _voting_over(db, objects, person)
    db.flush()
    call = call_queries.get_call(db, objects["call"])
    assert call is not None
    voting_services.tally_call(db, None, call, now=utcnow())


def _campaign_over(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    campaign = db.get(Campaign, objects["campaign"])
    assert campaign is not None
    length = campaign.ends_at - campaign.starts_at
    campaign.ends_at = utcnow() - timedelta(days=30)
    campaign.starts_at = campaign.ends_at - length


def _campaign_succeeded(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    campaign = db.get(Campaign, objects["campaign"])
    assert campaign is not None
    campaign.state = CampaignState.SUCCEEDED.value


def _in_review(db: Session, objects: dict[str, Any], _person: User | None) -> None:
    proposal = db.get(Proposal, objects["proposal"])
    assert proposal is not None
    proposal.status = "in_review"


PREPARE = {
    "/proposte/{proposal}/fattibilita": _in_review,
    "/gestione/bandi/{call}/scrutinio": _voting_over,
    "/gestione/bandi/{call}/pubblica-risultati": _counted,
    "/gestione/bandi/{grant_call}/giuria": _grant_in("under_review"),
    "/gestione/bandi/{grant_call}/graduatoria": _grant_in("under_review"),
    "/gestione/domande/{grant_app}/esito": _grant_in("agreement"),
    "/gestione/domande/{grant_app}/rate": _grant_in("agreement"),
    "/gestione/domande/{grant_app}/rate/{instalment}": _instalment_due,
    "/gestione/progetti-finanziati/aggiorna": _grant_in("funded"),
    "/gestione/crowdfunding/campagne/{campaign}/chiudi": _campaign_over,
    "/gestione/crowdfunding/campagne/{campaign}/erogazione": _campaign_succeeded,
    "/gestione/bandi/{call}/pubblica": _unpublish_call,
    "/proposte/{proposal}/sostegno/ritira": _support_first,
    "/proposte/{proposal}/non-seguire": _follow_first,
    "/notifiche": _unread_notice,
    "/incontri/{meeting_slug}/iscrizione/annulla": _registered,
    "/incontri/{meeting_slug}/interventi": _registered,
    "/gestione/incontri/{meeting}/pubblica": _unpublish_meeting,
    "/gestione/incontri/{meeting}/ospiti": _reserved_places,
    "/gestione/incontri/{meeting}/verbale": _meeting_held,
    "/gestione/incontri/{meeting}/resoconto": _meeting_held,
    "/progetti-finanziati/{project}/non-seguire": _follow_project,
    "/gestione/crowdfunding/campagne/{campaign}/apri": _draft_campaign,
}


def _form(data: dict[str, Any], objects: dict[str, Any]) -> dict[str, Any]:
    """The form to send: keys and values filled with the objects' ids; bytes become a file."""
    return {
        key.format(**objects): (io.BytesIO(value), "documento.pdf")
        if isinstance(value, bytes)
        else str(value).format(**objects)
        for key, value in data.items()
    }


def fingerprint(db: Session, ignore: frozenset[str] = frozenset()) -> str:
    """Every row of every table (but those ignored), hashed: equal before and after means
    nothing changed."""
    tables = _tables_but(ignore)
    digest = hashlib.sha256()
    if db.get_bind().dialect.name == "postgresql":
        # One round trip in place of one per table: PostgreSQL hashes each table's rows, as
        # text and in order, itself (this check runs twice in each of a thousand cases).
        for name, table_digest in sorted(db.execute(_digest_each_table(db, tables)).all()):
            digest.update(f"{name}:{table_digest}".encode())
        return digest.hexdigest()
    for table in tables:
        rows = db.execute(select(table)).all()
        digest.update(table.name.encode())
        digest.update(repr(sorted(repr(tuple(row)) for row in rows)).encode())
    return digest.hexdigest()


@functools.cache
def _tables_but(ignore: frozenset[str]) -> list[Table]:
    """The tables in dependency order, but those ignored (sorting them each time cost more than
    some of the checks)."""
    return [table for table in Base.metadata.sorted_tables if table.name not in ignore]


def _digest_each_table(db: Session, tables: list[Table]) -> TextClause:
    quote = db.get_bind().dialect.identifier_preparer.quote
    return text(
        " UNION ALL ".join(
            f"SELECT '{table.name}', (SELECT md5(coalesce(string_agg(r::text, E'\\n'"
            f" ORDER BY r::text), '')) FROM {quote(table.name)} AS r)"
            for table in tables
        )
    )


def _flashes(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as cookie:
        return list(cookie.get("_flashes", []))


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
@pytest.mark.parametrize(
    ("method", "path", "data", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _d, _w in ROUTES]
)
def test_route_permissions(
    app: Flask,
    db: Session,
    objects: dict[str, Any],
    persona: object,
    method: str,
    path: str,
    data: dict[str, Any] | None,
    allowed: set[object],
) -> None:
    """Allowed: the page is served, or the change is made and confirmed. Refused: the refusal
    (sign-in for visitors, 403 for others) and not one row changed anywhere."""
    app.config["WTF_CSRF_ENABLED"] = False  # this matrix checks permissions; CSRF has its own tests
    client, person = _client_as(app, db, persona)
    if method == "POST" and path in PREPARE:
        with app.test_request_context("/"):
            PREPARE[path](db, objects, person)
            db.commit()
    url = path.format(**objects)
    form = _form(data or {}, objects) if method == "POST" else None
    before = fingerprint(db)
    response = client.open(url, method=method, data=form)
    if path in VISITORS_ONLY and persona != ANONYMOUS:
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account")
        assert fingerprint(db) == before
    elif persona in allowed and method == "GET":
        assert response.status_code == 200, response.status_code
    elif persona in allowed:
        assert response.status_code in (200, 302), response.status_code
        assert "/accedi" not in response.headers.get("Location", "")
        said = _flashes(client)
        assert not [m for c, m in said if c in ("warning", "danger")], said
        assert fingerprint(db) != before, "an allowed action changed nothing"
    elif persona == ANONYMOUS:
        assert response.status_code == 302
        assert "/accedi" in response.headers["Location"]
        assert fingerprint(db) == before
    else:
        assert response.status_code == 403
        assert fingerprint(db) == before
