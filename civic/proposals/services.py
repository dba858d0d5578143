"""Proposal use cases: each checks permission and phase, flushes, audits, and queues mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import PermissionDenied
from ..calls.domain import PhaseKind, has_phase_started, is_phase_open
from ..calls.models import Call
from ..calls.queries import windows_of
from ..core import audit
from ..core.mail import queue_email
from ..core.text import render_markdown
from ..core.uploads import store_image, store_pdf
from . import permissions
from .domain import (
    HIDEABLE,
    MAX_DOCUMENTS,
    MAX_IMAGES,
    Status,
    comment_editable,
    is_editable,
    move,
    reaches_threshold,
)
from .models import (
    Appeal,
    Comment,
    FeasibilityReview,
    Flag,
    Follow,
    Notification,
    Proposal,
    ProposalFile,
    ProposalRevision,
    ReviewAssignment,
    Support,
)


class PhaseClosed(Exception):
    """The call is not in the phase this action belongs to; ``phase`` says which."""

    def __init__(self, phase: PhaseKind) -> None:
        super().__init__(phase.value)
        self.phase = phase


class NotAllowed(Exception):
    """A rule of the call or proposal refuses this; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class ProposalData:
    title: str
    body_md: str
    area_id: int
    theme_id: int
    cost_cents: int
    lat: float | None
    lon: float | None


def _require_phase(call: Call, phase: PhaseKind, now: datetime) -> None:
    if not is_phase_open(windows_of(call), phase, now):
        raise PhaseClosed(phase)


def review_started(call: Call, now: datetime) -> bool:
    return has_phase_started(windows_of(call), PhaseKind.REVIEW, now)


def _check_data(call: Call, data: ProposalData) -> None:
    if data.area_id not in {a.area_id for a in call.areas}:
        raise NotAllowed("area_not_eligible")
    if data.theme_id not in {t.id for t in call.themes}:
        raise NotAllowed("theme_not_in_call")
    if (data.lat is None) != (data.lon is None):
        raise NotAllowed("incomplete_location")


def _revise(session: Session, proposal: Proposal, editor: User, now: datetime) -> None:
    number = (
        session.scalar(
            select(func.max(ProposalRevision.number)).where(
                ProposalRevision.proposal_id == proposal.id
            )
        )
        or 0
    ) + 1
    session.add(
        ProposalRevision(
            proposal_id=proposal.id,
            number=number,
            title=proposal.title,
            body_md=proposal.body_md,
            cost_cents=proposal.cost_cents,
            area_id=proposal.area_id,
            theme_id=proposal.theme_id,
            lat=proposal.lat,
            lon=proposal.lon,
            edited_by_id=editor.id,
            edited_at=now,
        )
    )


def _apply(proposal: Proposal, data: ProposalData) -> None:
    proposal.title = data.title.strip()
    proposal.body_md = data.body_md
    proposal.body_html = render_markdown(data.body_md)
    proposal.area_id = data.area_id
    proposal.theme_id = data.theme_id
    proposal.cost_cents = data.cost_cents
    proposal.lat = data.lat
    proposal.lon = data.lon


def create_proposal(
    session: Session, author: User, call: Call, data: ProposalData, *, submit: bool, now: datetime
) -> Proposal:
    """Start a proposal (a draft, or submitted at once) while submissions are open."""
    if not permissions.can_create_proposal(author):
        raise PermissionDenied
    _require_phase(call, PhaseKind.SUBMISSION, now)
    _check_data(call, data)
    proposal = Proposal(
        call_id=call.id,
        author_id=author.id,
        created_at=now,
        updated_at=now,
        status=Status.DRAFT.value,
        title="",
        body_md="",
        body_html="",
        cost_cents=0,
        area_id=data.area_id,
        theme_id=data.theme_id,
    )
    _apply(proposal, data)
    session.add(proposal)
    session.flush()
    _revise(session, proposal, author, now)
    session.add(Follow(user_id=author.id, proposal_id=proposal.id, created_at=now))
    if submit:
        _submit(session, proposal, now)
    session.flush()
    return proposal


def _submit(session: Session, proposal: Proposal, now: datetime) -> None:
    proposal.status = move(Status(proposal.status), Status.SUBMITTED).value
    proposal.submitted_at = now


