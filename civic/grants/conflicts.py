"""Who may not judge an application: the people behind it.

An application's lead, the members of its group (confirmed, or invited under their account's
address) and, for an organisation, everyone who leads or joined any application of the same
organisation (the same tax code) have an interest in it. Such a person is never assigned to it,
by hand or automatically; one who gains an interest after being assigned (they join the
organisation's next application, say) is recused at that moment and the application goes to
another juror. Declarations of conflict remain for the interests no record shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.domain import Role
from ..accounts.models import RoleGrant, User
from ..core import audit
from ..core.mail import queue_email
from .models import GrantApplication, GrantMember, JuryAssignment
from .queries import assignments_of_call
from .states import State

BECAME_INTERESTED = "became a member of the applicant"
JUDGED_STATES = (State.UNDER_REVIEW.value, State.INTERVIEW.value)


def jurors_of(session: Session, call_id: int) -> list[User]:
    """People holding the juror role, across the platform or for this call."""
    ids = session.scalars(
        select(RoleGrant.user_id).where(
            RoleGrant.role == Role.JUROR.value,
            (RoleGrant.call_id.is_(None)) | (RoleGrant.call_id == call_id),
        )
    ).all()
    return list(
        session.scalars(
            select(User).where(User.id.in_(set(ids)), User.deleted_at.is_(None)).order_by(User.id)
        )
    )


def _people_of(session: Session, application_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each application's lead and members (by account, or by their invited address)."""
    ids = set(application_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    for app_id, lead in session.execute(
        select(GrantApplication.id, GrantApplication.lead_user_id).where(
            GrantApplication.id.in_(ids)
        )
    ):
        if lead is not None:
            found[app_id].add(lead)
    for app_id, user_id, by_address in session.execute(
        select(GrantMember.application_id, GrantMember.user_id, User.id)
        .outerjoin(User, (User.email == GrantMember.email) & User.deleted_at.is_(None))
        .where(GrantMember.application_id.in_(ids))
    ):
        found[app_id].update(p for p in (user_id, by_address) if p is not None)
    return found


def interested(session: Session, application_ids: Iterable[int]) -> dict[int, set[int]]:
    """application id -> the people with an interest in it (see the module's docstring)."""
    ids = set(application_ids)
    found = _people_of(session, ids)
    codes = dict(
        session.execute(
            select(GrantApplication.id, GrantApplication.tax_code).where(
                GrantApplication.id.in_(ids),
                GrantApplication.applicant_kind == "organisation",
                GrantApplication.tax_code != "",
            )
        ).all()
    )
    if codes:
        siblings: dict[str, set[int]] = defaultdict(set)
        for sibling, code in session.execute(
            select(GrantApplication.id, GrantApplication.tax_code).where(
                GrantApplication.tax_code.in_(set(codes.values()))
            )
        ):
            siblings[code].add(sibling)
        people = _people_of(session, {s for group in siblings.values() for s in group})
        for app_id, code in codes.items():
            for sibling in siblings[code]:
                found[app_id] |= people.get(sibling, set())
    return {app_id: found.get(app_id, set()) for app_id in ids}


def reassign(
    session: Session,
    actor: User,
    assignment: JuryAssignment,
    *,
    now: datetime,
) -> JuryAssignment | None:
    """Give a recused juror's application to the least-loaded eligible juror, if there is
    one (else staff see it short of a juror and add one by hand)."""
    application = session.get(GrantApplication, assignment.application_id)
    assert application is not None
    every = assignments_of_call(session, application.call_id)
    load: dict[int, int] = {}
    for a in every:
        if a.recused_at is None:
            load[a.juror_id] = load.get(a.juror_id, 0) + 1
    # Everyone who was ever on this application (recused ones too) is out, and so is anyone
    # with an interest in it.
    taken = {a.juror_id for a in every if a.application_id == assignment.application_id}
    taken |= interested(session, [application.id])[application.id]
    candidates = sorted(
        (j.id for j in jurors_of(session, application.call_id) if j.id not in taken),
        key=lambda j: (load.get(j, 0), j),
    )
    if not candidates:
        return None
    replacement = candidates[0]
    made = JuryAssignment(
        application_id=assignment.application_id, juror_id=replacement, assigned_at=now
    )
    session.add(made)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="grant.jury.reassign",
        target_type="grant_application",
        target_id=assignment.application_id,
        now=now,
        after={"from": assignment.juror_id, "to": replacement},
    )
    newcomer = session.get(User, replacement)
    if newcomer is not None and newcomer.email:
        queue_email(
            session,
            newcomer.email,
            "grant_jury_assigned",
            newcomer.language,
            user=newcomer,
            jury_url=url_for("grants.jury_home", _external=True),
        )
    return made


def recuse_if_interested(session: Session, person: User, *, now: datetime) -> int:
    """After ``person`` joined or started an application: take them off every application
    they now have an interest in, and reassign it. Returns how many they were taken off."""
    mine = list(
        session.scalars(
            select(JuryAssignment)
            .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
            .where(
                JuryAssignment.juror_id == person.id,
                JuryAssignment.recused_at.is_(None),
                GrantApplication.state.in_(JUDGED_STATES),  # a decided one stays as decided
            )
        )
    )
    if not mine:
        return 0
    stakes = interested(session, [a.application_id for a in mine])
    recused = 0
    for assignment in mine:
        if person.id not in stakes[assignment.application_id]:
            continue
        assignment.recused_at = now
        assignment.conflict_reason = BECAME_INTERESTED
        audit.record(
            session,
            actor_id=person.id,
            action="grant.jury.recused_interest",
            target_type="grant_application",
            target_id=assignment.application_id,
            now=now,
            after={"juror_id": person.id},
        )
        session.flush()
        reassign(session, person, assignment, now=now)
        recused += 1
    return recused
