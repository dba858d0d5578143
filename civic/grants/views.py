"""Grant pages: applying, the formal check, the jury's desk, rankings, transparency."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..accounts.queries import get_user
from ..accounts.services import PermissionDenied
from ..calls import queries as call_queries
from ..calls.domain import CallKind
from ..calls.models import Call
from ..core.db import get_session
from ..core.money import parse_eur
from ..core.time import rome_to_utc, utcnow
from ..core.uploads import UploadRefused, store_pdf, stored_path
from ..core.web import require, signed_in
from ..crowdfunding.forms import cents, parse_lines
from ..places.queries import list_municipi
from . import jury, permissions, ranking, services, sessions
from .application import SECTIONS
from .forms import (
    SECTION_LABELS,
    ApplicationForm,
    DeclarationForm,
    FormalCheckForm,
    InstalmentsForm,
    InviteForm,
    ReasonForm,
    ReportForm,
    SettingsForm,
)
from .models import (
    GrantApplication,
    GrantFile,
    GrantInstalment,
    GrantMember,
    GrantSettings,
    JuryAssignment,
    JuryScore,
)
from .pdf import ranking_pdf, receipt_pdf
from .states import IllegalMove, State

bp = Blueprint("grants", __name__)


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
        "area_missing": _("Choose the Municipio."),
        "reason_needed": _("Give a reason."),
        "integration_invalid": _("Name the sections, the request and a future deadline."),
        "outcome_unknown": _("Choose an outcome."),
        "not_enough_jurors": _("There are not enough jurors without a conflict of interest."),
        "not_a_juror": _("This person is not a juror."),
        "already_assigned": _("This juror is already on the application."),
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


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    def grant_state_label(state: str) -> str:
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

    return {"grant_state_label": grant_state_label, "section_labels": SECTION_LABELS}


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


# Applying -------------------------------------------------------------------------------------


@bp.route("/bandi/<slug>/domande/nuova", methods=["POST"])
@require(signed_in)
def new_application(slug: str) -> BaseResponse:
    db = get_session()
    call, settings = _grant_call(slug)
    kind = request.form.get("kind", "group")
    try:
        application = services.start_application(
            db, current_user, call, settings, kind=kind, now=utcnow()
        )
    except services.GrantRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
        return redirect(url_for("calls.show_call", slug=slug))
    db.commit()
    return redirect(url_for("grants.show_application", application_id=application.id))


def _application_form(application: GrantApplication, call: Call) -> ApplicationForm:
    form = ApplicationForm()
    municipi = {a.id: a for a in list_municipi(get_session())}
    form.area_id.choices = [SelectChoice(0, _("Choose"))] + [
        SelectChoice(a.area_id, municipi[a.area_id].label) for a in call.areas
    ]
    if request.method == "GET":
        form.title.data = application.title
        form.group_name.data = application.group_name
        form.organisation_name.data = application.organisation_name
        form.legal_form.data = application.legal_form
        form.tax_code.data = application.tax_code
        form.area_id.data = application.area_id or 0
        for name in SECTIONS:
            getattr(form, name).data = application.sections.get(name, "")
        form.budget.data = "\n".join(
            f"{line['what']} | {_euros(int(line['cents']))}" for line in application.budget_lines
        )
        form.cofunding.data = (
            _euros(application.cofunding_cents) if application.cofunding_cents else ""
        )
    return form


def _euros(amount: int) -> str:
    whole, rest = divmod(amount, 100)
    return f"{whole:,}".replace(",", ".") + f",{rest:02d}"


@bp.route("/domande/<int:application_id>", methods=["GET", "POST"])
@require(signed_in)
def show_application(application_id: int) -> str | BaseResponse:
    db, now = get_session(), utcnow()
    application, call, settings = _own(application_id)
    form = _application_form(application, call)
    if request.method == "POST" and form.validate_on_submit():
        draft = services.Draft(
            title=form.title.data or "",
            group_name=form.group_name.data or "",
            organisation_name=form.organisation_name.data or "",
            legal_form=form.legal_form.data or "",
            tax_code=form.tax_code.data or "",
            area_id=form.area_id.data or None,
            sections={name: getattr(form, name).data or "" for name in SECTIONS},
            budget_lines=[(w, cents(a)) for w, a in parse_lines(form.budget.data, True)],
            cofunding_cents=cents(form.cofunding.data),
        )
        here = url_for("grants.show_application", application_id=application.id)
        try:
            services.save_draft(db, current_user, application, call, settings, draft, now=now)
        except services.GrantRefused as refused:
            db.rollback()
            flash(refusal_message(refused.code), "warning")
        except PermissionDenied:
            abort(403)
        else:
            db.commit()  # the draft is kept whatever happens to the submission
            if request.form.get("action") != "submit":
                flash(_("Saved."), "success")
                return redirect(here)
            try:
                number = services.submit(db, current_user, application, call, settings, now=now)
            except services.GrantRefused as refused:
                db.rollback()
                flash(
                    _("Saved, but not submitted:") + " " + refusal_message(refused.code), "warning"
                )
                return redirect(here)
            db.commit()
            flash(
                _("Submitted: protocol %(n)s. The receipt is in your e-mail.", n=number), "success"
            )
            return redirect(here)
    members = db.scalars(
        select(GrantMember)
        .where(GrantMember.application_id == application.id)
        .order_by(GrantMember.id)
    ).all()
    files = db.scalars(
        select(GrantFile)
        .where(GrantFile.application_id == application.id, GrantFile.kind == "attachment")
        .order_by(GrantFile.id)
    ).all()
    final = ranking.latest(db, call.id, ranking.session_of_application(application, settings))
    return render_template(
        "grants/application.html",
        application=application,
        call=call,
        settings=settings,
        form=form,
        invite_form=InviteForm(),
        members=members,
        files=files,
        reports=services.reports_of(db, application.id),
        instalments=services.instalments_of(db, application.id),
        may_report=application.state in (State.AGREEMENT.value, State.REPORTING.value),
        editable=services._may_edit(application, None, now),
        deadline=services.deadline(call),
        problems=services.submission_problems(db, application, call, settings, now)
        if application.state == State.DRAFT.value
        else [],
        refusal_message=refusal_message,
        show_feedback=final is not None and final.kind == "final",
        is_owner=permissions.is_applicant(current_user, application),
    )


@bp.route("/domande/<int:application_id>/invita", methods=["POST"])
@require(signed_in)
def invite(application_id: int) -> BaseResponse:
    db = get_session()
    application, _call, _settings = _own(application_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_member(
                db, current_user, application, form.email.data or "", now=utcnow()
            )
        except services.GrantRefused as refused:
            db.rollback()
            flash(refusal_message(refused.code), "warning")
        except PermissionDenied:
            abort(403)
        else:
            db.commit()
            flash(_("Invitation sent."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")
    return redirect(
        url_for("grants.show_application", application_id=application_id, _anchor="group")
    )


@bp.route("/domande/conferma/<token>")
@require(signed_in)
def confirm_member(token: str) -> BaseResponse:
    db = get_session()
    try:
        services.confirm_member(db, current_user, token[:80], now=utcnow())
    except services.GrantRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
        return redirect(url_for("accounts.account"))
    db.commit()
    flash(_("You are now a member of the group."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/domande/<int:application_id>/integrazione", methods=["POST"])
@require(signed_in)
def send_integration(application_id: int) -> BaseResponse:
    db = get_session()
    application, _call, _settings = _own(application_id)
    try:
        services.send_integration(db, current_user, application, now=utcnow())
    except services.GrantRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    except PermissionDenied:
        abort(403)
    else:
        db.commit()
        flash(_("Integration sent to the city's office."), "success")
    return redirect(url_for("grants.show_application", application_id=application_id))


@bp.route("/domande/<int:application_id>/allegati", methods=["POST"])
@require(signed_in)
def add_file(application_id: int) -> BaseResponse:
    db = get_session()
    application, _call, _settings = _own(application_id)
    if not permissions.is_applicant(current_user, application) or not services._may_edit(
        application, None, utcnow()
    ):
        abort(403)
    upload = request.files.get("file")
    title = request.form.get("title", "").strip()[:200] or _("Attachment")
    try:
        if upload is None or not upload.filename:
            raise UploadRefused("empty")
        stored = store_pdf(upload.stream, _uploads())
    except UploadRefused:
        flash(_("The file must be a PDF."), "warning")
        return redirect(url_for("grants.show_application", application_id=application_id))
    db.add(
        GrantFile(
            application_id=application.id,
            title=title,
            stored_name=stored.stored_name,
            size_bytes=stored.size_bytes,
            uploaded_at=utcnow(),
        )
    )
    db.commit()
    flash(_("Attachment added."), "success")
    return redirect(url_for("grants.show_application", application_id=application_id))


@bp.route("/domande/<int:application_id>/allegati/<int:file_id>")
@require(signed_in)
def download_file(application_id: int, file_id: int) -> Any:
    db = get_session()
    application = db.get(GrantApplication, application_id)
    if application is None or not _may_read(application):
        abort(404)
    found = db.get(GrantFile, file_id)
    if found is None or found.application_id != application.id:
        abort(404)
    return send_file(
        stored_path(_uploads(), found.stored_name),
        mimetype="application/pdf",
        download_name=f"{found.title[:60]}.pdf",
    )


def _may_read(application: GrantApplication) -> bool:
    """The applicant, staff, and jurors assigned who declared no conflict."""
    if permissions.is_applicant(current_user, application) or permissions.can_manage_grants(
        current_user
    ):
        return True
    assignment = get_session().scalar(
        select(JuryAssignment).where(
            JuryAssignment.application_id == application.id,
            JuryAssignment.juror_id == current_user.id,
        )
    )
    return permissions.may_read_as_juror(assignment)


@bp.route("/domande/<int:application_id>/ricevuta.pdf")
@require(signed_in)
def receipt(application_id: int) -> Response:
    db = get_session()
    application, call, _settings = _own(application_id)
    if application.protocol_number is None:
        abort(404)
    lead = get_user(db, application.lead_user_id or 0)
    body = receipt_pdf(application, call, lead)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="ricevuta-{application.protocol_number}.pdf"'
            )
        },
    )


# Rankings and transparency ------------------------------------------------------------------


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


@bp.route("/bandi/<slug>/graduatoria")
def public_ranking(slug: str) -> str:
    db = get_session()
    call, settings = _grant_call(slug)
    return render_template(
        "grants/ranking.html",
        call=call,
        published=_published(call, settings),
        sessions=ranking.published_sessions(db, call.id),
    )


@bp.route("/bandi/<slug>/graduatoria.csv")
def ranking_csv(slug: str) -> Response:
    call, settings = _grant_call(slug)
    published = _published(call, settings) or abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["position", "protocol", "title", "score", "requested_eur", "outcome"])
    for row in published.rows:
        writer.writerow(
            [
                row["position"] or "",
                row["protocol"],
                row["title"],
                row["score"],
                f"{int(row['requested_cents']) / 100:.2f}",
                row["outcome"],
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-graduatoria.csv"'},
    )


@bp.route("/bandi/<slug>/graduatoria.pdf")
def ranking_pdf_view(slug: str) -> Response:
    call, settings = _grant_call(slug)
    published = _published(call, settings) or abort(404)
    body = ranking_pdf(call, published.kind, published.rows, current_app.config["CITY_NAME"])
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-graduatoria.pdf"'},
    )


@bp.route("/contributi/trasparenza")
def transparency() -> str:
    return render_template("grants/transparency.html", rows=ranking.transparency(get_session()))


# Staff ----------------------------------------------------------------------------------------


def _criteria_text(settings: GrantSettings | None) -> str:
    if settings is None:
        return "\n".join(
            (
                "idea | Qualità dell'idea | 3 | 2",
                "need | Bisogno del quartiere | 3 | 2",
                "sustainability | Sostenibilità | 2 | 0",
            )
        )
    return "\n".join(
        f"{c['code']} | {c['label']} | {c['weight']} | {_half(int(c.get('threshold_half', 0)))}"
        for c in settings.criteria
    )


def _half(half: int) -> str:
    return str(half // 2) + (",5" if half % 2 else "")


def _to_half(text: str) -> int:
    value = Fraction(text.strip().replace(",", ".")) * 2
    if value.denominator != 1 or not 0 <= value <= 10:
        raise ValueError(text)
    return int(value)


@bp.route("/gestione/bandi/<int:call_id>/contributi", methods=["GET", "POST"])
@require(permissions.can_manage_grants)
def manage_call(call_id: int) -> str | BaseResponse:
    db, now = get_session(), utcnow()
    call = call_queries.get_call(db, call_id)
    if call is None or call.kind != CallKind.GRANTS.value:
        abort(404)
    settings = db.get(GrantSettings, call.id)
    form = SettingsForm()
    if request.method == "GET":
        form.max_grant.data = _euros(settings.max_grant_cents) if settings else "30.000,00"
        form.criteria.data = _criteria_text(settings)
        form.overall_threshold.data = _half(settings.overall_threshold_half) if settings else "3"
        form.jurors_per_application.data = settings.jurors_per_application if settings else 2
        form.disagreement.data = _half(settings.disagreement_half) if settings else "1,5"
        form.tie_break.data = settings.tie_break if settings else "earlier"
        form.ranking_basis.data = settings.ranking_basis if settings else "raw"
        form.blind.data = settings.blind if settings else False
        form.mode.data = settings.mode if settings else "single"
        form.cutoffs.data = "\n".join(settings.cutoffs) if settings else ""
        form.allow_organisations.data = settings.allow_organisations if settings else False
    if form.validate_on_submit():
        try:
            criteria = []
            for line in (form.criteria.data or "").splitlines():
                if not line.strip():
                    continue
                code, label, weight, threshold = (part.strip() for part in line.split("|"))
                criteria.append(
                    {
                        "code": code,
                        "label": label,
                        "weight": int(weight),
                        "threshold_half": _to_half(threshold),
                    }
                )
            data = services.SettingsData(
                max_grant_cents=parse_eur(form.max_grant.data or "", "it"),
                criteria=criteria,
                overall_threshold_half=_to_half(form.overall_threshold.data or ""),
                jurors_per_application=form.jurors_per_application.data or 0,
                disagreement_half=_to_half(form.disagreement.data or ""),
                tie_break=(form.tie_break.data or "earlier").strip(),
                ranking_basis=form.ranking_basis.data or "raw",
                mode=form.mode.data or "single",
                cutoffs=sessions.parse(form.cutoffs.data or ""),
                blind=bool(form.blind.data),
                allow_organisations=bool(form.allow_organisations.data),
            )
            services.save_settings(db, current_user, call, data, now=now)
        except (ValueError, ZeroDivisionError):
            db.rollback()
            form.criteria.errors = [
                _(
                    "Write each criterion as: code | label | weight | threshold, with "
                    "thresholds from 0 to 5 in half points; cut-off dates as YYYY-MM-DD, each "
                    "once."
                )
            ]
        except services.GrantRefused as refused:
            db.rollback()
            form.criteria.errors = [refusal_message(refused.code)]
        else:
            db.commit()
            flash(_("Rules saved."), "success")
            return redirect(url_for("grants.manage_call", call_id=call.id))
    applications = db.scalars(
        select(GrantApplication)
        .where(GrantApplication.call_id == call.id, GrantApplication.state != "draft")
        .order_by(GrantApplication.submitted_at, GrantApplication.id)
    ).all()
    assignments = db.scalars(
        select(JuryAssignment)
        .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
        .where(GrantApplication.call_id == call.id)
        .order_by(JuryAssignment.id)
    ).all()
    people = {u.id: u for u in jury.jurors_of(db, call.id)}
    cutoff = _asked_session(settings) if settings else None
    if settings and cutoff is None:
        cutoff = ranking.default_session(db, call.id, settings)
    result = ranking.board(db, call.id, settings, cutoff) if settings else None
    instalments: dict[int, list[GrantInstalment]] = {}
    for instalment in db.scalars(
        select(GrantInstalment)
        .join(GrantApplication, GrantApplication.id == GrantInstalment.application_id)
        .where(GrantApplication.call_id == call.id)
        .order_by(GrantInstalment.number)
    ):
        instalments.setdefault(instalment.application_id, []).append(instalment)
    reports: dict[int, list[GrantFile]] = {}
    for report in db.scalars(
        select(GrantFile)
        .join(GrantApplication, GrantApplication.id == GrantFile.application_id)
        .where(GrantApplication.call_id == call.id, GrantFile.kind == "report")
        .order_by(GrantFile.id)
    ):
        reports.setdefault(report.application_id, []).append(report)
    return render_template(
        "grants/manage_call.html",
        call=call,
        settings=settings,
        form=form,
        frozen=services.frozen(db, call.id),
        applications=applications,
        assignments=assignments,
        jurors=people,
        board=result,
        check_form=FormalCheckForm(),
        report_form=ReportForm(),
        reason_form=ReasonForm(),
        instalments_form=InstalmentsForm(),
        instalments=instalments,
        reports=reports,
        cutoff=cutoff,
        session_of=lambda a: ranking.session_of_application(a, settings) if settings else None,
        published=ranking.latest(db, call.id, cutoff),
    )


def _back(
    application: GrantApplication, message: str | None = None, ok: bool = True
) -> BaseResponse:
    if message:
        flash(message, "success" if ok else "warning")
    return redirect(
        url_for("grants.manage_call", call_id=application.call_id, _anchor=f"a{application.id}")
    )


def _staff_application(application_id: int) -> GrantApplication:
    application = get_session().get(GrantApplication, application_id)
    if application is None:
        abort(404)
    return application


def _staff_step(
    application: GrantApplication, step: Callable[[], object], done: str
) -> BaseResponse:
    """Run one staff action in one transaction: committed and confirmed, or rolled back with
    the reason shown; back to the application on the call's page either way."""
    db = get_session()
    try:
        step()
    except services.GrantRefused as refused:
        db.rollback()
        return _back(application, refusal_message(refused.code), ok=False)
    except IllegalMove:
        db.rollback()
        return _back(
            application, _("This step is not possible in the application's state."), ok=False
        )
    db.commit()
    return _back(application, done)


