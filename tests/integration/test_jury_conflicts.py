"""The people behind an application never judge it: not by automatic assignment, not by hand,
not as a replacement, and not after they join its organisation later."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant, User
from civic.core.time import utcnow
from civic.grants import conflicts, jury, services
from civic.grants.models import GrantApplication, GrantMember, GrantSettings, JuryAssignment
from tests.factories.accounts import make_user
from tests.factories.grants import make_application, make_grant_call


def _under_review(db: Session, staff: User, application: GrantApplication) -> None:
    services.start_formal_check(db, staff, application, now=utcnow())
    services.decide_formal_check(db, staff, application, outcome="admissible", now=utcnow())
    db.commit()


def _juror(db: Session, user: User) -> User:
    db.add(RoleGrant(user_id=user.id, role=Role.JUROR.value, granted_at=utcnow()))
    db.commit()
    return user


def _member_of(db: Session, application: GrantApplication) -> User:
    member = db.scalar(
        select(User)
        .join(GrantMember, GrantMember.user_id == User.id)
        .where(GrantMember.application_id == application.id)
    )
    assert member is not None
    return member


def _on(db: Session, application: GrantApplication) -> set[int]:
    return set(
        db.scalars(
            select(JuryAssignment.juror_id).where(
                JuryAssignment.application_id == application.id,
                JuryAssignment.recused_at.is_(None),
            )
        )
    )


@pytest.fixture
def setting(app_ctx: Flask, db: Session) -> tuple[User, object, GrantSettings]:
    staff = make_user(db, roles=(Role.STAFF,))
    call, settings = make_grant_call(db, staff)
    settings.jurors_per_application = 1
    db.commit()
    return staff, call, settings


def test_automatic_assignment_never_gives_an_application_to_its_lead_or_member(
    setting: tuple[User, object, GrantSettings], db: Session
) -> None:
    staff, call, settings = setting
    first = make_application(db, call, settings, title="Orto")  # type: ignore[arg-type]
    second = make_application(db, call, settings, title="Biblioteca")  # type: ignore[arg-type]
    for application in (first, second):
        _under_review(db, staff, application)
    lead = db.get(User, first.lead_user_id)
    assert lead is not None
    member = _member_of(db, second)
    _juror(db, lead)
    _juror(db, member)
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())  # type: ignore[attr-defined]
    assert _on(db, first) == {member.id}  # the only juror left for each is the other
    assert _on(db, second) == {lead.id}
    assert conflicts.interested(db, [first.id])[first.id] >= {lead.id, _member_of(db, first).id}


def test_staff_cannot_put_a_lead_on_their_own_application_and_are_told_why(
    setting: tuple[User, object, GrantSettings], db: Session
) -> None:
    staff, call, settings = setting
    application = make_application(db, call, settings)  # type: ignore[arg-type]
    _under_review(db, staff, application)
    lead = db.get(User, application.lead_user_id)
    assert lead is not None
    _juror(db, lead)
    with pytest.raises(services.GrantRefused, match="juror_interested"):
        jury.add_juror(db, staff, application, lead, now=utcnow())
    db.rollback()
    assert _on(db, application) == set()


def test_a_replacement_after_a_declared_conflict_is_never_an_interested_person(
    setting: tuple[User, object, GrantSettings], db: Session
) -> None:
    staff, call, settings = setting
    application = make_application(db, call, settings)  # type: ignore[arg-type]
    _under_review(db, staff, application)
    outsider = _juror(db, make_user(db))
    _juror(db, _member_of(db, application))  # the least loaded, but behind the application
    jury.add_juror(db, staff, application, outsider, now=utcnow())
    assignment = db.scalar(select(JuryAssignment).where(JuryAssignment.juror_id == outsider.id))
    assert assignment is not None
    made = jury.declare(db, outsider, assignment, conflict=True, reason="Cugino", now=utcnow())
    assert made is None  # no one left who may judge it: staff add one by hand
    assert _on(db, application) == set()


def test_a_juror_who_joins_the_organisation_later_is_recused_and_replaced(
    setting: tuple[User, object, GrantSettings], db: Session
) -> None:
    staff, call, settings = setting
    settings.allow_organisations = True
    db.commit()
    lead = make_user(db)
    judged = services.start_application(db, lead, call, settings, kind="organisation", now=utcnow())  # type: ignore[arg-type]
    judged.state, judged.tax_code, judged.protocol_number = "under_review", "97123450159", "T-1"
    db.commit()
    juror = _juror(db, make_user(db))
    other = _juror(db, make_user(db))
    jury.add_juror(db, staff, judged, juror, now=utcnow())
    db.commit()
    # The juror now starts an application for the same organisation (same tax code).
    later = services.start_application(db, juror, call, settings, kind="organisation", now=utcnow())  # type: ignore[arg-type]
    draft = services.Draft(
        title="Doposcuola", group_name="", organisation_name="Associazione Esempio",
        legal_form="APS", tax_code="97123450159", area_id=None, sections={},
        budget_lines=[], cofunding_cents=0,
    )  # fmt: skip
    services.save_draft(db, juror, later, call, settings, draft, now=utcnow())  # type: ignore[arg-type]
    db.commit()
    assert _on(db, judged) == {other.id}
    recused = db.scalar(select(JuryAssignment).where(JuryAssignment.juror_id == juror.id))
    assert recused is not None
    assert recused.conflict_reason == conflicts.BECAME_INTERESTED