def submit_proposal(
    session: Session, author: User, proposal: Proposal, call: Call, *, now: datetime
) -> None:
    """Send a draft in; the submission phase must be open."""
    if not permissions.is_author(author, proposal):
        raise PermissionDenied
    _require_phase(call, PhaseKind.SUBMISSION, now)
    _submit(session, proposal, now)
    session.flush()


def update_proposal(
    session: Session,
    author: User,
    proposal: Proposal,
    call: Call,
    data: ProposalData,
    *,
    now: datetime,
) -> None:
    """Change a draft or submitted proposal until the review starts; keep a revision."""
    if not permissions.can_edit_proposal(author, proposal):
        raise PermissionDenied
    if not is_editable(Status(proposal.status), review_started(call, now)):
        raise NotAllowed("not_editable")
    _check_data(call, data)
    _apply(proposal, data)
    proposal.updated_at = now
    session.flush()
    _revise(session, proposal, author, now)
    session.flush()


def withdraw_proposal(session: Session, author: User, proposal: Proposal, *, now: datetime) -> None:
    """The author takes a submitted proposal back."""
    if not permissions.is_author(author, proposal):
        raise PermissionDenied
    proposal.status = move(Status(proposal.status), Status.WITHDRAWN).value
    proposal.updated_at = now
    session.flush()
    _notify(
        session,
        proposal,
        "status_changed",
        {"status": proposal.status},
        now,
        skip_user_id=author.id,
    )


def add_file(
    session: Session,
    author: User,
    proposal: Proposal,
    call: Call,
    *,
    kind: str,
    filename: str,
    stream: IO[bytes],
    folder: Path,
    now: datetime,
) -> ProposalFile:
    """Attach an image or a PDF, within the per-proposal limits."""
    if not permissions.can_edit_proposal(author, proposal):
        raise PermissionDenied
    if not is_editable(Status(proposal.status), review_started(call, now)):
        raise NotAllowed("not_editable")
    held = (
        session.scalar(
            select(func.count()).where(
                ProposalFile.proposal_id == proposal.id, ProposalFile.kind == kind
            )
        )
        or 0
    )
    if held >= (MAX_IMAGES if kind == "image" else MAX_DOCUMENTS):
        raise NotAllowed("too_many_files")
    stored = store_image(stream, folder) if kind == "image" else store_pdf(stream, folder)
    record = ProposalFile(
        proposal_id=proposal.id,
        kind=kind,
        filename=filename[:200] or kind,
        stored_name=stored.stored_name,
        mimetype=stored.mimetype,
        size_bytes=stored.size_bytes,
        uploaded_at=now,
    )
    session.add(record)
    session.flush()
    return record


def remove_file(
    session: Session,
    author: User,
    proposal: Proposal,
    record: ProposalFile,
    call: Call,
    *,
    now: datetime,
) -> None:
    if not permissions.can_edit_proposal(author, proposal) or record.proposal_id != proposal.id:
        raise PermissionDenied
    if not is_editable(Status(proposal.status), review_started(call, now)):
        raise NotAllowed("not_editable")
    session.delete(record)
    session.flush()


