"""Following proposals: notices and e-mails to followers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core.db import add_once
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied
from .. import permissions
from ..models import Follow, Notification, Proposal


def follow(session: Session, user: User, proposal: Proposal, *, now: datetime) -> None:
    if not permissions.can_follow(user):
        raise PermissionDenied
    # Following twice is following: a clash with the existing row changes nothing.
    add_once(session, Follow(user_id=user.id, proposal_id=proposal.id, created_at=now))


def unfollow(session: Session, user: User, proposal: Proposal) -> None:
    session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.proposal_id == proposal.id)
    )


def _notify(
    session: Session,
    proposal: Proposal,
    kind: str,
    params: dict[str, Any],
    now: datetime,
    *,
    skip_user_id: int | None = None,
) -> None:
    """A notice and an e-mail to each follower (the author follows their own proposal)."""
    followers = session.scalars(
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.proposal_id == proposal.id, User.deleted_at.is_(None))
    ).all()
    for person in followers:
        if person.id == skip_user_id or person.email is None:
            continue
        session.add(
            Notification(
                user_id=person.id, proposal_id=proposal.id, kind=kind, params=params, created_at=now
            )
        )
        queue_email(
            session,
            person.email,
            f"proposal_{kind}",
            language=person.language,
            user=person,
            proposal=proposal,
            params=params,
        )
    session.flush()


def mark_notifications_read(session: Session, user: User, *, now: datetime) -> None:
    from sqlalchemy import update

    session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