@bp.route("/gestione/domande/<int:application_id>/verifica", methods=["POST"])
@require(permissions.can_manage_grants)
def formal_check(application_id: int) -> BaseResponse:
    db, now = get_session(), utcnow()
    application = _staff_application(application_id)
    form = FormalCheckForm()
    if not form.validate_on_submit():
        return _back(
            application,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            ok=False,
        )
    try:
        if application.state == State.SUBMITTED.value:
            services.start_formal_check(db, current_user, application, now=now)
        until = rome_to_utc(form.until.data) if form.until.data else None
        services.decide_formal_check(
            db,
            current_user,
            application,
            outcome=form.outcome.data or "",
            reason=form.reason.data or "",
            sections=[s.strip() for s in (form.sections.data or "").split(",") if s.strip()],
            until=until,
            now=now,
        )
    except services.GrantRefused as refused:
        db.rollback()
        return _back(application, refusal_message(refused.code), ok=False)
    except IllegalMove:
        db.rollback()
        return _back(
            application, _("This step is not possible in the application's state."), ok=False
        )
    db.commit()
    return _back(application, _("Formal check recorded; the applicant has been told."))


@bp.route("/gestione/bandi/<int:call_id>/giuria", methods=["POST"])
@require(permissions.can_manage_grants)
def assign_jury(call_id: int) -> BaseResponse:
    db = get_session()
    settings = db.get(GrantSettings, call_id) or abort(404)
    try:
        added = jury.auto_assign(db, current_user, call_id, settings, now=utcnow())
    except services.GrantRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("%(n)d assignments added.", n=added), "success")
    return redirect(url_for("grants.manage_call", call_id=call_id, _anchor="jury"))


