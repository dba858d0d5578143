"""Grants end to end against a real database and SMTP server: applying, the formal check,
the jury with a conflict, scoring, the published ranking, the award."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.audit import AuditEntry
from civic.core.refusals import PermissionDenied
from civic.core.time import to_rome, utcnow
from civic.grants import jury, ranking, services
from civic.grants.models import GrantApplication, GrantRanking, JuryAssignment
from civic.grants.states import IllegalMove, State
from tests.factories.accounts import make_user
from tests.factories.grants import DAY, make_application, make_grant_call
from tests.support import Mailbox


def test_submission_gets_a_protocol_number_and_a_pdf_receipt(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    call, settings = make_grant_call(db)
    lead = make_user(db, email="lead@example.org")
    first = make_application(db, call, settings, lead)
    second = make_application(db, call, settings, title="Cucina di quartiere")
    assert first.protocol_number == f"SDQ-{utcnow().year}-000001"
    assert second.protocol_number == f"SDQ-{utcnow().year}-000002"
    assert first.state == "submitted"
    message = mailbox.last_to("lead@example.org")
    pdf = next(p for p in message.iter_attachments() if p.get_content_type() == "application/pdf")
    body = pdf.get_payload(decode=True)
    assert body.startswith(b"%PDF-")
    assert len(body) > 800
    with pytest.raises(services.GrantRefused, match="already_submitted"):
        services.submit(db, lead, first, call, settings, now=utcnow())


def test_two_calls_with_one_prefix_never_give_the_same_number(app_ctx: Flask, db: Session) -> None:
    """Every edition of a programme keeps its prefix: the second call's first application
    could not be submitted when each call counted from 1 (a clash on the unique number)."""
    year = to_rome(utcnow()).year
    first_call, first_settings = make_grant_call(db)
    second_call, second_settings = make_grant_call(db)
    assert first_settings.protocol_prefix == second_settings.protocol_prefix == "SDQ"
    one = make_application(db, first_call, first_settings)
    two = make_application(db, second_call, second_settings, title="Cucina di quartiere")
    three = make_application(db, first_call, first_settings, title="Ciclofficina")
    assert [a.protocol_number for a in (one, two, three)] == [
        f"SDQ-{year}-000001",
        f"SDQ-{year}-000002",
        f"SDQ-{year}-000003",
    ]
    assert two.state == "submitted"


def test_submission_is_refused_after_the_deadline_and_without_a_group(
    app_ctx: Flask, db: Session
) -> None:
    call, settings = make_grant_call(db)
    late = make_application(db, call, settings, submit=False)
    lead = db.get(type(make_user(db)), late.lead_user_id)
    assert lead is not None
    deadline = services.deadline(call)
    assert deadline is not None
    with pytest.raises(services.GrantRefused, match="deadline_passed"):
        services.submit(db, lead, late, call, settings, now=deadline + DAY)
    alone_lead = make_user(db)
    alone = services.start_application(db, alone_lead, call, settings, kind="group", now=utcnow())
    problems = services.submission_problems(db, alone, call, settings, utcnow())
    assert "group_too_small" in problems
    assert "section_missing:idea" in problems
    with pytest.raises(services.GrantRefused, match="kind_not_allowed"):
        services.start_application(
            db, alone_lead, call, settings, kind="organisation", now=utcnow()
        )


def test_the_rules_freeze_with_the_first_submission(app_ctx: Flask, db: Session) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff)
    make_application(db, call, settings)
    data = services.SettingsData(max_grant_cents=10_000_00, criteria=settings.criteria)
    with pytest.raises(services.GrantRefused, match="rules_frozen"):
        services.save_settings(db, staff, call, data, now=utcnow())


def test_the_formal_check_with_an_integration(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff)
    lead = make_user(db, email="applicant@example.org")
    application = make_application(db, call, settings, lead)
    now = utcnow()
    services.start_formal_check(db, staff, application, now=now)
    with pytest.raises(services.GrantRefused, match="integration_invalid"):
        services.decide_formal_check(db, staff, application, outcome="integration", now=now)
    services.decide_formal_check(
        db,
        staff,
        application,
        outcome="integration",
        reason="Dettagliate il budget",
        sections=["budget"],
        until=now + 5 * DAY,
        now=now,
    )
    assert application.state == "integration_requested"
    db.commit()  # e-mails leave after the commit
    told = mailbox.last_to("applicant@example.org")
    assert "Integrazione richiesta" in str(told["Subject"])
    assert "Dettagliate il budget" in Mailbox.body(told)
    with pytest.raises(PermissionDenied):
        services.send_integration(db, make_user(db), application, now=now)
    services.send_integration(db, lead, application, now=now)
    services.decide_formal_check(db, staff, application, outcome="admissible", now=now)
    assert application.state == "under_review"
    other = make_application(db, call, settings, title="Fuori tema")
    services.start_formal_check(db, staff, other, now=now)
    with pytest.raises(services.GrantRefused, match="reason_needed"):
        services.decide_formal_check(db, staff, other, outcome="inadmissible", now=now)
    services.decide_formal_check(
        db, staff, other, outcome="inadmissible", reason="Fuori tema", now=now
    )
    with pytest.raises(IllegalMove):
        services.decide_formal_check(db, staff, other, outcome="admissible", now=now)
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("grant.%"))))
    assert {
        "grant.submit",
        "grant.formal.integration",
        "grant.formal.admissible",
        "grant.formal.inadmissible",
        "grant.integration_sent",
    } <= actions


def _to_review(db: Session, staff, call, settings, count: int):  # type: ignore[no-untyped-def]
    applications = []
    for n in range(count):
        a = make_application(
            db, call, settings, title=f"Progetto {n}", total_cents=(20 + n) * 1_000_00
        )
        services.start_formal_check(db, staff, a, now=utcnow())
        services.decide_formal_check(db, staff, a, outcome="admissible", now=utcnow())
        applications.append(a)
    db.commit()
    return applications


def _score(db: Session, juror, assignment, settings, half: int) -> None:  # type: ignore[no-untyped-def]
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


def test_the_jury_declares_conflicts_scores_and_the_ranking_is_published(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff, budget_cents=45_000_00)
    jurors = [make_user(db, roles=(Role.JUROR,), email=f"juror{n}@example.org") for n in range(3)]
    applications = _to_review(db, staff, call, settings, 3)
    added = jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    assert added == 6  # two jurors each, balanced over three jurors
    loads = db.execute(
        select(JuryAssignment.juror_id, func.count()).group_by(JuryAssignment.juror_id)
    ).all()
    assert sorted(n for _j, n in loads) == [2, 2, 2]
    # A conflict: the juror is recused and the application goes to the third juror.
    first = db.scalars(
        select(JuryAssignment).where(JuryAssignment.application_id == applications[0].id)
    ).all()
    leaving = first[0]
    by_id = {j.id: j for j in jurors}
    replacement = jury.declare(
        db, by_id[leaving.juror_id], leaving, conflict=True, reason="Mio cugino", now=utcnow()
    )
    assert replacement is not None
    assert replacement.juror_id not in {a.juror_id for a in first}
    assert leaving.recused_at is not None
    with pytest.raises(PermissionDenied):  # a recused juror cannot score
        jury.save_scores(
            db, by_id[leaving.juror_id], leaving, settings, {}, submit=False, now=utcnow()
        )
    # Undeclared: scoring refused.
    pending = db.scalars(
        select(JuryAssignment).where(
            JuryAssignment.declared_at.is_(None), JuryAssignment.recused_at.is_(None)
        )
    ).all()
    with pytest.raises(PermissionDenied):
        jury.save_scores(
            db, by_id[pending[0].juror_id], pending[0], settings, {}, submit=False, now=utcnow()
        )
    # Everyone scores: application 0 best (5), 1 good (4), 2 weak (1.5: under the threshold).
    marks = {applications[0].id: 10, applications[1].id: 8, applications[2].id: 3}
    for assignment in pending:
        _score(
            db, by_id[assignment.juror_id], assignment, settings, marks[assignment.application_id]
        )
    with pytest.raises(services.GrantRefused, match="scores_final"):
        jury.save_scores(
            db, by_id[pending[0].juror_id], pending[0], settings, {}, submit=False, now=utcnow()
        )
    db.commit()
    board = ranking.board(db, call.id, settings)
    assert board.ranking.order == [str(applications[0].id), str(applications[1].id)]
    assert board.ranking.below_threshold == [str(applications[2].id)]
    # 20,000 + 21,000 fit in 45,000: both funded.
    ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
    db.commit()
    states = [db.get(GrantApplication, a.id).state for a in applications]  # type: ignore[union-attr]
    assert states == ["funded", "funded", "not_admitted"]
    published = db.scalar(select(GrantRanking))
    assert published is not None
    assert [r["outcome"] for r in published.rows] == ["funded", "funded", "below"]
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "grant.jury.conflict")
        )
        == 1
    )


def test_the_funding_line_and_the_reserve_list(app_ctx: Flask, db: Session) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff, budget_cents=30_000_00, jurors_per_application=1)
    juror = make_user(db, roles=(Role.JUROR,))
    applications = _to_review(db, staff, call, settings, 2)  # 20,000 and 21,000
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    for assignment, mark in zip(
        db.scalars(select(JuryAssignment).order_by(JuryAssignment.application_id)),
        (10, 9),
        strict=True,
    ):
        _score(db, juror, assignment, settings, mark)
    ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
    assert [a.state for a in applications] == ["funded", "reserve"]
    services.award_step(db, staff, applications[0], State.AGREEMENT, now=utcnow())
    with pytest.raises(services.GrantRefused, match="instalments_do_not_add_up"):
        services.plan_instalments(
            db, staff, applications[0], [(1_000_00, date(2026, 1, 1))], now=utcnow()
        )
    services.plan_instalments(
        db,
        staff,
        applications[0],
        [(12_000_00, date(2026, 1, 1)), (8_000_00, date(2026, 6, 1))],
        now=utcnow(),
    )
    with pytest.raises(services.GrantRefused, match="reason_needed"):
        services.award_step(db, staff, applications[0], State.REVOKED, now=utcnow())
    assert ranking.transparency(db)[0][1] == 20_000_00
