"""Grant pages: applying, the formal check, the jury's desk, rankings, transparency."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...calls import queries as call_queries
from ...calls import sections as call_sections
from ...calls.domain import CallKind
from ...calls.models import Call
from ...core.actions import describe
from ...core.db import get_session
from .. import permissions, queries, ranking, services
from ..forms import INTEGRATION_LABELS, SECTION_LABELS
from ..models import GrantApplication, GrantSettings
from ..states import IllegalMove

bp = Blueprint("grants", __name__)


@describe(services.GrantRefused)
def _words(refused: services.GrantRefused) -> str:
    return refusal_message(refused.code)


@describe(IllegalMove)
def _illegal(_refused: IllegalMove) -> str:
    return str(_("This step is not possible in the application's state."))


def refusal_message(code: str) -> str:
    messages = {
        "not_grants": _("This call is not a grants call."),
        "rules_frozen": _("The rules are frozen: an application has already been submitted."),
        "rules_invalid": _("Check the rules: criteria, weights, thresholds and jurors."),
        "kind_not_allowed": _("This call does not take applications of this kind."),
        "not_editable": _("This application cannot be changed now."),
        "area_not_eligible": _("This Municipio is not eligible for the call."),
        "group_locked": _("The group is locked: the application has been submitted."),
        "member_email": _("Give the e-mail address of another resident."),
        "already_invited": _("This person has already been invited."),
        "invitation_unknown": _("This invitation does not exist."),
        "invitation_other_address": _("Sign in with the address the invitation was sent to."),
        "already_submitted": _("This application has already been submitted."),
        "not_open": _("Applications are not open for this call."),
        "deadline_passed": _(
            "The deadline has passed: the application can no longer be submitted."
        ),
        "no_lines": _("Add at least one budget line."),
        "line_without_description": _("Every budget line needs a description."),
        "line_not_positive": _("Every budget line needs a positive amount."),
        "cofunding_negative": _("Co-funding cannot be negative."),
        "over_max_grant": _("The grant asked exceeds the call's maximum."),
        "group_too_small": _(
            "A group needs at least two residents: invite a member and wait for the confirmation."
        ),
        "tax_code_invalid": _("The codice fiscale or partita IVA is not valid."),
        "organisation_name": _("Give the organisation's name."),
        "title_missing": _("Give the project a title."),
        "criteria_unreadable": _(
            "Give each criterion a weight and a least score from 0 to 5 in half points."
        ),
        "cutoff_repeated": _("Write each cut-off date once."),
        "area_missing": _("Choose the Municipio."),
        "reason_needed": _("Give a reason."),
        "integration_invalid": _("Name the sections, the request and a future deadline."),
        "outcome_unknown": _("Choose an outcome."),
        "not_enough_jurors": _("There are not enough jurors without a conflict of interest."),
        "not_a_juror": _("This person is not a juror."),
        "already_assigned": _("This juror is already on the application."),
        "juror_interested": _(
            "This juror is behind the application (its lead, a member of its group or of its "
            "organisation) and cannot judge it."
        ),
        "already_declared": _("You have already declared."),
        "scores_final": _("Your scores are submitted and final."),
        "not_under_review": _("This application is not with the jury now."),
        "unknown_criterion": _("Unknown criterion."),
        "score_range": _("Scores go from 0 to 5 in half points."),
        "comment_needed": _("Every criterion needs a score or 'not applicable', and a comment."),
        "scores_missing": _("Some applications still lack their jurors' scores."),
        "nothing_to_rank": _("There is nothing to rank yet."),
        "kind_unknown": _("Unknown ranking."),
        "no_agreement": _("The agreement is not signed."),
        "instalments_do_not_add_up": _("The instalments must add up to the grant."),
        "instalments_exist": _("The instalments are already planned."),
        "after_last_cutoff": _(
            "The last evaluation session's cut-off has passed: no more applications."
        ),
        "session_unknown": _("Choose one of the call's evaluation sessions."),
        "juror_recused": _("The juror recused themselves: the recusal stays on record."),
        "instalment_unknown": _("This instalment does not exist."),
        "instalment_paid": _("This instalment is already paid."),
        "instalment_order": _("Pay the earlier instalments first."),
        "reports_closed": _("Reports are uploaded once the agreement is signed."),
        "report_unknown": _("This report does not exist."),
        "report_accepted": _("This report is already accepted."),
        "instalments_unpaid": _("A grant closes once every instalment is paid."),
        "reports_pending": _("A grant closes once its reports are uploaded and accepted."),
    }
    if code.startswith("section_missing:"):
        section = code.split(":", 1)[1]
        return str(_("Write the section: %(name)s.", name=SECTION_LABELS.get(section, section)))
    return str(messages.get(code, _("This is not possible.")))


def state_label(state: str) -> str:
    """An application's state as people read it."""
    return str(
        {
            "draft": _("Draft"),
            "submitted": _("Submitted"),
            "formal_check": _("Formal check"),
            "integration_requested": _("Integration requested"),
            "inadmissible": _("Inadmissible"),
            "under_review": _("With the jury"),
            "interview": _("Interview"),
            "ranked": _("Ranked"),
            "funded": _("Funded"),
            "reserve": _("Reserve list"),
            "not_admitted": _("Not admitted"),
            "agreement": _("Agreement signed"),
            "reporting": _("Payments and reports"),
            "closed": _("Grant closed"),
            "revoked": _("Revoked"),
            "renounced": _("Renounced"),
        }.get(state, state)
    )