def _locked(session: Session, proposal_id: int) -> Proposal:
    """The proposal row, locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    locked = session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def count_supports(session: Session, proposal_id: int) -> int:
    return session.scalar(select(func.count()).where(Support.proposal_id == proposal_id)) or 0


def support_proposal(
    session: Session, user: User, proposal: Proposal, call: Call, *, now: datetime
) -> bool:
    """Support once while the supports phase is open; at the threshold the proposal is reviewed."""
    if not permissions.can_support(user, proposal):
        raise PermissionDenied
    _require_phase(call, PhaseKind.SUPPORTS, now)
    proposal = _locked(session, proposal.id)
    if Status(proposal.status) not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise NotAllowed("not_supportable")
    try:
        with session.begin_nested():
            session.add(Support(proposal_id=proposal.id, user_id=user.id, created_at=now))
    except IntegrityError:
        return False  # already supported (perhaps by a double click)
    if Status(proposal.status) is Status.SUBMITTED and reaches_threshold(
        count_supports(session, proposal.id), call.support_threshold
    ):
        _change_status(session, proposal, Status.IN_REVIEW, now, actor_id=None)
    return True


def withdraw_support(
    session: Session, user: User, proposal: Proposal, call: Call, *, now: datetime
) -> bool:
    """Take a support back while the supports phase is open."""
    _require_phase(call, PhaseKind.SUPPORTS, now)
    result = session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    )
    return bool(getattr(result, "rowcount", 0))


def _change_status(
    session: Session,
    proposal: Proposal,
    target: Status,
    now: datetime,
    *,
    actor_id: int | None,
    reason: str | None = None,
) -> None:
    before = proposal.status
    proposal.status = move(Status(before), target).value
    proposal.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="proposal.status",
        target_type="proposal",
        target_id=proposal.id,
        before={"status": before},
        after={"status": proposal.status},
        reason=reason,
        now=now,
    )
    params: dict[str, Any] = {"status": proposal.status}
    if reason:
        params["reason"] = reason
    _notify(session, proposal, "status_changed", params, now)


def start_review(session: Session, actor: User, proposal: Proposal, *, now: datetime) -> None:
    """Staff move a submitted proposal to review (whatever its supports)."""
    if not permissions.can_assign_reviewers(actor):
        raise PermissionDenied
    _change_status(session, _locked(session, proposal.id), Status.IN_REVIEW, now, actor_id=actor.id)


def assign_reviewer(
    session: Session, actor: User, proposal: Proposal, reviewer: User, *, now: datetime
) -> bool:
    """Staff give a proposal to a staff member to check."""
    if not permissions.can_assign_reviewers(actor) or not permissions.is_staff(reviewer):
        raise PermissionDenied
    try:
        with session.begin_nested():
            session.add(
                ReviewAssignment(
                    proposal_id=proposal.id,
                    reviewer_id=reviewer.id,
                    assigned_by_id=actor.id,
                    assigned_at=now,
                )
            )
    except IntegrityError:
        return False
    audit.record(
        session,
        actor_id=actor.id,
        action="proposal.assign_reviewer",
        target_type="proposal",
        target_id=proposal.id,
        after={"reviewer_id": reviewer.id},
        now=now,
    )
    return True


def reviewer_ids(session: Session, proposal_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ReviewAssignment.reviewer_id).where(ReviewAssignment.proposal_id == proposal_id)
        )
    )


@dataclass
class ReviewData:
    feasible: bool
    public_reason: str
    cost_estimate_cents: int
    running_cost_cents: int
    duration_months: int
    private_notes: str = ""


def record_review(
    session: Session, reviewer: User, proposal: Proposal, data: ReviewData, *, now: datetime
) -> FeasibilityReview:
    """Record feasible / not feasible with a public reason; the author is e-mailed the outcome."""
    if not permissions.can_record_review(reviewer, reviewer_ids(session, proposal.id)):
        raise PermissionDenied
    if not data.public_reason.strip():
        raise NotAllowed("reason_required")
    proposal = _locked(session, proposal.id)
    target = Status.FEASIBLE if data.feasible else Status.NOT_FEASIBLE
    review = FeasibilityReview(
        proposal_id=proposal.id,
        reviewer_id=reviewer.id,
        outcome=target.value,
        public_reason=data.public_reason.strip(),
        cost_estimate_cents=data.cost_estimate_cents,
        running_cost_cents=data.running_cost_cents,
        duration_months=data.duration_months,
        private_notes=data.private_notes,
        decided_at=now,
    )
    _change_status(session, proposal, target, now, actor_id=reviewer.id, reason=data.public_reason)
    session.add(review)
    session.flush()
    return review


def follow(session: Session, user: User, proposal: Proposal, *, now: datetime) -> None:
    if not permissions.can_follow(user):
        raise PermissionDenied
    try:
        with session.begin_nested():
            session.add(Follow(user_id=user.id, proposal_id=proposal.id, created_at=now))
    except IntegrityError:
        pass


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
    if permissions.is_staff(user):  # an answer from the city: followers hear of it
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
    try:
        with session.begin_nested():
            session.add(
                Flag(
                    target_type=target_type,
                    target_id=target_id,
                    reporter_id=user.id,
                    reason=reason.strip(),
                    created_at=now,
                    status="open",
                )
            )
    except IntegrityError:
        return False
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
    try:
        with session.begin_nested():
            session.add(
                Appeal(
                    target_type=target_type,
                    target_id=target_id,
                    author_id=author.id,
                    text=text.strip(),
                    created_at=now,
                    status="open",
                )
            )
    except IntegrityError:
        raise NotAllowed("already_appealed") from None


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
        action="moderation.appeal_" + item.status,
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
