"""The count: staff start it, trustees enter their shares until the box opens."""

from __future__ import annotations

import functools
from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...calls import queries as call_queries
from ...calls.models import Call
from ...core.actions import run
from ...core.db import get_session
from ...core.jobs import try_enqueue
from ...core.time import utcnow
from ...core.web import require, signed_in
from .. import forms, permissions, queries, services
from ..tasks import tally_call_job
from . import bp, refusal


@bp.route("/gestione/bandi/<int:call_id>/scrutinio", methods=["GET", "POST"])
@require(signed_in)
def count(call_id: int) -> ResponseReturnValue:
    """The count: staff open a server-key box; trustees enter their shares until k are in."""
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    seats = services.trustees_of(db, call.id)
    seat = next((s for s in seats if s.user_id == current_user.id), None)
    if seat is None and not permissions.can_run_vote(current_user):
        abort(403)
    form = forms.ShareForm()
    page = functools.partial(_count_page, call, seats, seat, form)
    if request.method == "GET":
        return page([])
    return run(
        lambda db: _count_step(db, call, seat, form),
        to=lambda opened: _after_count_step(call, opened),
        on_refusal=lambda refused: page(refusal(refused)),
    )


def _count_step(db: Any, call: Call, seat: Any, form: forms.ShareForm) -> bool:
    """A trustee's share, or staff starting the count; whether the box is now open."""
    if request.form.get("action") == "share" and seat is not None:
        if not form.validate():
            raise services.VoteRefused("share_word_count")
        return services.enter_share(db, current_user, call, form.share.data, now=utcnow()).opened
    services.check_countable(db, current_user, call, now=utcnow())
    return True  # server mode: the count's job opens the box; trustees open theirs above


def _after_count_step(call: Call, opened: bool) -> str:
    """After the commit (the job opens its own transaction and must not wait for this one)."""
    if opened:
        _start_tally(call.id)
    else:
        flash(_("Your share has been entered."), "success")
    return url_for("voting.count", call_id=call.id)


def _count_page(call: Call, seats: Any, seat: Any, form: Any, errors: list[str]) -> str:
    db = get_session()
    key = services.key_of(db, call.id)
    return render_template(
        "voting/count.html",
        call=call,
        key=key,
        seats=seats,
        seat=seat,
        form=form,
        errors=errors,
        sealed=services.sealed_count(db, call.id),
        people=_people(db, [s.user_id for s in seats]),
        closed=services.voting_closed(call, utcnow()),
    )


def _people(db: Any, ids: list[int]) -> dict[int, Any]:
    return queries.people(db, ids)


def _start_tally(call_id: int) -> None:
    if try_enqueue(tally_call_job, call_id, current_user.id):
        flash(
            _("The box is open; the count has started and the results appear when done."), "success"
        )
    else:
        flash(_("The job queue cannot be reached; try again in a minute."), "warning")
