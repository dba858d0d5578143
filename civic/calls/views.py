"""Call pages: the public list and detail, and the staff screens to create and edit calls."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..core.actions import describe, run
from ..core.db import get_session
from ..core.money import parse_eur
from ..core.time import YEARS_AHEAD, rome_to_utc, to_rome, utcnow
from ..core.uploads import UploadRefused, download_name, stored_path
from ..core.web import require
from ..places.queries import list_municipi
from . import permissions, queries, sections, services
from .domain import (
    CallKind,
    CallStatus,
    PhaseKind,
    TimelineError,
    Window,
    call_status,
    card_moment,
    is_phase_open,
    steps,
)
from .forms import KIND_LABELS, PHASE_LABELS, DocumentForm, call_form

bp = Blueprint("calls", __name__)


def language() -> str:
    locale = get_locale()
    return str(locale.language) if locale else "it"


def documents_folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "calls"


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "kind_label": lambda k: str(KIND_LABELS[CallKind(k)]),
        "phase_label": lambda p: str(PHASE_LABELS[PhaseKind(p)]),
        "lang": language,
    }


@bp.route("/bandi")
def list_calls() -> str:
    now, db = utcnow(), get_session()
    calls = queries.list_calls(db, include_drafts=permissions.can_manage_calls(current_user))
    groups: dict[CallStatus, list[Any]] = {status: [] for status in CallStatus}
    for call in calls:
        groups[call_status(call.published_at is not None, queries.windows_of(call), now)].append(
            call
        )
    return render_template(
        "calls/list_calls.html",
        groups=groups,
        moments={call.id: card_moment(queries.windows_of(call), now) for call in calls},
        CallStatus=CallStatus,
        can_manage=permissions.can_manage_calls(current_user),
    )


@bp.route("/bandi/<slug>")
def show_call(slug: str) -> str:
    db, now = get_session(), utcnow()
    call = queries.get_call_by_slug(db, slug) or abort(404)
    if not permissions.can_view_call(current_user, call):
        abort(404)
    windows = queries.windows_of(call)
    return render_template(
        "calls/show_call.html",
        call=call,
        steps=steps(windows, now),
        status=call_status(call.published_at is not None, windows, now),
        municipi={a.id: a for a in list_municipi(db)},
        can_manage=permissions.can_manage_calls(current_user),
        submission_open=is_phase_open(windows, PhaseKind.SUBMISSION, now),
        **sections.parts_of(db, call, now),
    )


@bp.route("/bandi/<slug>/documenti/<int:document_id>")
def download_document(slug: str, document_id: int) -> Any:
    call = queries.get_call_by_slug(get_session(), slug) or abort(404)
    document = next((d for d in call.documents if d.id == document_id), None)
    if document is None or not permissions.can_view_call(current_user, call):
        abort(404)
    path = stored_path(documents_folder(), document.stored_name)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=download_name(document.filename, "application/pdf", "documento"),
    )


@bp.route("/gestione/bandi/nuovo", methods=["GET", "POST"])
@require(permissions.can_manage_calls)
def new_call() -> ResponseReturnValue:
    db = get_session()
    municipi = list_municipi(db)
    form = call_form(municipi, queries.list_themes(db), language())
    page = functools.partial(
        render_template, "calls/edit_call.html", form=form, call=None, municipi=municipi
    )
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.create_call(db, current_user, _call_data(form, municipi), now=utcnow()),
        form=form,
        again=page,
        to=lambda call: url_for("calls.show_call", slug=call.slug),
        done=_("The call has been created as a draft."),
    )


@bp.route("/gestione/bandi/<int:call_id>/modifica", methods=["GET", "POST"])
@require(permissions.can_manage_calls)
def edit_call(call_id: int) -> ResponseReturnValue:
    db = get_session()
    call = queries.get_call(db, call_id) or abort(404)
    municipi = list_municipi(db)
    form = call_form(
        municipi,
        queries.list_themes(db),
        language(),
        data=None if request.method == "POST" else _form_data(call),
    )
    page = functools.partial(
        render_template, "calls/edit_call.html", form=form, call=call, municipi=municipi
    )
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.update_call(
            db,
            current_user,
            call,
            _call_data(form, municipi),
            now=utcnow(),
            override_reason=form.override_reason.data,
        ),
        form=form,
        again=page,
        to=lambda saved: url_for("calls.show_call", slug=saved.slug),
        done=_("The call has been saved."),
    )


@bp.route("/gestione/bandi/<int:call_id>/pubblica", methods=["POST"])
@require(permissions.can_manage_calls)
def publish_call(call_id: int) -> ResponseReturnValue:
    call = queries.get_call(get_session(), call_id) or abort(404)
    return run(
        lambda db: services.publish_call(db, current_user, call, now=utcnow()),
        to=url_for("calls.show_call", slug=call.slug),
        done=_("The call is now public."),
    )


@bp.route("/gestione/bandi/<int:call_id>/documenti", methods=["POST"])
@require(permissions.can_manage_calls)
def add_document(call_id: int) -> ResponseReturnValue:
    call = queries.get_call(get_session(), call_id) or abort(404)
    form = DocumentForm()
    return run(
        lambda db: services.add_document(
            db,
            current_user,
            call,
            title=form.title.data,
            filename=form.file.data.filename,
            stream=form.file.data.stream,
            folder=documents_folder(),
            now=utcnow(),
        ),
        form=form,
        invalid=_("Give the document a title and choose a PDF file."),
        to=url_for("calls.show_call", slug=call.slug),
        done=_("The document has been added."),
    )


@describe(UploadRefused)
def _upload_refused(refused: UploadRefused) -> str:
    return upload_message(refused.code)


def upload_message(code: str) -> str:
    """What to tell a person whose file was refused."""
    messages = {
        "too_large": _("The file is too large."),
        "empty": _("The file is empty."),
        "not_pdf": _("This file is not a PDF."),
        "pdf_encrypted": _("This PDF is protected by a password: send it without one."),
        "pdf_active_content": _(
            "This PDF contains scripts, actions or attached files: save it again as a plain PDF "
            "(for example with Print to PDF)."
        ),
        "not_image": _("This file is not a JPEG, PNG or WebP image."),
    }
    return str(messages.get(code, _("This file cannot be accepted.")))


def _form_data(call: Any) -> dict[str, Any]:
    from ..core.money import format_eur

    def amount(cents: int) -> str:
        return format_eur(cents, "it").removeprefix("€ ") if cents else ""

    data: dict[str, Any] = {
        "title_it": call.title_it,
        "title_en": call.title_en,
        "description_it": call.description_it,
        "description_en": call.description_en,
        "kind": call.kind,
        "themes": [t.id for t in call.themes],
        "total_budget": amount(call.total_budget_cents),
        "support_threshold": call.support_threshold,
    }
    for area in call.areas:
        data[f"area_{area.area_id}"] = True
        data[f"budget_{area.area_id}"] = amount(area.budget_cents)
    for phase in call.phases:
        data[f"{phase.kind}_start"] = to_rome(phase.starts_at).replace(tzinfo=None)
        data[f"{phase.kind}_end"] = to_rome(phase.ends_at).replace(tzinfo=None)
    return data


def _call_data(form: Any, municipi: list[Any]) -> services.CallData:
    """The form's values as CallData; a value that cannot be is refused beside its field."""
    windows: list[Window] = []
    for phase in PhaseKind:
        start: datetime | None = form[f"{phase.value}_start"].data
        end: datetime | None = form[f"{phase.value}_end"].data
        if start is None and end is None:
            continue
        if start is None or end is None or end <= start:
            raise services.CallRefused("phase_times", field=f"{phase.value}_end")
        windows.append(Window(phase, rome_to_utc(start), rome_to_utc(end)))
    budgets = {
        area.id: parse_eur(form[f"budget_{area.id}"].data or "0", "it")
        for area in municipi
        if form[f"area_{area.id}"].data
    }
    try:
        data = services.CallData(
            kind=CallKind(form.kind.data),
            title_it=form.title_it.data,
            title_en=form.title_en.data or "",
            description_it=form.description_it.data or "",
            description_en=form.description_en.data or "",
            theme_ids=list(form.themes.data or []),
            area_budgets=budgets,
            total_budget_cents=parse_eur(form.total_budget.data or "0", "it"),
            support_threshold=form.support_threshold.data or 0,
            windows=windows,
        )
    except (ValueError, TimelineError) as error:
        raise services.CallRefused("values_invalid", field="title_it") from error
    return data


@describe(services.CallRefused)
@describe(services.RulesFrozen)
def _call_refused(refused: services.CallRefused) -> str | None:
    messages = {
        "phase_times": _("Give both a start and an end after it."),
        "values_invalid": _("Some values are not valid."),
        "timeline_ends_before_start": _("Give both a start and an end after it."),
        "timeline_listed_twice": _("Each phase can be given once."),
        "timeline_voting_before_submission_ends": _(
            "Voting can open only once the submission of proposals has closed."
        ),
        "timeline_results_before_voting_ends": _("Results come after voting has closed."),
        "timeline_in_the_past": _("A new call cannot have a phase that starts before today."),
        "timeline_too_far": _("Give a date within %(n)d years of today.", n=YEARS_AHEAD),
        "areas_needed": _("A participatory budget needs at least one Municipio."),
        "budget_needed": _("A participatory budget needs its total budget."),
        "area_above_total": _("A Municipio's budget cannot be more than the call's total."),
        "rules_frozen": _(
            "Proposals already exist in this call, so its rules are frozen (%(rules)s). "
            "An admin can change them by giving a reason.",
            rules=", ".join(refused.params.get("touched", [])),
        ),
    }
    text = messages.get(refused.code)
    return str(text) if text is not None else None
