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
from tests.support import Mailbox, plain_pdf
from tests.web.helpers import budget, post_with_token, rows, submit, text


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


def _plan(*instalments: tuple[str, str]) -> dict[str, str]:
    return rows("plan", *({"amount": amount, "due": due} for amount, due in instalments))


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
        **budget(("Macchine", "10.000,00"), ("Affitto", "5.000,00")),
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


def test_the_declaration_has_no_default_answer(client: FlaskClient, db: Session) -> None:
    _call, _settings, _application, _staff, people = _ready(client.application, db)
    mine = next(a for a in db.scalars(select(JuryAssignment)) if a.juror_id == people[0].id)
    log_in(client, people[0])
    page = text(client.get(f"/giuria/{mine.id}"))
    assert 'type="radio"' in page
    assert "checked" not in page
    silent = submit(client, f"/giuria/{mine.id}", {"step": "declare"})
    assert silent.status_code == 302
    db.refresh(mine)
    assert mine.declared_at is None
    assert mine.recused_at is None
    assert "Dichiara se hai un conflitto di interessi." in text(client.get(f"/giuria/{mine.id}"))


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
    typed = {f"score-{c['code']}": "4" for c in settings.criteria}
    first = settings.criteria[0]["code"]
    typed[f"comment-{first}"] = "Buona idea, ma il budget è vago"
    missing = submit(client, page, scores | typed)
    # Refused (every criterion needs a comment), the page comes back with what was typed.
    assert missing.status_code == 200
    assert "un commento" in text(missing)
    assert "Buona idea, ma il budget è vago" in text(missing)
    assert text(missing).count('<option value="4" selected>') == len(settings.criteria)
    assert "Buona idea" not in text(client.get(page))  # and nothing was saved
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
        client,
        f"/gestione/domande/{application.id}/esito",
        {"step": "closed", "confirmed": "yes"},
        form_page=manage,
    )
    assert done.status_code == 302
    assert "non è possibile nello stato della domanda" in text(client.get(manage))
    db.refresh(application)
    assert application.state == "submitted"


PDF = plain_pdf()


