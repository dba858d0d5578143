"""Crowdfunding pages for applicants and lead partners: applying, rewards and news."""

from __future__ import annotations

import functools

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...calls import queries as call_queries
from ...calls.domain import CallKind, PhaseKind, is_phase_open
from ...core.actions import run
from ...core.db import get_session
from ...core.rows import edit_rows, filled
from ...core.time import utcnow
from ...core.uploads import store_pdf
from ...core.web import require, signed_in
from .. import permissions, services
from ..forms import ApplicationForm, TierForm, UpdateForm, budget_lines, cents
from ..models import Campaign, CrowdfundingSettings
from . import _application, _campaign_or_404, _uploads, bp


def _lead_campaign(slug: str) -> Campaign:
    """The campaign, for its lead partner (or staff) to post on; 403 for anyone else."""
    campaign = _campaign_or_404(slug)
    if not permissions.can_post_on_campaign(current_user, campaign):
        abort(403)
    return campaign


@bp.route("/crowdfunding/<slug>/premi", methods=["POST"])
@require(signed_in)
def add_tier(slug: str) -> ResponseReturnValue:
    form = TierForm()
    campaign = _lead_campaign(slug)
    return run(
        lambda db: services.add_reward_tier(
            db,
            current_user,
            campaign,
            title=form.title.data or "",
            description=form.description.data or "",
            min_amount_cents=cents(form.min_amount.data),
            quantity=form.quantity.data,
            now=utcnow(),
        ),
        form=form,
        to=url_for("crowdfunding.show_campaign", slug=slug, _anchor="rewards"),
        done=_("Reward added."),
    )


@bp.route("/crowdfunding/<slug>/aggiornamenti", methods=["POST"])
@require(signed_in)
def post_update(slug: str) -> ResponseReturnValue:
    form = UpdateForm()
    campaign = _lead_campaign(slug)
    return run(
        lambda db: services.post_update(
            db, current_user, campaign, form.title.data or "", form.body.data or "", now=utcnow()
        ),
        form=form,
        to=url_for("crowdfunding.show_campaign", slug=slug, _anchor="news"),
        done=_("News published."),
    )


@bp.route("/bandi/<slug>/candidatura", methods=["GET", "POST"])
@require(signed_in)
def apply(slug: str) -> ResponseReturnValue:
    db, now = get_session(), utcnow()
    call = call_queries.get_call_by_slug(db, slug)
    if call is None or call.published_at is None or call.kind != CallKind.CROWDFUNDING.value:
        abort(404)
    settings = db.get(CrowdfundingSettings, call.id)
    windows = call_queries.windows_of(call)
    if settings is None or not is_phase_open(windows, PhaseKind.SUBMISSION, now):
        flash(_("Applications are not open for this call."), "warning")
        return redirect(url_for("calls.show_call", slug=slug))
    form = ApplicationForm()
    page = functools.partial(
        render_template, "crowdfunding/apply.html", call=call, form=form, settings=settings
    )
    if request.method == "GET" or edit_rows(form):
        return page()
    return run(
        lambda db: services.submit_application(
            db,
            current_user,
            call,
            settings,
            _application_data(form),
            now=now,
            document=_stored_document(form),
        ),
        form=form,
        again=page,
        fields=_APPLICATION_FIELDS,
        to=lambda application: url_for(
            "crowdfunding.show_application", application_id=application.id
        ),
        done=_("Your application has been submitted. The city's committee will rank it."),
    )


@bp.route("/crowdfunding/candidature/<int:application_id>")
@require(signed_in)
def show_application(application_id: int) -> ResponseReturnValue:
    """The application as sent, to read again, and the committee's decision once taken."""
    application, _settings = _application(application_id)
    if not permissions.can_read_application(current_user, application):
        abort(404)  # whether it exists is no one else's business
    db = get_session()
    call = call_queries.get_call(db, application.call_id)
    campaign = db.scalar(select(Campaign).where(Campaign.application_id == application.id))
    return render_template(
        "crowdfunding/application.html", application=application, call=call, campaign=campaign
    )


# Which field of the application form each refusal belongs beside.
_APPLICATION_FIELDS = {
    "not_pdf": "document",
    "pdf_encrypted": "document",
    "pdf_active_content": "document",
    "too_large": "document",
    "empty": "document",
    "milan_office_needed": "milan_office",
    "budget_lines": "budget",
    "cost_too_low": "budget",
    "cost_too_high": "budget",
    "cost_beyond_match": "budget",
    "*": "legal_form",
}


def _application_data(form: ApplicationForm) -> services.ApplicationData:
    return services.ApplicationData(
        organisation=form.organisation.data or "",
        legal_form=form.legal_form.data or "",
        tax_code=form.tax_code.data or "",
        milan_office=form.milan_office.data or "",
        title=form.title.data or "",
        summary=form.summary.data or "",
        description=form.description.data or "",
        budget_lines=budget_lines(form.budget),
        partners=[(row["name"], row["role"] or "") for row in filled(form.partners)],
    )


def _stored_document(form: ApplicationForm) -> tuple[str, str] | None:
    """The project's PDF, kept under a random name; (its name as sent, the stored name)."""
    upload = form.document.data
    if not (upload and getattr(upload, "filename", "")):
        return None
    stored = store_pdf(upload.stream, _uploads())
    return upload.filename[:200], stored.stored_name
