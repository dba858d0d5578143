"""Staff pages: review queue, reviewers and outcomes, moderation."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ...accounts.queries import get_user
from ...core.db import get_session
from ...core.money import parse_eur
from ...core.time import utcnow
from ...core.web import page_arg, require, signed_in
from .. import forms, permissions, queries, services
from ..domain import Status
from ..models import Appeal, Flag
from . import REFUSALS, _act, _call, bp, refusal


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
        ballot_override_reason=form.ballot_override_reason.data or "",
    )
    return _act(
        proposal_id,
        lambda db, p, c: services.record_review(db, current_user, p, data, now=utcnow()),
        _("The review has been recorded and the author informed."),
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
