"""A person's share of grants: the applications they lead or belong to and their jury work,
for the data export and the activity page. On erasure their address leaves the applications'
member lists (each member kept its own copy); the applications stay, for the call's record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..core import personal_data
from ..core.personal_data import Activity, iso
from .models import GrantApplication, GrantMember, JuryAssignment, JuryScore


def _theirs(user: Any) -> Any:
    """Applications the person leads or is a member of."""
    member_of = select(GrantMember.application_id).where(GrantMember.user_id == user.id)
    return select(GrantApplication).where(
        or_(GrantApplication.lead_user_id == user.id, GrantApplication.id.in_(member_of))
    )


def _export(session: Session, user: Any) -> dict[str, Any]:
    applications = session.scalars(_theirs(user).order_by(GrantApplication.id))
    memberships = session.scalars(
        select(GrantMember).where(GrantMember.user_id == user.id).order_by(GrantMember.id)
    )
    assignments = list(
        session.scalars(
            select(JuryAssignment)
            .where(JuryAssignment.juror_id == user.id)
            .order_by(JuryAssignment.id)
        )
    )
    scores = session.scalars(
        select(JuryScore).where(JuryScore.assignment_id.in_([a.id for a in assignments]))
    )
    by_assignment: dict[int, list[dict[str, Any]]] = {}
    for score in scores:
        by_assignment.setdefault(score.assignment_id, []).append(
            {
                "criterion": score.criterion,
                "half_points": score.half_points,
                "comment": score.comment,
            }
        )
    return {
        "applications": [
            {
                "id": a.id,
                "call_id": a.call_id,
                "lead": a.lead_user_id == user.id,
                "title": a.title,
                "group_name": a.group_name,
                "organisation_name": a.organisation_name,
                "sections": a.sections,
                "total_cents": a.total_cents,
                "state": a.state,
                "protocol_number": a.protocol_number,
                "submitted_at": iso(a.submitted_at),
            }
            for a in applications
        ],
        "memberships": [
            {
                "application_id": m.application_id,
                "email": m.email,
                "invited_at": iso(m.invited_at),
                "confirmed_at": iso(m.confirmed_at),
            }
            for m in memberships
        ],
        "jury": [
            {
                "application_id": a.application_id,
                "assigned_at": iso(a.assigned_at),
                "declared_no_conflict_at": iso(a.declared_at),
                "recused_at": iso(a.recused_at),
                "conflict_reason": a.conflict_reason,
                "submitted_at": iso(a.submitted_at),
                "scores": by_assignment.get(a.id, []),
            }
            for a in assignments
        ],
    }


def _erase(session: Session, user: Any, now: datetime) -> None:
    mine = [user.email] if user.email else []
    session.execute(
        update(GrantMember)
        .where(or_(GrantMember.user_id == user.id, GrantMember.email.in_(mine)))
        .values(email="")
    )


def _activity(session: Session, user: Any) -> list[Activity]:
    found = [
        Activity(
            "grant_application",
            a.title or a.group_name,
            a.submitted_at or a.created_at,
            "grants.show_application",
            (("application_id", a.id),),
        )
        for a in session.scalars(_theirs(user))
    ]
    found += [
        Activity("jury", a.title or a.group_name, assignment.assigned_at)
        for assignment, a in session.execute(
            select(JuryAssignment, GrantApplication)
            .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
            .where(JuryAssignment.juror_id == user.id)
        )
    ]
    return found


personal_data.register("grants", _export, _erase, _activity)
