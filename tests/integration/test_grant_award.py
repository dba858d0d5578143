"""Grants beyond the first ranking: rolling calls evaluated in sessions, staff changing the
jury by hand, and the life of an awarded grant (instalments, reports, closing), each step
e-mailed to the applicant."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.audit import AuditEntry
from civic.core.refusals import PermissionDenied
from civic.core.time import ROME, utcnow
from civic.grants import jury, ranking, services
from civic.grants.models import GrantApplication, GrantSettings, JuryAssignment, JuryScore
from civic.grants.states import State
from tests.factories.accounts import make_user
from tests.factories.grants import DAY, make_application, make_grant_call
from tests.support import Mailbox, plain_pdf


def _admit(db: Session, staff: User, application: GrantApplication) -> None:
    services.start_formal_check(db, staff, application, now=utcnow())
    services.decide_formal_check(db, staff, application, outcome="admissible", now=utcnow())


def _score_all(db: Session, juror: User, settings: GrantSettings, half: int) -> None:
    for assignment in db.scalars(
        select(JuryAssignment).where(
            JuryAssignment.juror_id == juror.id, JuryAssignment.submitted_at.is_(None)
        )
    ):
        jury.declare(db, juror, assignment, conflict=False, reason="", now=utcnow())
        jury.save_scores(
            db,
            juror,
            assignment,
            settings,
            {c["code"]: (half, "Motivazione") for c in settings.criteria},
            submit=True,
            now=utcnow(),
        )


def _rome_day(moment: datetime) -> date:
    return moment.astimezone(ROME).date()


def test_a_rolling_call_ranks_each_session_with_the_budget_left(
    app_ctx: Flask, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    now = utcnow()
    first, second = _rome_day(now - 3 * DAY), _rome_day(now + 5 * DAY)
    with pytest.raises(services.GrantRefused, match="rules_invalid"):
        make_grant_call(db, staff, mode="rolling", cutoffs=[])
    db.rollback()
    call, settings = make_grant_call(
        db,
        staff,
        budget_cents=45_000_00,
        jurors_per_application=1,
        mode="rolling",
        cutoffs=[first.isoformat(), second.isoformat()],
    )
    juror = make_user(db, roles=(Role.JUROR,))
    early = [
        make_application(
            db,
            call,
            settings,
            title=f"Presto {n}",
            total_cents=(20 + n) * 1_000_00,
            now=now - 5 * DAY,
        )
        for n in range(2)
    ]
    late = make_application(db, call, settings, title="Tardi", total_cents=22_000_00, now=now)
    for application in (*early, late):
        _admit(db, staff, application)
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    _score_all(db, juror, settings, 9)
    db.commit()
    assert ranking.default_session(db, call.id, settings) == first
    # Each session ranks only its own applications.
    first_board = ranking.board(db, call.id, settings, first)
    assert {r.application.id for r in first_board.rows} == {a.id for a in early}
    with pytest.raises(services.GrantRefused, match="session_unknown"):
        ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
    published = ranking.publish(
        db, staff, call.id, settings, kind="final", cutoff=first, now=utcnow()
    )
    db.commit()
    assert published.session_on == first
    assert [a.state for a in early] == ["funded", "funded"]
    assert late.state == "under_review"  # its session has not been ranked
    # The second session has what the first left: 45,000 - 41,000 = 4,000, short of 22,000.
    assert ranking.default_session(db, call.id, settings) == second
    second_board = ranking.board(db, call.id, settings)
    assert [r.application.id for r in second_board.rows] == [late.id]
    assert second_board.ranking.funded == []
    assert second_board.ranking.reserve == [str(late.id)]
    ranking.publish(db, staff, call.id, settings, kind="final", cutoff=second, now=utcnow())
    db.commit()
    assert late.state == "reserve"
    assert ranking.published_sessions(db, call.id) == [first, second]
    assert ranking.latest(db, call.id, first).rows[0]["application_id"] in {a.id for a in early}  # type: ignore[union-attr]
    # After the last cut-off nothing more can be submitted, though the call is still open.
    late_lead = make_user(db)
    too_late = make_application(db, call, settings, late_lead, title="Fuori tempo", submit=False)
    problems = services.submission_problems(db, too_late, call, settings, now + 6 * DAY)
    assert problems[0] == "after_last_cutoff"
    with pytest.raises(services.GrantRefused, match="after_last_cutoff"):
        services.submit(db, late_lead, too_late, call, settings, now=now + 6 * DAY)


def test_staff_take_a_juror_off_an_application_they_have_not_scored(
    app_ctx: Flask, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff, jurors_per_application=1)
    people = {u.id: u for u in (make_user(db, roles=(Role.JUROR,)) for _ in range(3))}
    applications = [make_application(db, call, settings, title=f"P{n}") for n in range(3)]
    for application in applications:
        _admit(db, staff, application)
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    db.commit()
    by_app = {a.application_id: a for a in db.scalars(select(JuryAssignment))}
    # A draft score, then removal: the assignment and its draft go, the log keeps it.
    drafting = by_app[applications[0].id]
    juror = people[drafting.juror_id]
    jury.declare(db, juror, drafting, conflict=False, reason="", now=utcnow())
    jury.save_scores(
        db, juror, drafting, settings, {"idea": (6, "Bozza")}, submit=False, now=utcnow()
    )
    with pytest.raises(PermissionDenied):
        jury.remove_juror(db, juror, drafting, now=utcnow())
    jury.remove_juror(db, staff, drafting, now=utcnow())
    db.commit()
    assert db.get(JuryAssignment, drafting.id) is None
    assert db.scalars(select(JuryScore).where(JuryScore.assignment_id == drafting.id)).all() == []
    logged = db.scalar(select(AuditEntry).where(AuditEntry.action == "grant.jury.remove"))
    assert logged is not None
    assert logged.target_id == str(applications[0].id)
    # Auto-assignment fills the gap again.
    assert jury.auto_assign(db, staff, call.id, settings, now=utcnow()) == 1
    # A recusal stays on record; submitted scores stay too.
    recusing = by_app[applications[1].id]
    person = people[recusing.juror_id]
    jury.declare(db, person, recusing, conflict=True, reason="Socio", now=utcnow())
    with pytest.raises(services.GrantRefused, match="juror_recused"):
        jury.remove_juror(db, staff, recusing, now=utcnow())
    scored = by_app[applications[2].id]
    scorer = people[scored.juror_id]
    jury.declare(db, scorer, scored, conflict=False, reason="", now=utcnow())
    jury.save_scores(
        db,
        scorer,
        scored,
        settings,
        {c["code"]: (8, "Buono") for c in settings.criteria},
        submit=True,
        now=utcnow(),
    )
    with pytest.raises(services.GrantRefused, match="scores_final"):
        jury.remove_juror(db, staff, scored, now=utcnow())


def _pdf() -> io.BytesIO:
    return io.BytesIO(plain_pdf())


def test_a_grant_is_paid_in_instalments_reported_on_and_closed(
    app_ctx: Flask, db: Session, mailbox: Mailbox, tmp_path: Path
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff, jurors_per_application=1)
    juror = make_user(db, roles=(Role.JUROR,))
    lead = make_user(db, email="grantee@example.org")
    application = make_application(db, call, settings, lead, total_cents=20_000_00)
    _admit(db, staff, application)
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    _score_all(db, juror, settings, 9)
    ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
    assert application.state == "funded"
    with pytest.raises(services.GrantRefused, match="reports_closed"):
        services.add_report(
            db, lead, application, title="R", stream=_pdf(), folder=tmp_path, now=utcnow()
        )
    services.award_step(db, staff, application, State.AGREEMENT, now=utcnow())
    services.plan_instalments(
        db,
        staff,
        application,
        [(12_000_00, date(2026, 1, 1)), (8_000_00, date(2026, 6, 1))],
        now=utcnow(),
    )
    services.award_step(db, staff, application, State.REPORTING, now=utcnow())
    with pytest.raises(services.GrantRefused, match="instalments_unpaid"):
        services.award_step(db, staff, application, State.CLOSED, now=utcnow())
    first, second = services.instalments_of(db, application.id)
    with pytest.raises(services.GrantRefused, match="instalment_order"):
        services.mark_paid(db, staff, application, second, now=utcnow())
    with pytest.raises(PermissionDenied):
        services.mark_paid(db, lead, application, first, now=utcnow())
    services.mark_paid(db, staff, application, first, now=utcnow())
    with pytest.raises(services.GrantRefused, match="instalment_paid"):
        services.mark_paid(db, staff, application, first, now=utcnow())
    services.mark_paid(db, staff, application, second, now=utcnow())
    db.commit()
    paid = [m for m in mailbox.to("grantee@example.org") if "rata" in str(m["Subject"])]
    assert len(paid) == 2
    assert "12.000,00" in Mailbox.body(paid[0])
    with pytest.raises(services.GrantRefused, match="reports_pending"):
        services.award_step(db, staff, application, State.CLOSED, now=utcnow())
    with pytest.raises(PermissionDenied):
        services.add_report(
            db, staff, application, title="R", stream=_pdf(), folder=tmp_path, now=utcnow()
        )
    report = services.add_report(
        db,
        lead,
        application,
        title="Relazione finale",
        stream=_pdf(),
        folder=tmp_path,
        now=utcnow(),
    )
    with pytest.raises(services.GrantRefused, match="reports_pending"):
        services.award_step(db, staff, application, State.CLOSED, now=utcnow())
    services.accept_report(db, staff, application, report, now=utcnow())
    with pytest.raises(services.GrantRefused, match="report_accepted"):
        services.accept_report(db, staff, application, report, now=utcnow())
    services.award_step(db, staff, application, State.CLOSED, now=utcnow())
    db.commit()
    assert application.state == "closed"
    subjects = [str(m["Subject"]) for m in mailbox.to("grantee@example.org")]
    assert any("relazione accettata" in s for s in subjects)
    assert any("Contributo chiuso" in s for s in subjects)
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("grant.%"))))
    assert {
        "grant.instalment_paid",
        "grant.report_uploaded",
        "grant.report_accepted",
        "grant.award.closed",
    } <= actions


def test_every_transition_is_e_mailed_to_the_applicant(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    """Including the applicant's own integration and the provisional ranking."""
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff, jurors_per_application=1)
    juror = make_user(db, roles=(Role.JUROR,))
    lead = make_user(db, email="lead@example.org")
    application = make_application(db, call, settings, lead)
    now = utcnow()
    services.start_formal_check(db, staff, application, now=now)
    services.decide_formal_check(
        db,
        staff,
        application,
        outcome="integration",
        reason="Budget",
        sections=["budget"],
        until=now + 5 * DAY,
        now=now,
    )
    services.send_integration(db, lead, application, now=now)
    services.decide_formal_check(db, staff, application, outcome="admissible", now=now)
    jury.auto_assign(db, staff, call.id, settings, now=now)
    _score_all(db, juror, settings, 9)
    ranking.publish(db, staff, call.id, settings, kind="provisional", now=now)
    assert application.state == "ranked"
    ranking.publish(db, staff, call.id, settings, kind="final", now=now)
    db.commit()
    subjects = [str(m["Subject"]) for m in mailbox.to("lead@example.org")]
    # submitted, formal check, integration requested, integration received (formal check),
    # admissible (under review), ranked, funded
    assert len(subjects) == 7, subjects
    assert sum("Verifica formale" in s for s in subjects) == 2
    assert any("In graduatoria" in s for s in subjects)
