"""Grants through the web: the applicant's pages, the juror's desk and what each may see."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.time import utcnow
from civic.grants import jury, ranking, services
from civic.grants.models import GrantApplication, JuryAssignment
from tests.factories.accounts import log_in, make_user
from tests.factories.grants import SECTIONS, make_application, make_grant_call
from tests.support import Mailbox
from tests.web.helpers import post_with_token, submit, text


def _ready(
    app: Flask, db: Session, jurors: int = 2
) -> tuple[Any, Any, GrantApplication, User, list[User]]:
    staff = make_user(db, roles=(Role.STAFF,))
    with app.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
        people = [
            make_user(db, roles=(Role.JUROR,), full_name=f"Giurato {n}") for n in range(jurors)
        ]
        lead = make_user(db, email="lead@example.org", full_name="Lucia Lead")
        application = make_application(db, call, settings, lead)
        services.start_formal_check(db, staff, application, now=utcnow())
        services.decide_formal_check(db, staff, application, outcome="admissible", now=utcnow())
        jury.auto_assign(db, staff, call.id, settings, now=utcnow())
        db.commit()
    return call, settings, application, staff, people


def test_applying_on_the_web_with_a_group_and_a_receipt(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    with client.application.test_request_context("/"):
        call, _settings = make_grant_call(db)
    lead = make_user(db, email="lucia@example.org")
    log_in(client, lead)
    started = post_with_token(client, f"/bandi/{call.slug}/domande/nuova", {"kind": "group"})
    assert started.status_code == 302
    page = started.headers["Location"]
    form = {
        "title": "Sartoria sociale",
        "group_name": "Vicini di via Padova",
        "area_id": str(call.areas[0].area_id),
        "budget": "Macchine | 10.000,00\nAffitto | 5.000,00",
        "cofunding": "500,00",
        **SECTIONS,
    }
    saved = submit(client, page, form | {"action": "save"})
    assert saved.status_code == 302
    application = db.scalar(select(GrantApplication))
    assert application is not None
    assert application.total_cents == 15_000_00
    refused = submit(client, page, form | {"action": "submit"}, form_page=page)
    assert refused.status_code == 302
    assert "almeno due residenti" in text(client.get(page))
    invited = submit(client, f"{page}/invita", {"email": "mario@example.org"}, form_page=page)
    assert invited.status_code == 302
    link = Mailbox.link(mailbox.last_to("mario@example.org"), "/domande/conferma/")
    member = make_user(db, email="mario@example.org")
    other = client.application.test_client()
    log_in(other, member)
    path = link.split("localhost", 1)[1]
    assert other.get(path).status_code == 302
    done = submit(client, page, form | {"action": "submit"})
    assert done.status_code == 302
    db.refresh(application)
    assert application.state == "submitted"
    receipt = client.get(f"{page}/ricevuta.pdf")
    assert receipt.mimetype == "application/pdf"
    assert receipt.data.startswith(b"%PDF-")
    stranger = client.application.test_client()
    log_in(stranger, make_user(db))
    assert stranger.get(page).status_code == 404
    assert stranger.get(f"{page}/ricevuta.pdf").status_code == 404


def test_a_juror_sees_an_application_only_after_declaring_no_conflict(
    client: FlaskClient, db: Session
) -> None:
    _call, _settings, _application, _staff, people = _ready(client.application, db)
    assignments = {a.juror_id: a for a in db.scalars(select(JuryAssignment))}
    first = people[0]
    mine = assignments[first.id]
    log_in(client, first)
    before = text(client.get(f"/giuria/{mine.id}"))
    assert "Una sartoria sociale." not in before  # the sections stay hidden
    assert "Dichiara" in before
    declared = submit(client, f"/giuria/{mine.id}", {"step": "declare", "conflict": "no"})
    assert declared.status_code == 302
    after = text(client.get(f"/giuria/{mine.id}"))
    assert "Una sartoria sociale." in after
    assert "Nessun altro giurato ha ancora inviato." not in after  # own scores first
    outsider = client.application.test_client()
    log_in(outsider, make_user(db, roles=(Role.JUROR,)))
    assert outsider.get(f"/giuria/{mine.id}").status_code == 404  # not theirs


def test_others_scores_only_after_submitting_and_names_never_to_the_applicant(
    client: FlaskClient, db: Session
) -> None:
    call, settings, application, staff, people = _ready(client.application, db)
    assignments = {a.juror_id: a for a in db.scalars(select(JuryAssignment))}
    a, b = people
    for juror in (a, b):
        jury.declare(db, juror, assignments[juror.id], conflict=False, reason="", now=utcnow())
    jury.save_scores(
        db,
        b,
        assignments[b.id],
        settings,
        {c["code"]: (8, "Commento di B molto preciso") for c in settings.criteria},
        submit=True,
        now=utcnow(),
    )
    db.commit()
    log_in(client, a)
    page = f"/giuria/{assignments[a.id].id}"
    assert "Commento di B molto preciso" not in text(client.get(page))
    scores = {"step": "score", "action": "submit"}
    missing = submit(client, page, scores | {f"score-{c['code']}": "4" for c in settings.criteria})
    assert missing.status_code == 302
    assert "un commento" in text(client.get(page))
    for c in settings.criteria:
        scores[f"score-{c['code']}"] = "4,5"
        scores[f"comment-{c['code']}"] = "Solido"
    assert submit(client, page, scores).status_code == 302
    assert "Commento di B molto preciso" in text(client.get(page))
    with client.application.test_request_context("/"):
        ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
        db.commit()
    lead_client = client.application.test_client()
    lead = db.get(User, application.lead_user_id)
    assert lead is not None
    log_in(lead_client, lead)
    own = text(lead_client.get(f"/domande/{application.id}"))
    for juror in people:
        assert juror.display_name not in own
    public = text(client.application.test_client().get(f"/bandi/{call.slug}/graduatoria"))
    assert application.protocol_number in public
    assert "Finanziato" in public
    csv_body = client.get(f"/bandi/{call.slug}/graduatoria.csv").get_data(as_text=True)
    assert application.protocol_number in csv_body
    assert client.get(f"/bandi/{call.slug}/graduatoria.pdf").data.startswith(b"%PDF-")
    transparency = text(client.get("/contributi/trasparenza"))
    assert "Residenti di via dei Cinquecento" in transparency


def test_staff_run_the_formal_check_and_the_jury_from_their_page(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
        application = make_application(db, call, settings, make_user(db, email="x@example.org"))
    log_in(client, staff)
    manage = f"/gestione/bandi/{call.id}/contributi"
    assert application.protocol_number in text(client.get(manage))
    bad = submit(
        client,
        f"/gestione/domande/{application.id}/verifica",
        {"outcome": "inadmissible", "reason": ""},
        form_page=manage,
    )
    assert bad.status_code == 302
    db.refresh(application)
    assert application.state == "submitted"  # refused: nothing changed, not even the start
    ok = submit(
        client,
        f"/gestione/domande/{application.id}/verifica",
        {"outcome": "admissible"},
        form_page=manage,
    )
    assert ok.status_code == 302
    db.refresh(application)
    assert application.state == "under_review"
    assert "In valutazione" in mailbox.last_to("x@example.org")["Subject"]
    frozen = text(client.get(manage))
    assert "Le regole sono bloccate" in frozen


def test_a_step_the_state_does_not_allow_is_a_message_and_changes_nothing(
    client: FlaskClient, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
        application = make_application(db, call, settings)
    log_in(client, staff)
    manage = f"/gestione/bandi/{call.id}/contributi"
    done = submit(
        client, f"/gestione/domande/{application.id}/esito", {"step": "closed"}, form_page=manage
    )
    assert done.status_code == 302
    assert "non è possibile nello stato della domanda" in text(client.get(manage))
    db.refresh(application)
    assert application.state == "submitted"
