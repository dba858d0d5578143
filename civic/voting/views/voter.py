"""Voting pages for voters: choosing the Municipio, the ballot, changing it, declaring residency."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...calls import queries as call_queries
from ...calls.domain import PhaseKind, is_phase_open
from ...calls.views import language
from ...core.actions import run
from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require, signed_in
from ...places.queries import list_municipi
from .. import domain, forms, queries, services
from ..models import VoteSettings
from ..snapshot import VotingCall
from . import _call, _voting_call, bp, refusal


def _choices() -> dict[int, int]:
    """The ballot as sent: 'p<id>' fields holding 1, points or a rank, or (a vote for one) a
    'choice' field holding the project's id; anything else ignored."""
    choices: dict[int, int] = {}
    single = request.form.get("choice", "").strip()
    if single.isdigit() and len(single) < 12:
        choices[int(single)] = 1
    for name, value in request.form.items():
        if name.startswith("p") and name[1:].isdigit() and len(name) < 12:
            text = value.strip()
            number = int(text) if text.lstrip("-").isdigit() and len(text) < 7 else 0
            if number:
                choices[int(name[1:])] = number
    return choices


def _ballot_page(
    call: VotingCall, area_id: int, choices: dict[int, int], errors: list[str], **extra: Any
) -> str:
    area = call.area(area_id)
    if area is None or call.settings is None:
        abort(404)
    return render_template(
        "voting/ballot.html",
        call=call,
        area=area,
        rules=services.ballot_rules(call.settings, call, area_id),
        projects=area.projects,
        choices=choices,
        running=domain.measure(choices, area.costs()),
        errors=errors,
        **extra,
    )


@bp.route("/bandi/<slug>/voto")
@require(signed_in)
def choose_area(slug: str) -> str:
    db = get_session()
    found = call_queries.get_call_by_slug(db, slug)
    if found is None or found.published_at is None:
        abort(404)
    voting = next((w for w in call_queries.windows_of(found) if w.kind is PhaseKind.VOTING), None)
    if voting is None:
        abort(404)
    if db.get(VoteSettings, found.id) is None:  # the ballot is still being prepared
        return render_template("voting/not_yet.html", call=found, voting=voting)
    call = _call(slug)
    voted = queries.areas_voted_in(db, call.id, current_user.id)
    municipi = {a.id: a for a in list_municipi(db)}
    settings = db.get(VoteSettings, call.id)
    residency = _residency(db)
    self_ok = bool(settings and settings.allow_self_declared)
    own = residency.municipio_id if residency and (residency.method != "self" or self_ok) else None
    return render_template(
        "voting/choose_area.html",
        call=call,
        municipi=municipi,
        voted=voted,
        open=is_phase_open(call_queries.windows_of(call), PhaseKind.VOTING, utcnow()),
        voting=voting,
        now=utcnow(),
        own=own,
        may_declare=self_ok and own is None,
        eligible_municipi=[municipi[a.area_id] for a in call.areas],
    )


def _residency(db: Any) -> Any:
    """The person's residency, matched against the census if it was not yet. Only read here:
    the request commits nothing, and the cast checks the census again and keeps the match."""
    from ...residency.census import verify_from_census
    from ...residency.models import Residency

    return db.get(Residency, current_user.id) or verify_from_census(db, current_user, now=utcnow())


@bp.route("/bandi/<slug>/voto/<int:area_id>", methods=["GET", "POST"])
@require(signed_in)
def ballot(slug: str, area_id: int) -> ResponseReturnValue:
    call = _voting_call(slug)
    if call.area(area_id) is None:
        abort(404)
    choices = _choices() if request.method == "POST" else {}
    if request.method == "POST" and request.form.get("action") == "cast":
        return run(
            lambda db: services.cast_ballot(db, current_user, call, area_id, choices, now=utcnow()),
            to=lambda cast: _private(
                "voting/receipt.html",
                call=call,
                receipt=cast.receipt,
                tracking_code=cast.tracking_code,
                area_id=area_id,
            ),
            on_refusal=lambda refused: _ballot_page(call, area_id, choices, refusal(refused)),
        )
    return _ballot_page(call, area_id, choices, [])


def _private(template: str, **context: Any) -> Response:
    """A page that holds a receipt or tracking code: never kept by a cache."""
    return Response(render_template(template, **context), headers={"Cache-Control": "no-store"})


@bp.route("/bandi/<slug>/voto/<int:area_id>/modifica", methods=["GET", "POST"])
@require(signed_in)
def change(slug: str, area_id: int) -> ResponseReturnValue:
    call = _voting_call(slug)
    if call.area(area_id) is None:
        abort(404)
    form = forms.ChangeForm()
    choices = _choices() if request.method == "POST" else {}
    page = functools.partial(_ballot_page, call, area_id, choices, change_form=form)
    if request.method == "POST" and request.form.get("action") == "cast":
        return run(
            lambda db: services.change_ballot(
                db,
                current_user,
                call,
                area_id,
                form.receipt.data,
                choices,
                now=utcnow(),
                language=language(),
            ),
            form=form,
            again=lambda: page([]),
            to=lambda code: _private(
                "voting/changed.html", call=call, tracking_code=code, area_id=area_id
            ),
            on_refusal=lambda refused: page(refusal(refused)),
        )
    return page([])


@bp.route("/bandi/<slug>/voto/residenza", methods=["POST"])
@require(signed_in)
def declare_residency(slug: str) -> ResponseReturnValue:
    """Self-declared residency, only for calls whose vote accepts it."""
    from ...residency.census import declare

    db = get_session()
    call = call_queries.get_call_by_slug(db, slug)
    settings = db.get(VoteSettings, call.id) if call else None
    if call is None or settings is None or not settings.allow_self_declared:
        abort(404)
    back = url_for("voting.choose_area", slug=slug)
    born: date | None
    try:
        born = date.fromisoformat(request.form.get("birth_date", "")[:10])
        municipio_id = int(request.form.get("municipio_id", ""))
    except ValueError:
        born, municipio_id = None, 0
    if (
        born is None
        or request.form.get("truthful") != "y"
        or municipio_id not in {a.area_id for a in call.areas}
    ):
        flash(_("Give your Municipio and your date of birth."), "warning")
        return redirect(back)
    return run(
        lambda db: declare(
            db, current_user, municipio_id=municipio_id, birth_date=born, now=utcnow()
        ),
        to=back,
        done=_("Thank you: your declaration is recorded."),
    )
