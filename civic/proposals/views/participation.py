"""Taking part: supports, following, comments, reports, appeals, notices."""

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
from werkzeug.wrappers import Response as BaseResponse

from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require, signed_in
from .. import forms, queries, services
from ..models import Comment
from . import _act, bp


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
