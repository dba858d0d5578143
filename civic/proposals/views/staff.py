"""Staff pages: review queue, reviewers and outcomes, moderation."""

from __future__ import annotations

from flask import (
    abort,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.queries import get_user
from ...core.actions import run
from ...core.db import get_session
from ...core.money import parse_eur
from ...core.time import utcnow
from ...core.web import id_arg, page_arg, require, signed_in
from .. import forms, permissions, queries, services
from ..domain import Status
from ..models import Appeal
from . import _call, _page, _proposal, bp


@bp.route("/proposte/<int:proposal_id>/revisori", methods=["POST"])
@require(permissions.can_assign_reviewers)
def assign_reviewer(proposal_id: int) -> ResponseReturnValue:
    reviewer_id = id_arg(request.form.get("reviewer_id")) or 0
    reviewer = get_user(get_session(), reviewer_id) or abort(400)
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.assign_reviewer(db, current_user, proposal, reviewer, now=utcnow()),
        to=_page(proposal_id),
        done=_("The reviewer has been assigned."),
    )


@bp.route("/proposte/<int:proposal_id>/avvia-revisione", methods=["POST"])
@require(permissions.can_assign_reviewers)
def start_review(proposal_id: int) -> ResponseReturnValue:
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.start_review(db, current_user, proposal, now=utcnow()),
        to=_page(proposal_id),
        done=_("The proposal is now in review."),
    )


@bp.route("/proposte/<int:proposal_id>/fattibilita", methods=["POST"])
@require(signed_in)
def record_review(proposal_id: int) -> ResponseReturnValue:
    from .public import proposal_page

    form = forms.ReviewForm()
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.record_review(db, current_user, proposal, _review(form), now=utcnow()),
        form=form,
        invalid=_("Fill in the outcome, a public reason, the costs and the duration."),
        to=_page(proposal_id),
        again=lambda: proposal_page(proposal_id, review_form=form),
        done=_("The review has been recorded and the author informed."),
    )


def _review(form: forms.ReviewForm) -> services.ReviewData:
    return services.ReviewData(
        feasible=form.outcome.data == "feasible",
        public_reason=form.public_reason.data,
        cost_estimate_cents=parse_eur(form.cost_estimate.data, "it"),
        running_cost_cents=parse_eur(form.running_cost.data, "it"),
        duration_months=form.duration_months.data,
        private_notes=form.private_notes.data or "",
        ballot_override_reason=form.ballot_override_reason.data or "",
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
    flags, appeals = queries.open_flags(db), queries.open_appeals(db)
    return render_template(
        "moderation/queue.html", flags=flags, appeals=appeals, form=forms.ResolveForm()
    )


@bp.route(
    "/gestione/moderazione/<any(proposal, comment):target_type>/<int:target_id>"
    "/<any(nascondi, respingi):decision>",
    methods=["POST"],
)
@require(permissions.can_moderate)
def resolve(target_type: str, target_id: int, decision: str) -> ResponseReturnValue:
    form = forms.ResolveForm()
    form.validate_on_submit() or abort(400)
    return run(
        lambda db: services.resolve_flags(
            db,
            current_user,
            target_type,
            target_id,
            hide=decision == "nascondi",
            public_reason=form.public_reason.data or "",
            now=utcnow(),
        ),
        to=url_for("proposals.moderation_queue"),
        done=_("Done."),
    )


@bp.route("/gestione/appelli/<int:appeal_id>/<any(accogli, respingi):decision>", methods=["POST"])
@require(permissions.can_moderate)
def decide_appeal(appeal_id: int, decision: str) -> ResponseReturnValue:
    item = get_session().get(Appeal, appeal_id) or abort(404)
    forms.ResolveForm().validate_on_submit() or abort(400)
    return run(
        lambda db: services.decide_appeal(
            db, current_user, item, uphold=decision == "accogli", now=utcnow()
        ),
        to=url_for("proposals.moderation_queue"),
        done=_("Done."),
    )
