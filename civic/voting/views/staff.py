"""Voting pages for city staff: the vote's settings, the paper desk, reviewing and publishing."""

from __future__ import annotations

import functools
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...calls import queries as call_queries
from ...calls.models import Call
from ...core.actions import run
from ...core.confirm import unless_confirmed
from ...core.db import get_session
from ...core.rows import edit_rows, fill
from ...core.time import utcnow
from ...core.web import id_arg, require
from ...places.queries import list_municipi
from .. import forms, permissions, services, snapshot
from ..models import VoteSettings
from . import _results, bp, refusal
from .voter import _choices


@bp.route("/gestione/bandi/<int:call_id>/voto", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def settings(call_id: int) -> ResponseReturnValue:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    current = db.get(VoteSettings, call.id)
    form = forms.VoteSettingsForm(obj=current)
    if request.method == "GET":
        _fill_box_fields(form, current)
    if request.method == "GET" or edit_rows(form):
        return _settings_page(call, form, [])
    return run(
        lambda db: services.save_vote_settings(
            db,
            current_user,
            call,
            {f.name: f.data for f in form if f.name not in (*form.BOX_FIELDS, "csrf_token")},
            trustee_emails=form.trustee_emails(),
            threshold=form.threshold.data or 1,
            now=utcnow(),
        ),
        form=form,
        again=lambda: _settings_page(call, form, []),
        # Each refusal beside its field; those about the whole vote (frozen rules) at the top.
        fields={"trustee_count": "trustees", "bad_threshold": "threshold"},
        to=url_for("calls.show_call", slug=call.slug),
        done=_("The vote's settings have been saved."),
    )


def _settings_page(call: Call, form: forms.VoteSettingsForm, errors: list[str]) -> str:
    db = get_session()
    box = services.key_of(db, call.id)
    from ..rule_texts import RULES, explain

    numbers = {
        "min_score": form.min_score.data or 0,
        "reserve_percent": form.reserve_percent.data or 0,
    }
    return render_template(
        "voting/settings.html",
        call=call,
        form=form,
        rule_texts={rule: explain(rule, **numbers) for rule in RULES},
        errors=errors,
        box=box,
        trustees=services.trustees_of(db, call.id) if box else [],
    )


def _fill_box_fields(form: forms.VoteSettingsForm, current: VoteSettings | None) -> None:
    """The form as the box stands: the trustees named and the threshold, or the default mode."""
    from flask import current_app

    if current is None:
        form.secrecy.data = current_app.config["BALLOT_DEFAULT_MODE"]
        return
    db = get_session()
    seats = services.trustees_of(db, current.call_id)
    key = services.key_of(db, current.call_id)
    if seats:
        fill(form.trustees, [{"email": _email_of(db, s.user_id)} for s in seats])
    if key is not None and key.mode == "trustees":
        form.threshold.data = key.threshold


def _email_of(db: Any, user_id: int) -> str:
    from ...accounts.models import User

    person = db.get(User, user_id)
    return (person.email or "") if person else ""


@bp.route("/gestione/bandi/<int:call_id>/seggio", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def paper_desk(call_id: int) -> ResponseReturnValue:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    form = forms.PaperForm()
    area_id = id_arg(request.values.get("area_id")) or (call.areas[0].area_id if call.areas else 0)
    page = functools.partial(_desk_page, call, form, area_id)
    if request.method == "GET":
        return page([])
    return run(
        lambda db: services.record_paper_ballot_for(
            db,
            current_user,
            call,
            form.email.data or "",
            area_id,
            _choices(),
            desk=form.desk.data,
            now=utcnow(),
        ),
        form=form,
        again=lambda: page([]),
        on_refusal=lambda refused: page(refusal(refused)),
        to=url_for("voting.paper_desk", call_id=call.id, area_id=area_id),
        done=lambda code: _(
            "The paper ballot has been recorded, sealed like an online one. "
            "Tracking code for the voter: %(code)s",
            code=code,
        ),
    )


def _desk_page(call: Call, form: forms.PaperForm, area_id: int, errors: list[str]) -> str:
    db = get_session()
    municipi = {a.id: a for a in list_municipi(db)}
    seen = snapshot.build(db, call.id)  # the ballot as voters online see it, read now
    area = seen.area(area_id) if seen is not None and area_id else None
    projects = area.projects if area is not None else ()
    return render_template(
        "voting/paper_desk.html",
        call=call,
        form=form,
        municipi=municipi,
        area_id=area_id,
        projects=projects,
        errors=errors,
    )


@bp.route("/gestione/bandi/<int:call_id>/risultati", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def review(call_id: int) -> ResponseReturnValue:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    form = forms.OverrideForm()

    def page() -> str:
        return render_template("voting/review.html", call=call, form=form, **_results(call))

    if request.method == "GET":
        return page()
    return run(
        lambda db: services.override_winner(
            db,
            current_user,
            services.result_of(db, call, id_arg(request.form.get("area_id"))),
            form.project_id.data,
            add=form.action.data == "add",
            reason=form.reason.data,
            now=utcnow(),
        ),
        form=form,
        again=page,
        to=url_for("voting.review", call_id=call.id),
        done=_("The result has been changed; the reason will be published with it."),
    )


@bp.route("/gestione/bandi/<int:call_id>/pubblica-risultati", methods=["POST"])
@require(permissions.can_run_vote)
def publish(call_id: int) -> ResponseReturnValue:
    call = call_queries.get_call(get_session(), call_id) or abort(404)
    ask = unless_confirmed(
        _("Publish the results?"),
        [
            _(
                "The winners, the counts and the rule's explanation become public on the "
                "call's page."
            ),
            _("Every author is told by e-mail whether their project won."),
            _("The results can no longer be changed."),
        ],
        _("Publish the results"),
        back=url_for("voting.review", call_id=call_id),
    )
    if ask is not None:
        return ask
    return run(
        lambda db: services.publish_results(db, current_user, call, now=utcnow()),
        to=url_for("voting.results", slug=call.slug),
        done=_("The results are public."),
    )
