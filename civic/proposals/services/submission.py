"""Submitting and editing proposals, with revisions and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.domain import PhaseKind
from ...calls.models import Call
from ...core.mail import queue_email
from ...core.money import format_eur
from ...core.refusals import PermissionDenied
from ...core.text import render_markdown
from ...core.uploads import store_image, store_pdf
from ...places import domain as place
from ...places.models import Area
from .. import permissions
from ..domain import MAX_DOCUMENTS, MAX_IMAGES, Status, is_editable, move
from ..models import Follow, Proposal, ProposalFile, ProposalRevision
from .common import NotAllowed, _require_phase, review_started
from .following import _notify


@dataclass
class ProposalData:
    title: str
    body_md: str
    area_id: int
    theme_id: int
    cost_cents: int
    lat: float | None
    lon: float | None
    # The city's territory (south, west, north, east), from the installation's settings: a
    # place outside it is refused.
    bounds: place.Bounds | None = None


def _check_data(session: Session, call: Call, data: ProposalData) -> None:
    if data.area_id not in {a.area_id for a in call.areas}:
        raise NotAllowed("area_not_eligible")
    if data.theme_id not in {t.id for t in call.themes}:
        raise NotAllowed("theme_not_in_call")
    if place.incomplete(data.lat, data.lon):
        raise NotAllowed("incomplete_location")
    if place.outside(data.bounds, data.lat, data.lon):
        raise NotAllowed("outside_city", field="lat")
    area = session.get(Area, data.area_id)
    if area is not None and place.outside_boundary(area.boundary, data.lat, data.lon):
        raise NotAllowed("outside_area", field="lat")
    if data.cost_cents <= 0:
        raise NotAllowed("cost_missing", field="cost")
    budget = next((a.budget_cents for a in call.areas if a.area_id == data.area_id), 0)
    if budget and data.cost_cents > budget:
        raise NotAllowed("cost_above_budget", field="cost", budget=format_eur(budget))


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
    _check_data(session, call, data)
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
        session.flush()  # the receipt links to the proposal's page: it needs its id
        _submit(session, proposal, author, call, now)
    session.flush()
    return proposal


def _submit(session: Session, proposal: Proposal, author: User, call: Call, now: datetime) -> None:
    proposal.status = move(Status(proposal.status), Status.SUBMITTED).value
    proposal.submitted_at = now
    if author.email:  # a receipt: what was sent in, when, and where to see it again
        queue_email(
            session,
            author.email,
            "proposal_received",
            author.language,
            user=author,
            proposal=proposal,
            call=call,
            when=now,
        )


def submit_proposal(
    session: Session, author: User, proposal: Proposal, call: Call, *, now: datetime
) -> None:
    """Send a draft in; the submission phase must be open."""
    if not permissions.is_author(author, proposal):
        raise PermissionDenied
    _require_phase(call, PhaseKind.SUBMISSION, now)
    _submit(session, proposal, author, call, now)
    session.flush()


def update_proposal(
    session: Session,
    author: User,
    proposal: Proposal,
    call: Call,
    data: ProposalData,
    *,
    submit: bool = False,
    now: datetime,
) -> None:
    """Change a draft or submitted proposal until the review starts; keep a revision. With
    ``submit``, a draft is then sent in (the submission phase must be open)."""
    if not permissions.can_edit_proposal(author, proposal):
        raise PermissionDenied
    if not is_editable(Status(proposal.status), review_started(call, now)):
        raise NotAllowed("not_editable")
    _check_data(session, call, data)
    _apply(proposal, data)
    proposal.updated_at = now
    session.flush()
    _revise(session, proposal, author, now)
    session.flush()
    if submit and proposal.status == Status.DRAFT.value:
        submit_proposal(session, author, proposal, call, now=now)


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
