"""Pages anyone can read: the list, the map, a proposal, its history and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
)
from flask_login import current_user
from wtforms import SelectChoice

from ...accounts.models import User
from ...accounts.queries import list_staff
from ...calls import queries as call_queries
from ...calls.domain import PhaseKind, has_phase_started, is_phase_open
from ...core.db import get_session
from ...core.time import utcnow
from ...core.uploads import download_name, stored_path
from ...core.web import page_arg
from ...places.queries import list_municipi
from .. import forms, permissions, queries, services
from ..domain import Status, comment_editable, is_editable
from . import _call, _filters, _proposal, bp


@bp.route("/bandi/<slug>/proposte")
def list_proposals(slug: str) -> str:
    db, call = get_session(), _call(slug)
    filters = _filters()
    page = queries.list_proposals(db, call.id, filters, page_arg())
    points = (
        queries.map_points(db, call.id, filters) if request.args.get("vista") == "mappa" else None
    )
    return render_template(
        "proposals/list_proposals.html",
        call=call,
        page=page,
        filters=filters,
        points=points,
        municipi=list_municipi(db),
        args=request.args,
        map_json=json.dumps(points or []),
        submission_open=is_phase_open(
            call_queries.windows_of(call), PhaseKind.SUBMISSION, utcnow()
        ),
        tile_url=current_app.config["MAP_TILE_URL"],
    )


@bp.route("/proposte/<int:proposal_id>")
def show_proposal(proposal_id: int) -> str:
    return proposal_page(proposal_id)


def proposal_page(proposal_id: int, review_form: forms.ReviewForm | None = None) -> str:
    """The proposal's page; with ``review_form``, the reviewer's form as they filled it (shown
    again when it is refused, so nothing typed is lost)."""
    db = get_session()
    proposal, call = _proposal(proposal_id)
    user_id = current_user.id if current_user.is_authenticated else None
    assigned = services.reviewer_ids(db, proposal.id)
    author = db.get(User, proposal.author_id)
    return render_template(
        "proposals/show_proposal.html",
        proposal=proposal,
        call=call,
        author_name=author.display_name if author and author.deleted_at is None else "—",
        supports=services.count_supports(db, proposal.id),
        comments=queries.list_comments(db, proposal.id),
        review=queries.get_review(db, proposal.id),
        supported=user_id is not None and queries.has_supported(db, proposal.id, user_id),
        following=user_id is not None and queries.is_following(db, proposal.id, user_id),
        editable=permissions.can_edit_proposal(current_user, proposal)
        and is_editable(Status(proposal.status), services.review_started(call, utcnow())),
        show_content=proposal.status != "hidden"
        or permissions.can_read_hidden_content(current_user, proposal),
        supports_open=is_phase_open(call_queries.windows_of(call), PhaseKind.SUPPORTS, utcnow()),
        voting_started=has_phase_started(call_queries.windows_of(call), PhaseKind.VOTING, utcnow()),
        can_review=permissions.can_record_review(current_user, assigned)
        and proposal.status == "in_review",
        can_assign=permissions.can_assign_reviewers(current_user),
        assign_form=_assign_form(db),
        review_form=review_form or forms.ReviewForm(),
        comment_form=forms.CommentForm(),
        flag_form=forms.FlagForm(),
        now=utcnow(),
        comment_editable=comment_editable,
        municipio=_area_label(proposal.area_id),
        theme=next((t for t in call.themes if t.id == proposal.theme_id), None),
        appeal_form=forms.AppealForm(),
        tile_url=current_app.config["MAP_TILE_URL"],
    )


def _assign_form(db: Any) -> forms.AssignForm:
    """The reviewer picker, listing staff (empty for people who may not assign)."""
    form = forms.AssignForm()
    people = list_staff(db) if permissions.can_assign_reviewers(current_user) else []
    form.reviewer_id.choices = [SelectChoice(u.id, u.display_name) for u in people]
    return form


def _area_label(area_id: int) -> str:
    return next((a.label for a in list_municipi(get_session()) if a.id == area_id), "")


@bp.route("/proposte/<int:proposal_id>/file/<int:file_id>")
def download_file(proposal_id: int, file_id: int) -> Response:
    proposal, _ignored = _proposal(proposal_id)
    if proposal.status == "hidden" and not permissions.can_read_hidden_content(
        current_user, proposal
    ):
        abort(404)
    record = next((f for f in proposal.files if f.id == file_id), None) or abort(404)
    path = stored_path(Path(current_app.config["UPLOAD_DIR"]) / "proposals", record.stored_name)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=record.mimetype,
        download_name=download_name(record.filename, record.mimetype, "allegato"),
        as_attachment=record.kind == "document",
    )


@bp.route("/proposte/<int:proposal_id>/revisioni")
def revisions(proposal_id: int) -> str:
    proposal, call = _proposal(proposal_id)
    if (
        not permissions.can_read_hidden_content(current_user, proposal)
        and proposal.status == "hidden"
    ):
        abort(404)
    return render_template(
        "proposals/revisions.html",
        proposal=proposal,
        call=call,
        revisions=queries.list_revisions(get_session(), proposal.id),
    )