def test_after_the_award_staff_pay_instalments_and_accept_the_grantees_report(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    import io

    from civic.grants.models import GrantFile, GrantInstalment
    from civic.grants.states import State

    call, settings, application, staff, _people = _ready(client.application, db, jurors=2)
    with client.application.test_request_context("/"):
        for assignment in db.scalars(select(JuryAssignment)):
            juror = db.get(User, assignment.juror_id)
            assert juror is not None
            jury.declare(db, juror, assignment, conflict=False, reason="", now=utcnow())
            jury.save_scores(
                db,
                juror,
                assignment,
                settings,
                {c["code"]: (9, "Ok") for c in settings.criteria},
                submit=True,
                now=utcnow(),
            )
        ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
        services.award_step(db, staff, application, State.AGREEMENT, now=utcnow())
        db.commit()
    lead = db.get(User, application.lead_user_id)
    assert lead is not None
    log_in(client, staff)
    manage = f"/gestione/bandi/{call.id}/contributi"
    plan_url = f"/gestione/domande/{application.id}/rate"
    assert plan_url in text(client.get(manage))  # the call's page links to the planner
    bad = submit(client, plan_url, _plan(("quindicimila", "domani")))
    assert bad.status_code == 200
    assert "Scrivi un importo come 1.234,50." in text(bad)
    assert 'value="quindicimila"' in text(bad)
    assert db.scalars(select(GrantInstalment)).all() == []
    short = submit(client, plan_url, _plan(("1.000,00", "2026-01-15")))
    assert short.status_code == 200
    assert "Le rate devono sommare" in text(short)
    good = submit(client, plan_url, _plan(("15.000,00", "2026-01-15"), ("10.000,00", "2026-07-15")))
    assert good.status_code == 302
    first, second = db.scalars(select(GrantInstalment).order_by(GrantInstalment.number)).all()
    page = text(client.get(manage))
    assert "Registra la rata 1 come pagata" in page
    paid = post_with_token(client, f"/gestione/domande/{application.id}/rate/{first.id}")
    assert paid.status_code == 302
    db.refresh(first)
    assert first.paid_at is not None
    assert "rata 1 pagata" in str(mailbox.last_to("lead@example.org")["Subject"])
    # The grantee uploads a report from the application page; anything but a PDF is refused.
    log_in(client, lead)
    own = f"/domande/{application.id}"
    assert "Carica la relazione" in text(client.get(own))
    wrong = client.post(
        f"/domande/{application.id}/relazioni",
        data={
            "csrf_token": _token(client, own),
            "title": "Relazione",
            "file": (io.BytesIO(b"GIF89a nope"), "relazione.pdf"),
        },
    )
    assert wrong.status_code == 302
    assert db.scalars(select(GrantFile).where(GrantFile.kind == "report")).all() == []
    sent = client.post(
        f"/domande/{application.id}/relazioni",
        data={
            "csrf_token": _token(client, own),
            "title": "Relazione semestrale",
            "file": (io.BytesIO(PDF), "relazione.pdf"),
        },
    )
    assert sent.status_code == 302
    report = db.scalar(select(GrantFile).where(GrantFile.kind == "report"))
    assert report is not None
    assert report.accepted_at is None
    assert "Relazione semestrale" in text(client.get(own))
    # Someone else may not upload on this grant, nor accept reports.
    other = make_user(db)
    log_in(client, other)
    assert client.post(
        f"/domande/{application.id}/relazioni",
        data={"csrf_token": _token(client, "/"), "file": (io.BytesIO(PDF), "r.pdf")},
    ).status_code in (403, 404)
    log_in(client, staff)
    accepted = post_with_token(client, f"/gestione/domande/{application.id}/relazioni/{report.id}")
    assert accepted.status_code == 302
    db.refresh(report)
    assert report.accepted_at is not None
    assert "relazione accettata" in str(mailbox.last_to("lead@example.org")["Subject"])
    # Closing waits for the second instalment.
    step = f"/gestione/domande/{application.id}/esito"
    reporting = {"step": "reporting", "confirmed": "yes"}
    assert submit(client, step, reporting, form_page=manage).status_code == 302
    submit(client, step, {"step": "closed", "confirmed": "yes"}, form_page=manage)
    assert "tutte le rate sono pagate" in text(client.get(manage))
    post_with_token(client, f"/gestione/domande/{application.id}/rate/{second.id}")
    submit(client, step, {"step": "closed", "confirmed": "yes"}, form_page=manage)
    db.refresh(application)
    assert application.state == "closed"


def _token(client: FlaskClient, page: str) -> str:
    from tests.conftest import csrf_from

    return csrf_from(text(client.get(page)))


def test_staff_remove_a_juror_and_run_a_rolling_call_by_session(
    client: FlaskClient, db: Session
) -> None:
    call, _settings, _application, staff, people = _ready(client.application, db, jurors=3)
    log_in(client, staff)
    manage = f"/gestione/bandi/{call.id}/contributi"
    assignment = db.scalars(select(JuryAssignment)).first()
    assert assignment is not None
    name = people[[p.id for p in people].index(assignment.juror_id)].display_name
    assert f"Togli {name}" in text(client.get(manage))
    assignment_id = assignment.id
    removed = post_with_token(client, f"/gestione/giuria/{assignment_id}/rimuovi")
    assert removed.status_code == 302
    assert db.get(JuryAssignment, assignment_id) is None
    assert "Giurato tolto dalla domanda" in text(client.get(manage))
    assert post_with_token(client, "/gestione/giuria/999999/rimuovi").status_code == 404


def test_a_rolling_calls_rules_and_its_sessions_on_the_public_ranking(
    client: FlaskClient, db: Session
) -> None:
    from datetime import timedelta

    from civic.core.time import ROME

    staff = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        call, settings = make_grant_call(db, staff)
    log_in(client, staff)
    manage = f"/gestione/bandi/{call.id}/contributi"
    form = {
        "max_grant": "30.000,00",
        **rows(
            "criteria",
            {"code": "idea", "label": "Idea", "weight": "3", "threshold": "2"},
            {"code": "need", "label": "Bisogno", "weight": "2", "threshold": "0"},
        ),
        "overall_threshold": "2",
        "jurors_per_application": "1",
        "disagreement": "1,5",
        "tie_break": "earlier",
        "ranking_basis": "raw",
        "mode": "rolling",
    }
    submit(client, manage, form)
    db.refresh(settings)
    assert settings.mode == "single"  # refused: a rolling call needs its cut-offs
    impossible = submit(client, manage, form | {"cutoffs-0-day": "2099-02-30"})
    assert "Data di taglio" in text(impossible)
    assert 'value="2099-02-30"' in text(impossible)
    db.refresh(settings)
    assert settings.mode == "single"
    today = utcnow().astimezone(ROME).date()
    days = [(today + timedelta(days=n)).isoformat() for n in (1, 30)]
    twice = submit(client, manage, form | rows("cutoffs", {"day": days[0]}, {"day": days[0]}))
    assert "una volta sola" in text(twice)
    db.refresh(settings)
    assert settings.mode == "single"
    saved = submit(client, manage, form | rows("cutoffs", {"day": days[1]}, {"day": days[0]}))
    assert saved.status_code == 302
    db.refresh(settings)
    assert (settings.mode, settings.cutoffs) == ("rolling", days)
    with client.application.test_request_context("/"):
        juror = make_user(db, roles=(Role.JUROR,))
        application = make_application(db, call, settings, total_cents=10_000_00)
        services.start_formal_check(db, staff, application, now=utcnow())
        services.decide_formal_check(db, staff, application, outcome="admissible", now=utcnow())
        jury.auto_assign(db, staff, call.id, settings, now=utcnow())
        assignment = db.scalars(select(JuryAssignment)).one()
        jury.declare(db, juror, assignment, conflict=False, reason="", now=utcnow())
        jury.save_scores(
            db,
            juror,
            assignment,
            settings,
            {c["code"]: (8, "Ok") for c in settings.criteria},
            submit=True,
            now=utcnow(),
        )
        db.commit()
    page = text(client.get(manage))
    assert "Sessioni di valutazione" in page
    # Publishing without naming a session is refused; naming the first one works.
    nameless = post_with_token(
        client, f"/gestione/bandi/{call.id}/graduatoria", {"kind": "final", "confirmed": "yes"}
    )
    assert nameless.status_code == 302
    db.refresh(application)
    assert application.state == "under_review"
    named = post_with_token(
        client,
        f"/gestione/bandi/{call.id}/graduatoria",
        {"kind": "final", "session": days[0], "confirmed": "yes"},
    )
    assert named.status_code == 302
    db.refresh(application)
    assert application.state == "funded"
    public = text(client.get(f"/bandi/{call.slug}/graduatoria"))
    assert "Sessione di valutazione del" in public
    assert f"graduatoria.csv?sessione={days[0]}" in public
    csv_body = text(client.get(f"/bandi/{call.slug}/graduatoria.csv?sessione={days[0]}"))
    assert application.protocol_number in csv_body
    assert client.get(f"/bandi/{call.slug}/graduatoria?sessione=2000-01-01").status_code == 404
    empty = client.get(f"/bandi/{call.slug}/graduatoria.csv?sessione={days[1]}")
    assert empty.status_code == 404
