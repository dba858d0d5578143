"""Grant pages for applicants: the application, its group, attachments, the receipt and reports."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...accounts.queries import get_user
from ...calls.models import Call
from ...core.actions import run
from ...core.db import get_session
from ...core.rows import edit_rows
from ...core.time import utcnow
from ...core.uploads import download_name, stored_path
from ...core.web import require, signed_in
from ...crowdfunding.forms import budget_lines, cents, show_budget
from ...places.queries import list_municipi
from .. import permissions, queries, ranking, services
from ..application import SECTIONS
from ..forms import ApplicationForm, InviteForm
from ..models import GrantApplication, GrantFile, GrantSettings
from ..pdf import receipt_pdf
from ..states import State
from . import _euros, _grant_call, _may_read, _own, _uploads, bp, refusal_message


@bp.route("/bandi/<slug>/domande/nuova", methods=["POST"])
@require(signed_in)
def new_application(slug: str) -> ResponseReturnValue:
    call, settings = _grant_call(slug)
    kind = request.form.get("kind", "group")
    return run(
        lambda db: services.start_application(
            db, current_user, call, settings, kind=kind, now=utcnow()
        ),
        to=lambda application: url_for("grants.show_application", application_id=application.id),
        again=url_for("calls.show_call", slug=slug),
    )


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
        show_budget(
            form.budget, [(line["what"], int(line["cents"])) for line in application.budget_lines]
        )
        form.cofunding.data = (
            _euros(application.cofunding_cents) if application.cofunding_cents else ""
        )
    return form


@bp.route("/domande/<int:application_id>", methods=["GET", "POST"])
@require(signed_in)
def show_application(application_id: int) -> ResponseReturnValue:
    now = utcnow()
    application, call, settings = _own(application_id)
    form = _application_form(application, call)
    if request.method == "POST" and not edit_rows(form):
        here = url_for("grants.show_application", application_id=application.id)
        return run(
            lambda db: services.save_and_submit(
                db,
                current_user,
                application,
                call,
                settings,
                _draft(form),
                submit_too=request.form.get("action") == "submit",
                now=now,
            ),
            form=form,
            again=lambda: _application_page(application, call, settings, form),
            to=here,
            done=_saved_message,
        )
    return _application_page(application, call, settings, form)


def _draft(form: ApplicationForm) -> services.Draft:
    return services.Draft(
        title=form.title.data or "",
        group_name=form.group_name.data or "",
        organisation_name=form.organisation_name.data or "",
        legal_form=form.legal_form.data or "",
        tax_code=form.tax_code.data or "",
        area_id=form.area_id.data or None,
        sections={name: getattr(form, name).data or "" for name in SECTIONS},
        budget_lines=budget_lines(form.budget),
        cofunding_cents=cents(form.cofunding.data),
    )


def _saved_message(saved: services.Saved) -> tuple[str, str]:
    if saved.number is not None:
        return _("Submitted: protocol %(n)s. The receipt is in your e-mail.", n=saved.number), (
            "success"
        )
    if saved.not_submitted is not None:
        return _("Saved, but not submitted:") + " " + refusal_message(saved.not_submitted), (
            "warning"
        )
    return _("Saved."), "success"


def _application_page(
    application: GrantApplication, call: Call, settings: GrantSettings, form: ApplicationForm
) -> str:
    db, now = get_session(), utcnow()
    members = queries.members_of(db, application.id)
    files = queries.files_of(db, application.id, "attachment")
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
def invite(application_id: int) -> ResponseReturnValue:
    application, _call, _settings = _own(application_id)
    form = InviteForm()
    return run(
        lambda db: services.invite_member(
            db, current_user, application, form.email.data or "", now=utcnow()
        ),
        form=form,
        to=url_for("grants.show_application", application_id=application_id, _anchor="group"),
        done=_("Invitation sent."),
    )


@bp.route("/domande/conferma/<token>")
@require(signed_in)
def confirm_member(token: str) -> ResponseReturnValue:
    return run(
        lambda db: services.confirm_member(db, current_user, token[:80], now=utcnow()),
        to=url_for("accounts.account"),
        done=_("You are now a member of the group."),
    )


@bp.route("/domande/<int:application_id>/integrazione", methods=["POST"])
@require(signed_in)
def send_integration(application_id: int) -> ResponseReturnValue:
    application, _call, _settings = _own(application_id)
    return run(
        lambda db: services.send_integration(db, current_user, application, now=utcnow()),
        to=url_for("grants.show_application", application_id=application_id),
        done=_("Integration sent to the city's office."),
    )


@bp.route("/domande/<int:application_id>/allegati", methods=["POST"])
@require(signed_in)
def add_file(application_id: int) -> ResponseReturnValue:
    application, _call, _settings = _own(application_id)
    if not permissions.is_applicant(current_user, application) or not services._may_edit(
        application, None, utcnow()
    ):
        abort(403)
    return run(
        lambda db: services.add_attachment(
            db,
            current_user,
            application,
            title=request.form.get("title", "").strip()[:200] or _("Attachment"),
            stream=_upload(),
            folder=_uploads(),
            now=utcnow(),
        ),
        to=url_for("grants.show_application", application_id=application_id),
        done=_("Attachment added."),
    )


def _upload() -> Any:
    """The uploaded file's stream, or None when no file came."""
    upload = request.files.get("file")
    return upload.stream if upload is not None and upload.filename else None


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
        download_name=download_name(f"{found.title}.pdf", "application/pdf", "allegato"),
    )


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


@bp.route("/domande/<int:application_id>/relazioni", methods=["POST"])
@require(signed_in)
def add_report(application_id: int) -> ResponseReturnValue:
    application, _call, _settings = _own(application_id)
    if not permissions.is_applicant(current_user, application):
        abort(403)
    return run(
        lambda db: services.add_report(
            db,
            current_user,
            application,
            title=request.form.get("title", "").strip()[:200] or _("Report"),
            stream=_upload(),
            folder=_uploads(),
            now=utcnow(),
        ),
        to=url_for("grants.show_application", application_id=application_id, _anchor="reports"),
        done=_("Report uploaded: the city's office will review it."),
    )
