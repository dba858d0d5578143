"""Taking part: supports, following, comments, reports, appeals, notices."""

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

from ...core.actions import run
from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require, signed_in
from .. import forms, queries, services
from ..models import Comment
from . import _page, _proposal, bp


@bp.route("/proposte/<int:proposal_id>/sostegno", methods=["POST"])
@require(signed_in)
def support(proposal_id: int) -> ResponseReturnValue:
    proposal, call = _proposal(proposal_id)
    return run(
        lambda db: services.support_proposal(db, current_user, proposal, call, now=utcnow()),
        to=_page(proposal_id),
        done=_("Thank you for your support."),
    )


@bp.route("/proposte/<int:proposal_id>/sostegno/ritira", methods=["POST"])
@require(signed_in)
def withdraw_support(proposal_id: int) -> ResponseReturnValue:
    proposal, call = _proposal(proposal_id)
    return run(
        lambda db: services.withdraw_support(db, current_user, proposal, call, now=utcnow()),
        to=_page(proposal_id),
        done=_("Your support has been withdrawn."),
    )


@bp.route("/proposte/<int:proposal_id>/segui", methods=["POST"])
@require(signed_in)
def follow(proposal_id: int) -> ResponseReturnValue:
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.follow(db, current_user, proposal, now=utcnow()),
        to=_page(proposal_id),
        done=_("You will be told when this proposal changes."),
    )


@bp.route("/proposte/<int:proposal_id>/non-seguire", methods=["POST"])
@require(signed_in)
def unfollow(proposal_id: int) -> ResponseReturnValue:
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.unfollow(db, current_user, proposal),
        to=_page(proposal_id),
        done=_("You no longer follow this proposal."),
    )


@bp.route("/proposte/<int:proposal_id>/commenti", methods=["POST"])
@require(signed_in)
def add_comment(proposal_id: int) -> ResponseReturnValue:
    form = forms.CommentForm()
    proposal, _call = _proposal(proposal_id)
    return run(
        lambda db: services.add_comment(
            db, current_user, proposal, form.body.data, parent_id=form.parent_id.data, now=utcnow()
        ),
        form=form,
        invalid=_("Write a comment of at least 2 characters."),
        to=_page(proposal_id),
        done=_("Your comment has been published."),
    )


@bp.route("/commenti/<int:comment_id>/modifica", methods=["POST"])
@require(signed_in)
def edit_comment(comment_id: int) -> ResponseReturnValue:
    comment = get_session().get(Comment, comment_id) or abort(404)
    form = forms.CommentForm()
    _proposal(comment.proposal_id)
    return run(
        lambda db: services.edit_comment(db, current_user, comment, form.body.data, now=utcnow()),
        form=form,
        invalid=_("Write a comment of at least 2 characters."),
        to=_page(comment.proposal_id),
        done=_("Your comment has been changed."),
    )


def _proposal_id_of(target_type: str, target_id: int) -> int:
    """The proposal a flagged or appealed proposal or comment belongs to (404 if none)."""
    if target_type == "proposal":
        return target_id
    comment = get_session().get(Comment, target_id) or abort(404)
    return comment.proposal_id


@bp.route("/segnala/<any(proposal, comment):target_type>/<int:target_id>", methods=["POST"])
@require(signed_in)
def flag(target_type: str, target_id: int) -> ResponseReturnValue:
    proposal_id = _proposal_id_of(target_type, target_id)
    form = forms.FlagForm()
    _proposal(proposal_id)
    return run(
        lambda db: services.flag(
            db, current_user, target_type, target_id, form.reason.data, now=utcnow()
        ),
        form=form,
        invalid=_("Say in a few words why staff should look at this."),
        to=_page(proposal_id),
        done=_("Thank you: staff will look at it."),
    )


@bp.route("/appello/<any(proposal, comment):target_type>/<int:target_id>", methods=["POST"])
@require(signed_in)
def appeal(target_type: str, target_id: int) -> ResponseReturnValue:
    proposal_id = _proposal_id_of(target_type, target_id)
    form = forms.AppealForm()
    _proposal(proposal_id)
    return run(
        lambda db: services.appeal(
            db, current_user, target_type, target_id, form.text.data, now=utcnow()
        ),
        form=form,
        invalid=_("Say in a few words why it should be shown again."),
        to=_page(proposal_id),
        done=_("Your appeal has been sent to staff."),
    )


@bp.route("/notifiche", methods=["GET", "POST"])
@require(signed_in)
def notifications() -> ResponseReturnValue:
    if request.method == "POST":
        return run(
            lambda db: services.mark_notifications_read(db, current_user, now=utcnow()),
            to=url_for("proposals.notifications"),
        )
    return render_template(
        "proposals/notifications.html",
        items=queries.list_notifications(get_session(), current_user.id),
    )
