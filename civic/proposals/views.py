"""Proposal pages: list, map, submit, edit, files, supports, comments, flags, review, notices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..accounts.models import RoleGrant, User
from ..accounts.queries import get_user
from ..accounts.services import PermissionDenied
from ..calls import queries as call_queries
from ..calls.domain import PhaseKind, is_phase_open
from ..calls.models import Call
from ..calls.views import language, upload_message
from ..core.db import get_session
from ..core.money import format_eur, parse_eur
from ..core.time import utcnow
from ..core.uploads import UploadRefused, stored_path
from ..core.web import page_arg, require, signed_in
from ..places.queries import list_municipi
from . import forms, permissions, queries, services
from .domain import IllegalMove, Status, comment_editable, is_editable
from .models import Appeal, Comment, Flag, ProposalFile

bp = Blueprint("proposals", __name__)


def status_label(status: str) -> str:
    labels = {
        Status.DRAFT: _("Draft"),
        Status.SUBMITTED: _("Submitted"),
        Status.IN_REVIEW: _("In review"),
        Status.FEASIBLE: _("Feasible"),
        Status.NOT_FEASIBLE: _("Not feasible"),
        Status.WITHDRAWN: _("Withdrawn"),
        Status.HIDDEN: _("Hidden"),
    }
    return str(labels[Status(status)])


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    helpers: dict[str, Any] = {"status_label": status_label, "unread_count": 0}
    if has_request_context() and current_user.is_authenticated:
        helpers["unread_count"] = queries.count_unread(get_session(), current_user.id)
    return helpers


def refusal(exc: Exception) -> str:
    """A clear sentence for a refused action."""
    return str(_refusal(exc))


def _refusal(exc: Exception) -> Any:
    if isinstance(exc, services.PhaseClosed):
        return {
            PhaseKind.SUBMISSION: _(
                "Proposals can be submitted only while the submission phase is open."
            ),
            PhaseKind.SUPPORTS: _(
                "Supports can be given or withdrawn only while the supports phase is open."
            ),
        }.get(exc.phase, _("This call is not in the right phase for this."))
    if isinstance(exc, IllegalMove):
        return _(
            "This proposal cannot go from “%(a)s” to “%(b)s”.",
            a=status_label(exc.source),
            b=status_label(exc.target),
        )
    if isinstance(exc, UploadRefused):
        return upload_message(exc.code)
    code = getattr(exc, "code", "")
    return {
        "area_not_eligible": _("This Municipio is not part of the call."),
        "theme_not_in_call": _("This theme is not part of the call."),
        "incomplete_location": _("Give both latitude and longitude, or neither."),
        "not_editable": _("This proposal can no longer be changed: the review has started."),
        "too_many_files": _("A proposal can have at most 5 images and 5 PDF documents."),
        "not_supportable": _("This proposal cannot be supported now."),
        "edit_window_closed": _("Comments can be edited only in the first 15 minutes."),
        "bad_parent": _("Replies can only answer a comment of this proposal."),
        "reason_required": _("A public reason is required."),
        "not_hidden": _("This content is not hidden."),
        "already_appealed": _("You have already appealed once."),
        "already_decided": _("This has already been decided."),
        "not_hideable": _("This proposal cannot be hidden."),
    }.get(code, _("This action is not possible now."))


REFUSALS = (services.PhaseClosed, services.NotAllowed, IllegalMove, UploadRefused)


def _call(slug: str) -> Call:
    call = call_queries.get_call_by_slug(get_session(), slug)
    if call is None or call.published_at is None or call.kind != "participatory_budget":
        abort(404)
    return call


def _proposal(proposal_id: int) -> tuple[Any, Call]:
    db = get_session()
    proposal = queries.get_proposal(db, proposal_id) or abort(404)
    if not permissions.can_view_proposal(current_user, proposal):
        abort(404)
    call = call_queries.get_call(db, proposal.call_id)
    assert call is not None
    return proposal, call


def _filters() -> queries.ProposalFilters:
    def number(name: str) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    raw_status = request.args.get("stato", "")
    sort = request.args.get("ordine", "newest")
    seed = session.setdefault("seed", utcnow().microsecond)
    return queries.ProposalFilters(
        area_id=number("municipio"),
        theme_id=number("tema"),
        status=Status(raw_status) if raw_status in {s.value for s in Status} else None,
        text=request.args.get("q", "")[:200],
        sort=sort if sort in queries.SORTS else "newest",
        seed=int(seed),
    )


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


def _proposal_form(call: Call, obj: Any = None) -> forms.ProposalForm:
    db = get_session()
    municipi = {a.id: a for a in list_municipi(db)}
    form = forms.ProposalForm(obj=obj)
    form.area_id.choices = [SelectChoice(a.area_id, municipi[a.area_id].label) for a in call.areas]
    form.theme_id.choices = [SelectChoice(t.id, t.name(language())) for t in call.themes]
    return form


def _data(form: forms.ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data,
        body_md=form.body_md.data,
        area_id=form.area_id.data,
        theme_id=form.theme_id.data,
        cost_cents=parse_eur(form.cost.data, "it"),
        lat=float(form.lat.data) if form.lat.data is not None else None,
        lon=float(form.lon.data) if form.lon.data is not None else None,
    )


@bp.route("/bandi/<slug>/proposte/nuova", methods=["GET", "POST"])
@require(signed_in)
def new_proposal(slug: str) -> str | BaseResponse:
    call = _call(slug)
    form = _proposal_form(call)
    if form.validate_on_submit():
        db = get_session()
        try:
            proposal = services.create_proposal(
                db,
                current_user,
                call,
                _data(form),
                submit=form.action.data == "submit",
                now=utcnow(),
            )
        except REFUSALS as exc:
            flash(refusal(exc), "danger")
        else:
            db.commit()
            flash(
                _("Your proposal has been submitted.")
                if proposal.status == "submitted"
                else _("Your draft has been saved."),
                "success",
            )
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template(
        "proposals/edit_proposal.html",
        form=form,
        call=call,
        proposal=None,
        tile_url=current_app.config["MAP_TILE_URL"],
    )


@bp.route("/proposte/<int:proposal_id>")
def show_proposal(proposal_id: int) -> str:
    db = get_session()
    proposal, call = _proposal(proposal_id)
    user_id = current_user.id if current_user.is_authenticated else None
    assigned = services.reviewer_ids(db, proposal.id)
    staff_users = (
        db.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role.in_(["staff", "admin"]), User.deleted_at.is_(None))
            .distinct()
        ).all()
        if permissions.can_assign_reviewers(current_user)
        else []
    )
    assign_form = forms.AssignForm()
    assign_form.reviewer_id.choices = [SelectChoice(u.id, u.display_name) for u in staff_users]
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
        can_review=permissions.can_record_review(current_user, assigned)
        and proposal.status == "in_review",
        can_assign=permissions.can_assign_reviewers(current_user),
        assign_form=assign_form,
        review_form=forms.ReviewForm(),
        comment_form=forms.CommentForm(),
        flag_form=forms.FlagForm(),
        now=utcnow(),
        comment_editable=comment_editable,
        municipio=_area_label(proposal.area_id),
        theme=next((t for t in call.themes if t.id == proposal.theme_id), None),
        appeal_form=forms.AppealForm(),
        tile_url=current_app.config["MAP_TILE_URL"],
    )


def _area_label(area_id: int) -> str:
    return next((a.label for a in list_municipi(get_session()) if a.id == area_id), "")


@bp.route("/proposte/<int:proposal_id>/modifica", methods=["GET", "POST"])
@require(signed_in)
def edit_proposal(proposal_id: int) -> str | BaseResponse:
    proposal, call = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = _proposal_form(call, obj=proposal)
    if request.method == "GET":
        form.cost.data = format_eur(proposal.cost_cents, "it").removeprefix("€ ")
    if form.validate_on_submit():
        db = get_session()
        try:
            services.update_proposal(db, current_user, proposal, call, _data(form), now=utcnow())
            if form.action.data == "submit" and proposal.status == "draft":
                services.submit_proposal(db, current_user, proposal, call, now=utcnow())
        except REFUSALS as exc:
            db.rollback()
            flash(refusal(exc), "danger")
        else:
            db.commit()
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template(
        "proposals/edit_proposal.html",
        form=form,
        call=call,
        proposal=proposal,
        file_form=forms.FileForm(),
        tile_url=current_app.config["MAP_TILE_URL"],
    )


def _act(proposal_id: int, action: Any, success: str) -> BaseResponse:
    """Run one POST action on a proposal: refusals become a message and change nothing."""
    db = get_session()
    proposal, call = _proposal(proposal_id)
    try:
        action(db, proposal, call)
    except REFUSALS as exc:
        db.rollback()
        flash(refusal(exc), "danger")
    except PermissionDenied:
        abort(403)
    else:
        db.commit()
        flash(success, "success")
    return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))


@bp.route("/proposte/<int:proposal_id>/invia", methods=["POST"])
@require(signed_in)
def submit_proposal(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.submit_proposal(db, current_user, p, c, now=utcnow()),
        _("Your proposal has been submitted."),
    )


@bp.route("/proposte/<int:proposal_id>/ritira", methods=["POST"])
@require(signed_in)
def withdraw_proposal(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.withdraw_proposal(db, current_user, p, now=utcnow()),
        _("Your proposal has been withdrawn."),
    )


@bp.route("/proposte/<int:proposal_id>/file", methods=["POST"])
@require(signed_in)
def add_file(proposal_id: int) -> BaseResponse:
    proposal, _ignored = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = forms.FileForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))
    folder = Path(current_app.config["UPLOAD_DIR"]) / "proposals"
    _act(
        proposal_id,
        lambda db, p, c: services.add_file(
            db,
            current_user,
            p,
            c,
            kind=form.kind.data,
            filename=form.file.data.filename or "",
            stream=form.file.data.stream,
            folder=folder,
            now=utcnow(),
        ),
        _("The file has been added."),
    )
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))


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
        download_name=record.filename,
        as_attachment=record.kind == "document",
    )


@bp.route("/proposte/<int:proposal_id>/file/<int:file_id>/elimina", methods=["POST"])
@require(signed_in)
def remove_file(proposal_id: int, file_id: int) -> BaseResponse:
    record = get_session().get(ProposalFile, file_id) or abort(404)
    _act(
        proposal_id,
        lambda db, p, c: services.remove_file(db, current_user, p, record, c, now=utcnow()),
        _("The file has been removed."),
    )
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))


@bp.route("/proposte/<int:proposal_id>/sostegno", methods=["POST"])
@require(signed_in)
def support(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.support_proposal(db, current_user, p, c, now=utcnow()),
        _("Thank you for your support."),
    )


@bp.route("/proposte/<int:proposal_id>/sostegno/ritira", methods=["POST"])
@require(signed_in)
def withdraw_support(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.withdraw_support(db, current_user, p, c, now=utcnow()),
        _("Your support has been withdrawn."),
    )


@bp.route("/proposte/<int:proposal_id>/segui", methods=["POST"])
@require(signed_in)
def follow(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.follow(db, current_user, p, now=utcnow()),
        _("You will be told when this proposal changes."),
    )


@bp.route("/proposte/<int:proposal_id>/non-seguire", methods=["POST"])
@require(signed_in)
def unfollow(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.unfollow(db, current_user, p),
        _("You no longer follow this proposal."),
    )


@bp.route("/proposte/<int:proposal_id>/commenti", methods=["POST"])
@require(signed_in)
def add_comment(proposal_id: int) -> BaseResponse:
    form = forms.CommentForm()
    if not form.validate_on_submit():
        flash(_("Write a comment of at least 2 characters."), "danger")
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    return _act(
        proposal_id,
        lambda db, p, c: services.add_comment(
            db, current_user, p, form.body.data, parent_id=form.parent_id.data, now=utcnow()
        ),
        _("Your comment has been published."),
    )


@bp.route("/commenti/<int:comment_id>/modifica", methods=["POST"])
@require(signed_in)
def edit_comment(comment_id: int) -> BaseResponse:
    comment = get_session().get(Comment, comment_id) or abort(404)
    form = forms.CommentForm()
    if not form.validate_on_submit():
        flash(_("Write a comment of at least 2 characters."), "danger")
        return redirect(url_for("proposals.show_proposal", proposal_id=comment.proposal_id))
    return _act(
        comment.proposal_id,
        lambda db, p, c: services.edit_comment(
            db, current_user, comment, form.body.data, now=utcnow()
        ),
        _("Your comment has been changed."),
    )


def _proposal_id_of(target_type: str, target_id: int) -> int:
    """The proposal a flagged or appealed proposal or comment belongs to (404 if none)."""
    if target_type == "proposal":
        return target_id
    comment = get_session().get(Comment, target_id) or abort(404)
    return comment.proposal_id


@bp.route("/segnala/<any(proposal, comment):target_type>/<int:target_id>", methods=["POST"])
@require(signed_in)
def flag(target_type: str, target_id: int) -> BaseResponse:
    proposal_id = _proposal_id_of(target_type, target_id)
    form = forms.FlagForm()
    if not form.validate_on_submit():
        flash(_("Say in a few words why staff should look at this."), "danger")
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    return _act(
        proposal_id,
        lambda db, p, c: services.flag(
            db, current_user, target_type, target_id, form.reason.data, now=utcnow()
        ),
        _("Thank you: staff will look at it."),
    )


@bp.route("/appello/<any(proposal, comment):target_type>/<int:target_id>", methods=["POST"])
@require(signed_in)
def appeal(target_type: str, target_id: int) -> BaseResponse:
    proposal_id = _proposal_id_of(target_type, target_id)
    form = forms.AppealForm()
    if not form.validate_on_submit():
        flash(_("Say in a few words why it should be shown again."), "danger")
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    return _act(
        proposal_id,
        lambda db, p, c: services.appeal(
            db, current_user, target_type, target_id, form.text.data, now=utcnow()
        ),
        _("Your appeal has been sent to staff."),
    )


@bp.route("/proposte/<int:proposal_id>/revisori", methods=["POST"])
@require(permissions.can_assign_reviewers)
def assign_reviewer(proposal_id: int) -> BaseResponse:
    reviewer_id = request.form.get("reviewer_id", type=int) or 0
    reviewer = get_user(get_session(), reviewer_id) or abort(400)
    return _act(
        proposal_id,
        lambda db, p, c: services.assign_reviewer(db, current_user, p, reviewer, now=utcnow()),
        _("The reviewer has been assigned."),
    )


@bp.route("/proposte/<int:proposal_id>/avvia-revisione", methods=["POST"])
@require(permissions.can_assign_reviewers)
def start_review(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.start_review(db, current_user, p, now=utcnow()),
        _("The proposal is now in review."),
    )


@bp.route("/proposte/<int:proposal_id>/fattibilita", methods=["POST"])
@require(signed_in)
def record_review(proposal_id: int) -> BaseResponse:
    form = forms.ReviewForm()
    if not form.validate_on_submit():
        flash(_("Fill in the outcome, a public reason, the costs and the duration."), "danger")
        return redirect(url_for("proposals.show_proposal", proposal_id=proposal_id))
    data = services.ReviewData(
        feasible=form.outcome.data == "feasible",
        public_reason=form.public_reason.data,
        cost_estimate_cents=parse_eur(form.cost_estimate.data, "it"),
        running_cost_cents=parse_eur(form.running_cost.data, "it"),
        duration_months=form.duration_months.data,
        private_notes=form.private_notes.data or "",
    )
    return _act(
        proposal_id,
        lambda db, p, c: services.record_review(db, current_user, p, data, now=utcnow()),
        _("The review has been recorded and the author informed."),
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


@bp.route("/bandi/<slug>/revisione")
@require(permissions.can_assign_reviewers)
def review_queue(slug: str) -> str:
    call = _call(slug)
    filters = queries.ProposalFilters(
        status=Status(request.args.get("stato", "submitted"))
        if request.args.get("stato", "submitted") in {s.value for s in Status}
        else None
    )
    page = queries.list_proposals(get_session(), call.id, filters, page_arg(), per_page=50)
    return render_template("proposals/review_queue.html", call=call, page=page, filters=filters)


@bp.route("/gestione/moderazione")
@require(permissions.can_moderate)
def moderation_queue() -> str:
    db = get_session()
    flags = db.scalars(select(Flag).where(Flag.status == "open").order_by(Flag.id)).all()
    appeals = db.scalars(select(Appeal).where(Appeal.status == "open").order_by(Appeal.id)).all()
    return render_template(
        "moderation/queue.html", flags=flags, appeals=appeals, form=forms.ResolveForm()
    )


@bp.route(
    "/gestione/moderazione/<any(proposal, comment):target_type>/<int:target_id>"
    "/<any(nascondi, respingi):decision>",
    methods=["POST"],
)
@require(permissions.can_moderate)
def resolve(target_type: str, target_id: int, decision: str) -> BaseResponse:
    db, form = get_session(), forms.ResolveForm()
    form.validate_on_submit() or abort(400)
    try:
        services.resolve_flags(
            db,
            current_user,
            target_type,
            target_id,
            hide=decision == "nascondi",
            public_reason=form.public_reason.data or "",
            now=utcnow(),
        )
    except REFUSALS as exc:
        db.rollback()
        flash(refusal(exc), "danger")
    else:
        db.commit()
        flash(_("Done."), "success")
    return redirect(url_for("proposals.moderation_queue"))


@bp.route("/gestione/appelli/<int:appeal_id>/<any(accogli, respingi):decision>", methods=["POST"])
@require(permissions.can_moderate)
def decide_appeal(appeal_id: int, decision: str) -> BaseResponse:
    db = get_session()
    item = db.get(Appeal, appeal_id) or abort(404)
    forms.ResolveForm().validate_on_submit() or abort(400)
    try:
        services.decide_appeal(db, current_user, item, uphold=decision == "accogli", now=utcnow())
    except REFUSALS as exc:
        db.rollback()
        flash(refusal(exc), "danger")
    else:
        db.commit()
        flash(_("Done."), "success")
    return redirect(url_for("proposals.moderation_queue"))


@bp.route("/notifiche", methods=["GET", "POST"])
@require(signed_in)
def notifications() -> str | BaseResponse:
    db = get_session()
    if request.method == "POST":
        services.mark_notifications_read(db, current_user, now=utcnow())
        db.commit()
        return redirect(url_for("proposals.notifications"))
    return render_template(
        "proposals/notifications.html", items=queries.list_notifications(db, current_user.id)
    )