@bp.app_template_filter("section_label")
def section_label(code: str) -> str:
    """A section's name as the applicant reads it (codes stay internal)."""
    label = INTEGRATION_LABELS.get(code)
    return str(label) if label is not None else _("another part")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"grant_state_label": state_label, "section_labels": SECTION_LABELS}


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "grants"


def _grant_call(slug: str) -> tuple[Call, GrantSettings]:
    db = get_session()
    call = call_queries.get_call_by_slug(db, slug)
    if call is None or call.published_at is None or call.kind != CallKind.GRANTS.value:
        abort(404)
    settings = db.get(GrantSettings, call.id)
    if settings is None:
        abort(404)
    return call, settings


def _own(application_id: int) -> tuple[GrantApplication, Call, GrantSettings]:
    db = get_session()
    application = db.get(GrantApplication, application_id)
    if application is None or not (
        permissions.is_applicant(current_user, application)
        or permissions.can_manage_grants(current_user)
    ):
        abort(404)
    call = call_queries.get_call(db, application.call_id)
    settings = db.get(GrantSettings, application.call_id)
    assert call is not None
    assert settings is not None
    return application, call, settings


def _euros(amount: int) -> str:
    whole, rest = divmod(amount, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d}"


def _may_read(application: GrantApplication) -> bool:
    """The applicant, staff, and jurors assigned who declared no conflict."""
    if permissions.is_applicant(current_user, application) or permissions.can_manage_grants(
        current_user
    ):
        return True
    assignment = queries.assignment_of(get_session(), application.id, current_user.id)
    return permissions.may_read_as_juror(assignment)


def _asked_session(settings: GrantSettings) -> date | None:
    """The evaluation session named by ``?sessione=YYYY-MM-DD`` (rolling calls only)."""
    raw = request.args.get("sessione", "")
    if settings.mode != "rolling" or not raw:
        return None
    if raw not in settings.cutoffs:
        abort(404)
    return date.fromisoformat(raw)


def _published(call: Call, settings: GrantSettings) -> Any:
    db = get_session()
    cutoff = _asked_session(settings)
    if cutoff is None and settings.mode == "rolling":
        done = ranking.published_sessions(db, call.id)
        cutoff = done[-1] if done else None
    return ranking.latest(db, call.id, cutoff)


def _half(half: int) -> str:
    return str(half // 2) + (",5" if half % 2 else "")


def _at(application: GrantApplication) -> str:
    """The application's row on its call's staff page, where staff steps come back to."""
    return url_for("grants.manage_call", call_id=application.call_id, _anchor=f"a{application.id}")


def _back(application: GrantApplication, text: str) -> ResponseReturnValue:
    flash(text, "warning")
    return redirect(_at(application))


def _staff_application(application_id: int) -> GrantApplication:
    application = get_session().get(GrantApplication, application_id)
    if application is None:
        abort(404)
    return application


def _call_page_part(db: Any, call: Call, _now: datetime) -> dict[str, Any] | None:
    """On a grants call's page: its rules and the signed-in person's own applications."""
    if call.kind != CallKind.GRANTS.value:
        return None
    mine = queries.led_by(db, call.id, current_user.id) if current_user.is_authenticated else []
    return {"settings": db.get(GrantSettings, call.id), "mine": mine}


call_sections.add_part("grants", _call_page_part)


# The pages register their routes on bp when imported.
from . import applicant, juror, public, staff  # noqa: E402, F401