@bp.route("/gestione/domande/<int:application_id>/giurati", methods=["POST"])
@require(permissions.can_manage_grants)
def add_juror(application_id: int) -> BaseResponse:
    db = get_session()
    application = _staff_application(application_id)
    raw = request.form.get("juror_id", "")
    juror = get_user(db, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if juror is None:
        return _back(application, refusal_message("not_a_juror"), ok=False)
    return _staff_step(
        application,
        lambda: jury.add_juror(db, current_user, application, juror, now=utcnow()),
        _("Juror added."),
    )


@bp.route("/gestione/domande/<int:application_id>/resoconto", methods=["POST"])
@require(permissions.can_manage_grants)
def consensus_report(application_id: int) -> BaseResponse:
    db = get_session()
    application = _staff_application(application_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _back(
            application,
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            ok=False,
        )
    application.consensus_report = (form.body.data or "").strip()
    application.updated_at = utcnow()
    from ..core import audit

    audit.record(
        db,
        actor_id=current_user.id,
        action="grant.consensus_report",
        target_type="grant_application",
        target_id=application.id,
        now=utcnow(),
    )
    db.commit()
    return _back(
        application, _("Consensus report saved: the applicant reads it with the final ranking.")
    )


@bp.route("/gestione/bandi/<int:call_id>/graduatoria", methods=["POST"])
@require(permissions.can_manage_grants)
def publish_ranking(call_id: int) -> BaseResponse:
    db = get_session()
    settings = db.get(GrantSettings, call_id) or abort(404)
    kind = request.form.get("kind", "")
    raw = request.form.get("session", "")
    cutoff = date.fromisoformat(raw) if raw in settings.cutoffs else None
    try:
        ranking.publish(db, current_user, call_id, settings, kind=kind, cutoff=cutoff, now=utcnow())
    except services.GrantRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Ranking published."), "success")
    return redirect(
        url_for(
            "grants.manage_call",
            call_id=call_id,
            sessione=cutoff.isoformat() if cutoff else None,
            _anchor="ranking",
        )
    )


@bp.route("/gestione/domande/<int:application_id>/esito", methods=["POST"])
@require(permissions.can_manage_grants)
def award_step(application_id: int) -> BaseResponse:
    db = get_session()
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
        return _back(application, refusal_message("outcome_unknown"), ok=False)
    reason = request.form.get("reason", "")[:2000]
    return _staff_step(
        application,
        lambda: services.award_step(
            db, current_user, application, target, reason=reason, now=utcnow()
        ),
        _("Saved; the applicant has been told."),
    )


@bp.route("/gestione/giuria/<int:assignment_id>/rimuovi", methods=["POST"])
@require(permissions.can_manage_grants)
def remove_juror(assignment_id: int) -> BaseResponse:
    db = get_session()
    assignment = db.get(JuryAssignment, assignment_id) or abort(404)
    application = _staff_application(assignment.application_id)
    return _staff_step(
        application,
        lambda: jury.remove_juror(db, current_user, assignment, now=utcnow()),
        _("Juror removed from the application."),
    )


@bp.route("/gestione/domande/<int:application_id>/rate", methods=["POST"])
@require(permissions.can_manage_grants)
def plan_instalments(application_id: int) -> BaseResponse:
    db = get_session()
    application = _staff_application(application_id)
    form = InstalmentsForm()
    plan: list[tuple[int, date]] = []
    try:
        if not form.validate_on_submit():
            raise ValueError("form")
        for line in (form.plan.data or "").splitlines():
            if not line.strip():
                continue
            amount, due = (part.strip() for part in line.split("|"))
            plan.append((parse_eur(amount, "it"), date.fromisoformat(due)))
        if not plan:
            raise ValueError("empty")
    except ValueError:
        return _back(
            application,
            _("Write each instalment as: amount in euros | due date (YYYY-MM-DD)."),
            ok=False,
        )
    return _staff_step(
        application,
        lambda: services.plan_instalments(db, current_user, application, plan, now=utcnow()),
        _("Instalments planned."),
    )


@bp.route("/gestione/domande/<int:application_id>/rate/<int:instalment_id>", methods=["POST"])
@require(permissions.can_manage_grants)
def mark_paid(application_id: int, instalment_id: int) -> BaseResponse:
    db = get_session()
    application = _staff_application(application_id)
    instalment = db.get(GrantInstalment, instalment_id) or abort(404)
    return _staff_step(
        application,
        lambda: services.mark_paid(db, current_user, application, instalment, now=utcnow()),
        _("Instalment recorded as paid; the grantee has been told."),
    )


@bp.route("/domande/<int:application_id>/relazioni", methods=["POST"])
@require(signed_in)
def add_report(application_id: int) -> BaseResponse:
    db = get_session()
    application, _call, _settings = _own(application_id)
    here = url_for("grants.show_application", application_id=application_id, _anchor="reports")
    if not permissions.is_applicant(current_user, application):
        abort(403)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise UploadRefused("empty")
        stored = store_pdf(upload.stream, _uploads())
    except UploadRefused:
        flash(_("The file must be a PDF."), "warning")
        return redirect(here)
    try:
        services.add_report(
            db,
            current_user,
            application,
            title=request.form.get("title", "").strip()[:200] or _("Report"),
            stored_name=stored.stored_name,
            size_bytes=stored.size_bytes,
            now=utcnow(),
        )
    except services.GrantRefused as refused:
        db.rollback()
        stored_path(_uploads(), stored.stored_name).unlink(missing_ok=True)
        flash(refusal_message(refused.code), "warning")
        return redirect(here)
    db.commit()
    flash(_("Report uploaded: the city's office will review it."), "success")
    return redirect(here)


@bp.route("/gestione/domande/<int:application_id>/relazioni/<int:file_id>", methods=["POST"])
@require(permissions.can_manage_grants)
def accept_report(application_id: int, file_id: int) -> BaseResponse:
    db = get_session()
    application = _staff_application(application_id)
    report = db.get(GrantFile, file_id) or abort(404)
    return _staff_step(
        application,
        lambda: services.accept_report(db, current_user, application, report, now=utcnow()),
        _("Report accepted; the grantee has been told."),
    )


# The jury -------------------------------------------------------------------------------------


@bp.route("/giuria")
@require(permissions.is_juror)
def jury_home() -> str:
    db = get_session()
    rows = db.execute(
        select(JuryAssignment, GrantApplication)
        .join(GrantApplication, GrantApplication.id == JuryAssignment.application_id)
        .where(JuryAssignment.juror_id == current_user.id)
        .order_by(JuryAssignment.id)
    ).all()
    return render_template("grants/jury_home.html", rows=rows)


@bp.route("/giuria/<int:assignment_id>", methods=["GET", "POST"])
@require(permissions.is_juror)
def jury_application(assignment_id: int) -> str | BaseResponse:
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
        form = DeclarationForm()
        if form.validate_on_submit():
            try:
                jury.declare(
                    db,
                    current_user,
                    assignment,
                    conflict=form.conflict.data == "yes",
                    reason=form.reason.data or "",
                    now=now,
                )
            except services.GrantRefused as refused:
                db.rollback()
                flash(refusal_message(refused.code), "warning")
                return redirect(here)
            db.commit()
            if assignment.recused_at:
                flash(_("You are recused; the application goes to another juror."), "info")
                return redirect(url_for("grants.jury_home"))
        return redirect(here)
    if request.method == "POST" and request.form.get("step") == "score":
        given: dict[str, tuple[int | None, str]] = {}
        for criterion in settings.criteria:
            code = str(criterion["code"])
            raw = request.form.get(f"score-{code}", "")
            comment = request.form.get(f"comment-{code}", "")
            if raw == "na":
                given[code] = (None, comment)
            elif raw:
                try:
                    given[code] = (_to_half(raw), comment)
                except (ValueError, ZeroDivisionError):
                    flash(refusal_message("score_range"), "warning")
                    return redirect(here)
            elif comment:
                given[code] = (
                    (None, comment) if False else (0, comment) if False else (None, comment)
                )
        try:
            jury.save_scores(
                db,
                current_user,
                assignment,
                settings,
                given,
                submit=request.form.get("action") == "submit",
                now=now,
            )
        except services.GrantRefused as refused:
            db.rollback()
            flash(refusal_message(refused.code), "warning")
            return redirect(here)
        db.commit()
        flash(_("Scores submitted.") if assignment.submitted_at else _("Scores saved."), "success")
        return redirect(here)
    mine = {
        s.criterion: s
        for s in db.scalars(select(JuryScore).where(JuryScore.assignment_id == assignment.id))
    }
    others: list[dict[str, Any]] = []
    if permissions.may_see_other_scores(assignment):
        for other in db.scalars(
            select(JuryAssignment).where(
                JuryAssignment.application_id == application.id,
                JuryAssignment.id != assignment.id,
                JuryAssignment.submitted_at.is_not(None),
                JuryAssignment.recused_at.is_(None),
            )
        ):
            scores = {
                s.criterion: s
                for s in db.scalars(select(JuryScore).where(JuryScore.assignment_id == other.id))
            }
            others.append(scores)
    files = (
        db.scalars(select(GrantFile).where(GrantFile.application_id == application.id)).all()
        if permissions.may_read_as_juror(assignment)
        else []
    )
    return render_template(
        "grants/jury_application.html",
        assignment=assignment,
        application=application,
        settings=settings,
        readable=permissions.may_read_as_juror(assignment),
        declaration=DeclarationForm(),
        mine=mine,
        others=others,
        files=files,
        half=_half,
    )
