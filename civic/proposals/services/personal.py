"""A person's share of proposals: what they wrote, supported, followed and reported, for the
data export and the activity page; on erasure their follows and notifications go (what they
wrote stays, shown as by a deleted account)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...core import personal_data
from ...core.personal_data import Activity, iso
from ..models import Appeal, Comment, Flag, Follow, Notification, Proposal, Support


def _export(session: Session, user: Any) -> dict[str, Any]:
    proposals = session.scalars(
        select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id)
    )
    comments = session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    )
    supports = session.scalars(
        select(Support).where(Support.user_id == user.id).order_by(Support.id)
    )
    follows = session.scalars(
        select(Follow).where(Follow.user_id == user.id).order_by(Follow.proposal_id)
    )
    flags = session.scalars(select(Flag).where(Flag.reporter_id == user.id).order_by(Flag.id))
    appeals = session.scalars(select(Appeal).where(Appeal.author_id == user.id).order_by(Appeal.id))
    notifications = session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return {
        "proposals": [
            {
                "id": p.id,
                "call_id": p.call_id,
                "area_id": p.area_id,
                "title": p.title,
                "text": p.body_md,
                "cost_cents": p.cost_cents,
                "lat": p.lat,
                "lon": p.lon,
                "status": p.status,
                "created_at": iso(p.created_at),
                "submitted_at": iso(p.submitted_at),
            }
            for p in proposals
        ],
        "comments": [
            {
                "id": c.id,
                "proposal_id": c.proposal_id,
                "text": c.body,
                "created_at": iso(c.created_at),
                "edited_at": iso(c.edited_at),
                "hidden": c.hidden_at is not None,
            }
            for c in comments
        ],
        "supports": [{"proposal_id": s.proposal_id, "at": iso(s.created_at)} for s in supports],
        "follows": [{"proposal_id": f.proposal_id, "since": iso(f.created_at)} for f in follows],
        "reports": [
            {
                "target": f"{f.target_type}:{f.target_id}",
                "reason": f.reason,
                "status": f.status,
                "at": iso(f.created_at),
            }
            for f in flags
        ],
        "appeals": [
            {
                "target": f"{a.target_type}:{a.target_id}",
                "text": a.text,
                "status": a.status,
                "at": iso(a.created_at),
            }
            for a in appeals
        ],
        "notifications": [
            {
                "kind": n.kind,
                "proposal_id": n.proposal_id,
                "at": iso(n.created_at),
                "read_at": iso(n.read_at),
            }
            for n in notifications
        ],
    }


def _erase(session: Session, user: Any, now: datetime) -> None:
    session.execute(delete(Follow).where(Follow.user_id == user.id))
    session.execute(delete(Notification).where(Notification.user_id == user.id))


def _activity(session: Session, user: Any) -> list[Activity]:
    def page(proposal_id: int, anchor: str | None = None) -> tuple[tuple[str, Any], ...]:
        values: tuple[tuple[str, Any], ...] = (("proposal_id", proposal_id),)
        return values + ((("_anchor", anchor),) if anchor else ())

    found = [
        Activity(
            "proposal_draft" if p.status == "draft" else "proposal",
            p.title,
            p.submitted_at or p.created_at,
            "proposals.show_proposal",
            page(p.id),
        )
        for p in session.scalars(select(Proposal).where(Proposal.author_id == user.id))
    ]
    comments = session.execute(
        select(Comment.id, Proposal.id, Proposal.title, Comment.created_at)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.author_id == user.id)
    )
    for comment_id, proposal_id, title, at in comments:
        where = page(proposal_id, f"comment-{comment_id}")
        found.append(Activity("comment", title, at, "proposals.show_proposal", where))
    marks = (
        ("support", Support.user_id, Support.created_at, Support.proposal_id),
        ("follow", Follow.user_id, Follow.created_at, Follow.proposal_id),
    )
    for kind, who, when, what in marks:
        rows = session.execute(
            select(Proposal.id, Proposal.title, when)
            .join(Proposal, Proposal.id == what)
            .where(who == user.id)
        )
        for proposal_id, title, at in rows:
            found.append(Activity(kind, title, at, "proposals.show_proposal", page(proposal_id)))
    return found


personal_data.register("proposals", _export, _erase, _activity)
