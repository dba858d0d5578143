"""Grant pages for jurors: their applications, the conflict declaration and the scores."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...core.actions import run
from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require
from .. import jury, permissions, queries, services
from ..forms import DeclarationForm, half_points
from ..models import GrantApplication, GrantSettings, JuryAssignment
from . import _half, bp


def _scores_given(settings: GrantSettings) -> dict[str, tuple[int | None, str]]:
    """The juror's marks (in half points; None for "not applicable" or a comment alone)."""
    given: dict[str, tuple[int | None, str]] = {}
    for criterion in settings.criteria:
        code = str(criterion["code"])
        raw = request.form.get(f"score-{code}", "")
        comment = request.form.get(f"comment-{code}", "")
        if raw and raw != "na":
            try:
                given[code] = (half_points(raw), comment)
            except (ValueError, ZeroDivisionError) as error:
                raise services.GrantRefused("score_range") from error
        elif raw == "na" or comment:
            given[code] = (None, comment)
    return given


@bp.route("/giuria")
@require(permissions.is_juror)
def jury_home() -> str:
    rows = queries.assignments_of_juror(get_session(), current_user.id)
    return render_template("grants/jury_home.html", rows=rows)


@bp.route("/giuria/<int:assignment_id>", methods=["GET", "POST"])
@require(permissions.is_juror)
def jury_application(assignment_id: int) -> ResponseReturnValue:
    db, now = get_session(), utcnow()
    assignment = db.get(JuryAssignment, assignment_id)
    if assignment is None or assignment.juror_id != current_user.id or assignment.recused_at:
        abort(404)
    application = db.get(GrantApplication, assignment.application_id)
    assert application is not None
    settings = db.get(GrantSettings, application.call_id)
    assert settings is not None
    here = url_for("grants.jury_application", assignment_id=assignment_id)
    if request.method == "POST" and request.form.get("step") == "declare":
        return _declare(assignment, here, now)
    if request.method == "POST" and request.form.get("step") == "score":
        return _score(assignment, application, settings, here, now)
    return _jury_page(assignment, application, settings)


def _declare(assignment: JuryAssignment, here: str, now: datetime) -> ResponseReturnValue:
    """The juror declares a conflict (and is recused) or none (and may read the application)."""
    form = DeclarationForm()
    return run(
        lambda db: jury.declare(
            db,
            current_user,
            assignment,
            conflict=form.conflict.data == "yes",
            reason=form.reason.data or "",
            now=now,
        ),
        form=form,
        to=lambda _none: url_for("grants.jury_home") if assignment.recused_at else here,
        again=here,
        done=lambda _none: (
            (_("You are recused; the application goes to another juror."), "info")
            if assignment.recused_at
            else None
        ),
    )


def _score(
    assignment: JuryAssignment,
    application: GrantApplication,
    settings: GrantSettings,
    here: str,
    now: datetime,
) -> ResponseReturnValue:
    """The juror saves their marks, or submits them; refused, the page comes back with every
    mark and comment as typed."""
    typed = _typed(settings)
    return run(
        lambda db: jury.save_scores(
            db,
            current_user,
            assignment,
            settings,
            _scores_given(settings),
            submit=request.form.get("action") == "submit",
            now=now,
        ),
        to=here,
        again=lambda: _jury_page(assignment, application, settings, mine=typed),
        done=lambda _none: (
            _("Scores submitted.") if assignment.submitted_at else _("Scores saved.")
        ),
    )


def _typed(settings: GrantSettings) -> dict[str, SimpleNamespace]:
    """The marks and comments as sent, shaped as saved scores are, for the page shown again."""
    typed = {}
    for criterion in settings.criteria:
        code = str(criterion["code"])
        raw = request.form.get(f"score-{code}", "")
        comment = request.form.get(f"comment-{code}", "")
        if not raw and not comment:
            continue
        try:
            half = None if raw == "na" else half_points(raw) if raw else -1
        except (ValueError, ZeroDivisionError):
            half = -1  # matches no choice: the juror chooses again
        typed[code] = SimpleNamespace(half_points=half, comment=comment)
    return typed


def _jury_page(
    assignment: JuryAssignment,
    application: GrantApplication,
    settings: GrantSettings,
    mine: dict[str, Any] | None = None,
) -> str:
    db = get_session()
    readable = permissions.may_read_as_juror(assignment)
    return render_template(
        "grants/jury_application.html",
        assignment=assignment,
        application=application,
        settings=settings,
        readable=readable,
        declaration=DeclarationForm(),
        mine=mine if mine is not None else queries.scores_of(db, assignment.id),
        others=(
            queries.other_jurors_scores(db, assignment)
            if permissions.may_see_other_scores(assignment)
            else []
        ),
        files=queries.files_of(db, application.id) if readable else [],
        half=_half,
    )
