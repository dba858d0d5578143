"""Grant pages for city staff: rules, formal check, jurors, rankings, awards, instalments."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...accounts.queries import get_user
from ...calls import queries as call_queries
from ...calls.domain import CallKind
from ...calls.models import Call
from ...core.actions import run
from ...core.confirm import unless_confirmed
from ...core.db import get_session
from ...core.money import parse_eur
from ...core.rows import edit_rows, fill, filled
from ...core.time import rome_to_utc, utcnow
from ...core.web import require
from .. import conflicts, jury, permissions, queries, ranking, services
from ..forms import (
    INTEGRATION_LABELS,
    FormalCheckForm,
    InstalmentsForm,
    ReasonForm,
    ReportForm,
    SettingsForm,
    cutoff_days,
    half_points,
)
from ..models import GrantFile, GrantInstalment, GrantSettings, JuryAssignment
from ..states import State
from . import (
    _asked_session,
    _at,
    _back,
    _euros,
    _half,
    _staff_application,
    bp,
    refusal_message,
    state_label,
)

# A new call's criteria, to be edited: the ones Milan's "Scuola dei Quartieri" scores by.
_FIRST_CRITERIA = (
    {"code": "idea", "label": "Qualità dell'idea", "weight": 3, "threshold_half": 4},
    {"code": "need", "label": "Bisogno del quartiere", "weight": 3, "threshold_half": 4},
    {"code": "sustainability", "label": "Sostenibilità", "weight": 2, "threshold_half": 0},
)


def _show_criteria(form: SettingsForm, settings: GrantSettings | None) -> None:
    criteria = settings.criteria if settings else _FIRST_CRITERIA
    fill(
        form.criteria,
        [
            {
                "code": c["code"],
                "label": c["label"],
                "weight": int(str(c["weight"])),
                "threshold": _half(int(str(c.get("threshold_half", 0)))),
            }
            for c in criteria
        ],
    )


def _tie_breaks(form: SettingsForm, settings: GrantSettings | None) -> None:
    """Tie-break choices: the earlier application, or a higher score on one criterion (the
    criteria as saved, and those on the form being edited)."""
    known = {c["code"]: c["label"] for c in (settings.criteria if settings else _FIRST_CRITERIA)}
    known |= {row["code"]: row["label"] for row in filled(form.criteria) if row.get("code")}
    form.tie_break.choices = [SelectChoice("earlier", _("The application submitted first"))] + [
        SelectChoice(f"criterion:{code}", _("The higher score on: %(criterion)s", criterion=label))
        for code, label in known.items()
    ]


@bp.route("/gestione/bandi/<int:call_id>/contributi", methods=["GET", "POST"])
@require(permissions.can_manage_grants)
def manage_call(call_id: int) -> ResponseReturnValue:
    db, now = get_session(), utcnow()
    call = call_queries.get_call(db, call_id)
    if call is None or call.kind != CallKind.GRANTS.value:
        abort(404)
    settings = db.get(GrantSettings, call.id)
    form = SettingsForm()
    if request.method == "GET":
        form.max_grant.data = _euros(settings.max_grant_cents) if settings else "30.000,00"
        _show_criteria(form, settings)
        form.overall_threshold.data = _half(settings.overall_threshold_half) if settings else "3"
        form.jurors_per_application.data = settings.jurors_per_application if settings else 2
        form.disagreement.data = _half(settings.disagreement_half) if settings else "1,5"
        form.tie_break.data = settings.tie_break if settings else "earlier"
        form.ranking_basis.data = settings.ranking_basis if settings else "raw"
        form.blind.data = settings.blind if settings else False
        form.mode.data = settings.mode if settings else "single"
        fill(
            form.cutoffs,
            [{"day": date.fromisoformat(d)} for d in settings.cutoffs or []] if settings else [],
        )
        form.allow_organisations.data = settings.allow_organisations if settings else False
    _tie_breaks(form, settings)
    page = functools.partial(_manage_call_page, call, settings, form)
    if request.method == "GET" or edit_rows(form):
        return page()
    return run(
        lambda db: services.save_settings(db, current_user, call, _settings_data(form), now=now),
        form=form,
        again=page,
        fields={"*": "criteria"},
        to=url_for("grants.manage_call", call_id=call.id),
        done=_("Rules saved."),
    )


def _settings_data(form: SettingsForm) -> services.SettingsData:
    """The rules as typed; a value that cannot be read is refused beside its field."""
    try:
        criteria = _criteria(form)
    except ValueError as error:
        raise services.GrantRefused("criteria_unreadable", field="criteria") from error
    try:
        return services.SettingsData(
            max_grant_cents=parse_eur(form.max_grant.data or "", "it"),
            criteria=criteria,
            overall_threshold_half=half_points(form.overall_threshold.data or ""),
            jurors_per_application=form.jurors_per_application.data or 0,
            disagreement_half=half_points(form.disagreement.data or ""),
            tie_break=form.tie_break.data or "earlier",
            ranking_basis=form.ranking_basis.data or "raw",
            mode=form.mode.data or "single",
            cutoffs=cutoff_days(form.cutoffs),
            blind=bool(form.blind.data),
            allow_organisations=bool(form.allow_organisations.data),
        )
    except ValueError as error:  # the only value a field cannot check alone: a repeated day
        raise services.GrantRefused("cutoff_repeated", field="cutoffs") from error


def _criteria(form: SettingsForm) -> list[dict[str, object]]:
    """The criteria rows; a new row's hidden code is made from its label (kept once saved,
    as scores are filed under it)."""
    rows = list(filled(form.criteria))
    taken = {str(row["code"]) for row in rows if row.get("code")}
    criteria = []
    for row in rows:
        code = str(row.get("code") or "") or _new_code(str(row["label"]), taken)
        taken.add(code)
        criteria.append(
            {
                "code": code,
                "label": row["label"],
                "weight": int(row["weight"]),
                "threshold_half": half_points(row["threshold"] or "0"),
            }
        )
    return criteria


def _new_code(label: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    stem = "-".join(re.findall(r"[a-z0-9]+", plain))[:30] or "criterion"
    code, n = stem, 2
    while code in taken:
        code, n = f"{stem}-{n}", n + 1
    return code


def _manage_call_page(call: Call, settings: GrantSettings | None, form: SettingsForm) -> str:
    db = get_session()
    people = {u.id: u for u in conflicts.jurors_of(db, call.id)}
    applications = queries.submitted_applications(db, call.id)
    cutoff = _asked_session(settings) if settings else None
    if settings and cutoff is None:
        cutoff = ranking.default_session(db, call.id, settings)
    result = ranking.board(db, call.id, settings, cutoff) if settings else None
    return render_template(
        "grants/manage_call.html",
        call=call,
        settings=settings,
        form=form,
        frozen=services.frozen(db, call.id),
        applications=applications,
        assignments=queries.assignments_of_call(db, call.id),
        jurors=people,
        interests=conflicts.interested(db, [a.id for a in applications]),
        board=result,
        check_form=FormalCheckForm(),
        report_form=ReportForm(),
        reason_form=ReasonForm(),
        integration_labels=INTEGRATION_LABELS,
        instalments=queries.instalments_by_application(db, call.id),
        reports=queries.reports_by_application(db, call.id),
        cutoff=cutoff,
        session_of=lambda a: ranking.session_of_application(a, settings) if settings else None,
        published=ranking.latest(db, call.id, cutoff),
    )


@bp.route("/gestione/domande/<int:application_id>/verifica", methods=["POST"])
@require(permissions.can_manage_grants)
def formal_check(application_id: int) -> ResponseReturnValue:
    application = _staff_application(application_id)
    form = FormalCheckForm()
    return run(
        lambda db: services.decide_formal_check(
            db,
            current_user,
            application,
            outcome=form.outcome.data or "",
            reason=form.reason.data or "",
            sections=list(form.sections.data or []),
            until=rome_to_utc(form.until.data) if form.until.data else None,
            now=utcnow(),
        ),
        form=form,
        to=_at(application),
        done=_("Formal check recorded; the applicant has been told."),
    )


@bp.route("/gestione/bandi/<int:call_id>/giuria", methods=["POST"])
@require(permissions.can_manage_grants)
def assign_jury(call_id: int) -> ResponseReturnValue:
    settings = get_session().get(GrantSettings, call_id) or abort(404)
    return run(
        lambda db: jury.auto_assign(db, current_user, call_id, settings, now=utcnow()),
        to=url_for("grants.manage_call", call_id=call_id, _anchor="jury"),
        done=lambda added: _("%(n)d assignments added.", n=added),
    )


@bp.route("/gestione/domande/<int:application_id>/giurati", methods=["POST"])
@require(permissions.can_manage_grants)
def add_juror(application_id: int) -> ResponseReturnValue:
    db = get_session()
    application = _staff_application(application_id)
    raw = request.form.get("juror_id", "")
    juror = get_user(db, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if juror is None:
        return _back(application, refusal_message("not_a_juror"))
    return run(
        lambda db: jury.add_juror(db, current_user, application, juror, now=utcnow()),
        to=_at(application),
        done=_("Juror added."),
    )


@bp.route("/gestione/domande/<int:application_id>/resoconto", methods=["POST"])
@require(permissions.can_manage_grants)
def consensus_report(application_id: int) -> ResponseReturnValue:
    application = _staff_application(application_id)
    form = ReportForm()
    return run(
        lambda db: services.save_consensus_report(
            db, current_user, application, form.body.data or "", now=utcnow()
        ),
        form=form,
        to=_at(application),
        done=_("Consensus report saved: the applicant reads it with the final ranking."),
    )


@bp.route("/gestione/bandi/<int:call_id>/graduatoria", methods=["POST"])
@require(permissions.can_manage_grants)
def publish_ranking(call_id: int) -> ResponseReturnValue:
    db = get_session()
    settings = db.get(GrantSettings, call_id) or abort(404)
    kind = request.form.get("kind", "")
    raw = request.form.get("session", "")
    cutoff = date.fromisoformat(raw) if raw in settings.cutoffs else None
    ask = unless_confirmed(
        _("Publish the ranking?"),
        [
            _("The ranking becomes public, with each application's score."),
            _("A final ranking decides who is funded, and the applicants are told."),
        ],
        _("Publish the ranking"),
        back=url_for("grants.manage_call", call_id=call_id, _anchor="ranking"),
    )
    if ask is not None:
        return ask
    return run(
        lambda db: ranking.publish(
            db, current_user, call_id, settings, kind=kind, cutoff=cutoff, now=utcnow()
        ),
        to=url_for(
            "grants.manage_call",
            call_id=call_id,
            sessione=cutoff.isoformat() if cutoff else None,
            _anchor="ranking",
        ),
        done=_("Ranking published."),
    )


@bp.route("/gestione/domande/<int:application_id>/esito", methods=["POST"])
@require(permissions.can_manage_grants)
def award_step(application_id: int) -> ResponseReturnValue:
    application = _staff_application(application_id)
    targets = {
        "agreement": State.AGREEMENT,
        "reporting": State.REPORTING,
        "closed": State.CLOSED,
        "revoked": State.REVOKED,
        "renounced": State.RENOUNCED,
        "funded": State.FUNDED,
    }
    target = targets.get(request.form.get("step", ""))
    if target is None:
        return _back(application, refusal_message("outcome_unknown"))
    reason = request.form.get("reason", "")[:2000]
    ask = unless_confirmed(
        _("Move the application on?"),
        [
            _("The application moves to: %(step)s.", step=state_label(target.value)),
            _("The applicant is told by e-mail, with the reason you gave."),
        ],
        _("Confirm"),
        back=_at(application),
    )
    if ask is not None:
        return ask
    return run(
        lambda db: services.award_step(
            db, current_user, application, target, reason=reason, now=utcnow()
        ),
        to=_at(application),
        done=_("Saved; the applicant has been told."),
    )


@bp.route("/gestione/giuria/<int:assignment_id>/rimuovi", methods=["POST"])
@require(permissions.can_manage_grants)
def remove_juror(assignment_id: int) -> ResponseReturnValue:
    db = get_session()
    assignment = db.get(JuryAssignment, assignment_id) or abort(404)
    application = _staff_application(assignment.application_id)
    return run(
        lambda db: jury.remove_juror(db, current_user, assignment, now=utcnow()),
        to=_at(application),
        done=_("Juror removed from the application."),
    )


@bp.route("/gestione/domande/<int:application_id>/rate", methods=["GET", "POST"])
@require(permissions.can_manage_grants)
def plan_instalments(application_id: int) -> ResponseReturnValue:
    application = _staff_application(application_id)
    form = InstalmentsForm()
    page = functools.partial(
        render_template, "grants/instalments.html", application=application, form=form
    )
    if request.method == "GET" or edit_rows(form):
        return page()
    return run(
        lambda db: services.plan_instalments(
            db,
            current_user,
            application,
            [(parse_eur(row["amount"], "it"), row["due"]) for row in filled(form.plan)],
            now=utcnow(),
        ),
        form=form,
        again=page,
        fields={"*": "plan"},
        to=_at(application),
        done=_("Instalments planned."),
    )


@bp.route("/gestione/domande/<int:application_id>/rate/<int:instalment_id>", methods=["POST"])
@require(permissions.can_manage_grants)
def mark_paid(application_id: int, instalment_id: int) -> ResponseReturnValue:
    db = get_session()
    application = _staff_application(application_id)
    instalment = db.get(GrantInstalment, instalment_id) or abort(404)
    return run(
        lambda db: services.mark_paid(db, current_user, application, instalment, now=utcnow()),
        to=_at(application),
        done=_("Instalment recorded as paid; the grantee has been told."),
    )


@bp.route("/gestione/domande/<int:application_id>/relazioni/<int:file_id>", methods=["POST"])
@require(permissions.can_manage_grants)
def accept_report(application_id: int, file_id: int) -> ResponseReturnValue:
    db = get_session()
    application = _staff_application(application_id)
    report = db.get(GrantFile, file_id) or abort(404)
    return run(
        lambda db: services.accept_report(db, current_user, application, report, now=utcnow()),
        to=_at(application),
        done=_("Report accepted; the grantee has been told."),
    )
