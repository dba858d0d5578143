"""Every route for every role: who gets the page, who is sent to sign in, who gets 403."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call
from civic.core.time import utcnow
from civic.execution.models import Milestone, TrackedProject
from civic.grants.models import GrantFile, GrantInstalment, JuryAssignment
from civic.meetings import services as meeting_services
from civic.proposals import services
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_proposal, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.grants import make_application, make_grant_call
from tests.factories.meetings import make_meeting, register

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
}

# (method, path, form data, who may use it)
ROUTES: list[tuple[str, str, dict[str, Any] | None, set[object]]] = [
    ("GET", "/", None, PUBLIC),
    ("GET", "/privacy", None, PUBLIC),
    ("GET", "/dichiarazione-accessibilita", None, PUBLIC),
    ("GET", "/segretezza-del-voto", None, PUBLIC),
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/readyz", None, PUBLIC),
    ("GET", "/accedi", None, PUBLIC),
    ("GET", "/registrati", None, PUBLIC),
    ("GET", "/password-dimenticata", None, PUBLIC),
    ("GET", "/account", None, SIGNED_IN),
    ("GET", "/account/profilo", None, SIGNED_IN),
    ("GET", "/account/password", None, SIGNED_IN),
    ("GET", "/account/i-miei-dati.json", None, SIGNED_IN),
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
    ("POST", "/gestione/bandi/{call}/documenti", {}, STAFF),
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
    ("POST", "/gestione/bandi/{call}/pubblica-risultati", {}, STAFF),
    ("GET", "/gestione/residenza", None, STAFF),
    ("GET", "/incontri", None, PUBLIC),
    ("GET", "/incontri/calendario.ics", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/verbale", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/calendario.ics", None, PUBLIC),
    ("GET", "/bandi/{slug}/incontri.ics", None, PUBLIC),
    ("GET", "/incontri/{meeting_slug}/iscrizione", None, SIGNED_IN),
    ("POST", "/incontri/{meeting_slug}/iscrizione/annulla", {}, SIGNED_IN),
    ("POST", "/incontri/{meeting_slug}/interventi", {}, SIGNED_IN),
    ("POST", "/incontri/{meeting_slug}/contributi", {"body": "Un'idea"}, SIGNED_IN),
    ("GET", "/gestione/incontri", None, STAFF),
    ("GET", "/gestione/incontri/nuovo", None, STAFF),
    ("GET", "/gestione/incontri/{meeting}", None, STAFF),
    ("GET", "/gestione/incontri/{meeting}/modifica", None, STAFF),
    ("POST", "/gestione/incontri/{meeting}/pubblica", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/annulla", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/gruppi", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/agenda", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/ospiti", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/interventi/{speaker_request}", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/verbale", {}, STAFF),
    ("POST", "/gestione/incontri/{meeting}/resoconto", {}, STAFF),
    ("GET", "/gestione/incontri/{meeting}/accoglienza", None, STAFF),
    ("POST", "/gestione/incontri/{meeting}/accoglienza", {"code": "NOPE"}, STAFF),
    ("GET", "/gestione/residenza/anagrafe", None, STAFF),
    ("GET", "/admin/impostazioni", None, ADMIN_ONLY),
    ("POST", "/admin/impostazioni", {}, ADMIN_ONLY),
    ("POST", "/admin/utenti/{target}/identita", {"reason": "Controllo richiesto"}, ADMIN_ONLY),
    ("GET", "/bandi/{grant_slug}/graduatoria", None, PUBLIC),
    ("GET", "/contributi/trasparenza", None, PUBLIC),
    ("POST", "/bandi/{grant_slug}/domande/nuova", {"kind": "group"}, SIGNED_IN),
    ("GET", "/gestione/bandi/{grant_call}/contributi", None, STAFF),
    ("POST", "/gestione/bandi/{grant_call}/contributi", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/verifica", {}, STAFF),
    ("POST", "/gestione/bandi/{grant_call}/giuria", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/giurati", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/resoconto", {}, STAFF),
    ("POST", "/gestione/bandi/{grant_call}/graduatoria", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/esito", {}, STAFF),
    ("POST", "/gestione/giuria/{jury_assignment}/rimuovi", {}, STAFF),
    ("GET", "/opendata", None, PUBLIC),
    ("GET", "/opendata/catalog.jsonld", None, PUBLIC),
    ("GET", "/opendata/proposals.csv", None, PUBLIC),
    ("GET", "/opendata/proposals.json", None, PUBLIC),
    ("GET", "/api/v1/openapi.json", None, PUBLIC),
    ("GET", "/api/v1/docs", None, PUBLIC),
    ("GET", "/api/v1/proposals", None, PUBLIC),
    ("GET", "/api/v1/proposals/{proposal}", None, PUBLIC),
    ("POST", "/gestione/domande/{grant_app}/rate", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/rate/{instalment}", {}, STAFF),
    ("POST", "/gestione/domande/{grant_app}/relazioni/{grant_report}", {}, STAFF),
    ("GET", "/giuria", None, {Role.JUROR}),
    ("GET", "/crowdfunding", None, PUBLIC),
    ("GET", "/crowdfunding/{campaign_slug}", None, PUBLIC),
    ("GET", "/crowdfunding/{campaign_slug}/sostieni", None, SIGNED_IN),
    ("GET", "/bandi/{cf_slug}/candidatura", None, SIGNED_IN),
    ("POST", "/crowdfunding/{campaign_slug}/premi", {}, STAFF),  # and the lead partner
    ("POST", "/crowdfunding/{campaign_slug}/aggiornamenti", {}, STAFF),  # and the lead partner
    ("GET", "/gestione/bandi/{cf_call}/crowdfunding", None, STAFF),
    ("POST", "/gestione/bandi/{cf_call}/crowdfunding", {}, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{application}/valuta", {}, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{application}/seleziona", {}, STAFF),
    ("POST", "/gestione/crowdfunding/candidature/{application}/respingi", {}, STAFF),
    ("GET", "/gestione/crowdfunding/campagne/{campaign}", None, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/apri", {}, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/chiudi", {}, STAFF),
    ("POST", "/gestione/crowdfunding/campagne/{campaign}/erogazione", {}, STAFF),
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
    ("POST", "/gestione/progetti-finanziati/{project}/aggiornamento", {}, STAFF),
    ("POST", "/gestione/progetti-finanziati/{project}/tappe", {}, STAFF),
    ("POST", "/gestione/progetti-finanziati/{project}/tappe/{milestone}", {}, STAFF),
]

# Reached only with a token, a stored file or an existing appeal: covered by their own tests.
ELSEWHERE = {
    "static",
    "accounts.verify_email",
    "accounts.reset_password",
    "accounts.sign_out",
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
    }
    covered = {
        adapter.match(path.format(**ids), method=method)[0] for method, path, _d, _w in ROUTES
    }
    every = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(every - covered - ELSEWHERE) == []


@pytest.fixture
def objects(db: Session, app: Flask) -> dict[str, Any]:
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
        register(db, meeting, speaker)
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
    campaign = make_campaign(db)
    cf_call = db.get(Call, campaign.call_id)
    assert cf_call is not None
    target = make_user(db, email="target@example.org", roles=(Role.STAFF,))
    return {
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


def _client_as(app: Flask, db: Session, persona: object) -> FlaskClient:
    client = app.test_client()
    if persona != ANONYMOUS:
        roles = () if persona is Role.CITIZEN else (persona,)
        log_in(client, make_user(db, roles=roles))  # type: ignore[arg-type]
    return client


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
    app.config["WTF_CSRF_ENABLED"] = False  # this matrix checks permissions; CSRF has its own tests
    client = _client_as(app, db, persona)
    url = path.format(**objects)
    form = (
        {k: str(v).format(**objects) for k, v in (data or {}).items()} if method == "POST" else None
    )
    response = client.open(url, method=method, data=form)
    if persona in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/accedi" not in response.headers["Location"]
    elif persona == ANONYMOUS:
        assert response.status_code == 302
        assert "/accedi" in response.headers["Location"]
    else:
        assert response.status_code == 403
