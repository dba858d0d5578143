"""Comments, reports to the moderators, hiding and appeals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...core import audit
from ...core.db import add_once
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied
from .. import permissions
from ..domain import HIDEABLE, Status, comment_editable, move
from ..models import Appeal, Comment, Flag, Notification, Proposal
from .common import NotAllowed, guard_ballot
from .following import _notify


def add_comment(
    session: Session,
    user: User,
    proposal: Proposal,
    body: str,
    *,
    parent_id: int | None,
    now: datetime,
) -> Comment:
    """Comment, or reply to a top-level comment (one level of threading)."""
    if not permissions.can_comment(user, proposal):
        raise PermissionDenied
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id or parent.parent_id is not None:
            raise NotAllowed("bad_parent")
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent_id,
        author_id=user.id,
        body=body.strip(),
        created_at=now,
    )
    session.add(comment)
    session.flush()
    if is_staff(user):  # an answer from the city: followers hear of it
        _notify(
            session,
            proposal,
            "staff_answer",
            {"comment": comment.body[:500]},
            now,
            skip_user_id=user.id,
        )
    return comment


def edit_comment(
    session: Session, user: User, comment: Comment, body: str, *, now: datetime
) -> None:
    """Authors may edit their comment for 15 minutes."""
    if comment.author_id != user.id:
        raise PermissionDenied
    if not comment_editable(comment.created_at, now) or comment.hidden_at is not None:
        raise NotAllowed("edit_window_closed")
    comment.body = body.strip()
    comment.edited_at = now
    session.flush()


def flag(
    session: Session, user: User, target_type: str, target_id: int, reason: str, *, now: datetime
) -> bool:
    """Report a proposal or comment; once per person and target."""
    if not permissions.can_flag(user):
        raise PermissionDenied
    if not add_once(
        session,
        Flag(
            target_type=target_type,
            target_id=target_id,
            reporter_id=user.id,
            reason=reason.strip(),
            created_at=now,
            status="open",
        ),
    ):
        return False
    # Every step of moderation is in the log: the report as well as what staff did with it.
    audit.record(
        session,
        actor_id=user.id,
        action="moderation.flag",
        target_type=target_type,
        target_id=target_id,
        reason=reason.strip(),
        now=now,
    )
    return True


def _target(session: Session, target_type: str, target_id: int) -> tuple[Proposal, Comment | None]:
    if target_type == "comment":
        comment = session.get(Comment, target_id)
        if comment is None:
            raise NotAllowed("no_target")
        proposal = session.get(Proposal, comment.proposal_id)
        assert proposal is not None
        return proposal, comment
    proposal = session.get(Proposal, target_id)
    if proposal is None:
        raise NotAllowed("no_target")
    return proposal, None


def resolve_flags(
    session: Session,
    moderator: User,
    target_type: str,
    target_id: int,
    *,
    hide: bool,
    public_reason: str,
    now: datetime,
) -> None:
    """Hide the target with a public reason, or dismiss the reports; the author is told."""
    if not permissions.can_moderate(moderator):
        raise PermissionDenied
    if hide and not public_reason.strip():
        raise NotAllowed("reason_required")
    proposal, comment = _target(session, target_type, target_id)
    flags = session.scalars(
        select(Flag).where(
            Flag.target_type == target_type, Flag.target_id == target_id, Flag.status == "open"
        )
    ).all()
    for item in flags:
        item.status = "hidden" if hide else "dismissed"
        item.resolved_by_id = moderator.id
        item.resolved_at = now
    if hide:
        _hide(session, proposal, comment, public_reason.strip(), now)
    audit.record(
        session,
        actor_id=moderator.id,
        action="moderation.hide" if hide else "moderation.dismiss",
        target_type=target_type,
        target_id=target_id,
        reason=public_reason.strip() or None,
        after={"flags": [f.id for f in flags]},
        now=now,
    )
    if hide:
        author = session.get(User, comment.author_id if comment else proposal.author_id)
        if author is not None and author.email:
            session.add(
                Notification(
                    user_id=author.id,
                    proposal_id=proposal.id,
                    kind="hidden",
                    params={"target": target_type, "reason": public_reason.strip()},
                    created_at=now,
                )
            )
            queue_email(
                session,
                author.email,
                "content_hidden",
                language=author.language,
                user=author,
                proposal=proposal,
                target=target_type,
                reason=public_reason.strip(),
            )
    session.flush()


def _hide(
    session: Session, proposal: Proposal, comment: Comment | None, reason: str, now: datetime
) -> None:
    if comment is not None:
        comment.hidden_at = now
        comment.hidden_reason = reason
        return
    if Status(proposal.status) not in HIDEABLE:
        raise NotAllowed("not_hideable")
    guard_ballot(session, proposal, proposal.status, Status.HIDDEN.value, now)
    proposal.hidden_from_status = proposal.status
    proposal.status = move(Status(proposal.status), Status.HIDDEN).value
    proposal.hidden_reason = reason


def appeal(
    session: Session, author: User, target_type: str, target_id: int, text: str, *, now: datetime
) -> None:
    """The author asks once for hidden content to be restored."""
    proposal, comment = _target(session, target_type, target_id)
    owner = comment.author_id if comment else proposal.author_id
    hidden = comment.hidden_at is not None if comment else proposal.status == Status.HIDDEN.value
    if owner != author.id:
        raise PermissionDenied
    if not hidden:
        raise NotAllowed("not_hidden")
    if not add_once(
        session,
        Appeal(
            target_type=target_type,
            target_id=target_id,
            author_id=author.id,
            text=text.strip(),
            created_at=now,
            status="open",
        ),
    ):
        raise NotAllowed("already_appealed")
    audit.record(
        session,
        actor_id=author.id,
        action="moderation.appeal",
        target_type=target_type,
        target_id=target_id,
        reason=text.strip(),
        now=now,
    )


def decide_appeal(
    session: Session, moderator: User, item: Appeal, *, uphold: bool, now: datetime
) -> None:
    """Restore the content (uphold) or keep it hidden (reject); the author is told."""
    if not permissions.can_moderate(moderator):
        raise PermissionDenied
    if item.status != "open":
        raise NotAllowed("already_decided")
    proposal, comment = _target(session, item.target_type, item.target_id)
    if uphold:
        if comment is not None:
            comment.hidden_at = None
            comment.hidden_reason = None
        else:
            previous = Status(proposal.hidden_from_status or Status.SUBMITTED.value)
            guard_ballot(session, proposal, proposal.status, previous.value, now)
            proposal.status = move(Status.HIDDEN, previous).value
            proposal.hidden_from_status = None
            proposal.hidden_reason = None
    item.status = "upheld" if uphold else "rejected"
    item.decided_by_id = moderator.id
    item.decided_at = now
    session.flush()
    audit.record(
        session,
        actor_id=moderator.id,
        action="moderation.appeal_upheld" if uphold else "moderation.appeal_rejected",
        target_type=item.target_type,
        target_id=item.target_id,
        now=now,
    )
    author = session.get(User, item.author_id)
    if author is not None and author.email:
        queue_email(
            session,
            author.email,
            "appeal_decided",
            language=author.language,
            user=author,
            proposal=proposal,
            upheld=uphold,
        )
