"""Crowdfunding pages for city staff: rules, ranking and selection, campaigns, payouts."""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta
from typing import Any

from flask import abort, flash, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...calls import queries as call_queries
from ...calls.domain import CallKind
from ...core.actions import run
from ...core.confirm import unless_confirmed
from ...core.db import get_session
from ...core.jobs import try_enqueue
from ...core.time import rome_to_utc, utcnow
from ...core.uploads import download_name, stored_path
from ...core.web import require, signed_in
from ...places.queries import list_municipi
from .. import domain, ledger, permissions, queries, services
from ..closing import record_payout
from ..forms import LEGAL_FORM_LABELS, RankForm, RejectForm, SelectForm, SettingsForm, cents
from ..models import Application, CrowdfundingSettings
from . import _application, _back_to_call, _campaign, _euros, _uploads, bp


@bp.route("/gestione/bandi/<int:call_id>/crowdfunding", methods=["GET", "POST"])
@require(permissions.can_manage_crowdfunding)
def manage_call(call_id: int) -> ResponseReturnValue:
    db, now = get_session(), utcnow()
    call = call_queries.get_call(db, call_id)
    if call is None or call.kind != CallKind.CROWDFUNDING.value:
        abort(404)
    settings = db.get(CrowdfundingSettings, call.id)
    form = SettingsForm(obj=None)
    if request.method == "GET" and settings is not None:
        form.crowd_share_pct.data = settings.crowd_share_pct
        form.city_cap.data = _euros(settings.city_cap_cents)
        form.min_cost.data = _euros(settings.min_cost_cents)
        form.max_cost.data = _euros(settings.max_cost_cents)
        form.min_days.data, form.max_days.data = settings.min_days, settings.max_days
        form.grace_days.data = settings.grace_days
        form.allow_businesses.data = settings.allow_businesses
    page = functools.partial(_manage_call_page, call, settings, form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.save_settings(
            db,
            current_user,
            call,
            _rules(form),
            now=now,
            allow_businesses=bool(form.allow_businesses.data),
        ),
        form=form,
        again=page,
        fields={
            "min_cost_zero": "min_cost",
            "costs_inverted": "max_cost",
            "days_inverted": "max_days",
            "*": "crowd_share_pct",
        },
        to=url_for("crowdfunding.manage_call", call_id=call.id),
        done=_("Rules saved."),
    )


def _rules(form: SettingsForm) -> domain.CallRules:
    return domain.CallRules(
        crowd_share_pct=form.crowd_share_pct.data or 0,
        city_cap_cents=cents(form.city_cap.data),
        min_cost_cents=cents(form.min_cost.data),
        max_cost_cents=cents(form.max_cost.data),
        min_days=form.min_days.data or 0,
        max_days=form.max_days.data or 0,
        grace_days=form.grace_days.data or 0,
    )


def _manage_call_page(call: Any, settings: Any, form: SettingsForm) -> str:
    db = get_session()
    select_form = SelectForm()
    select_form.area_id.choices = [SelectChoice(0, _("Whole city"))] + [
        SelectChoice(a.id, a.label) for a in list_municipi(db)
    ]
    return render_template(
        "crowdfunding/manage_call.html",
        call=call,
        settings=settings,
        form=form,
        applications=queries.applications(db, call.id),
        campaigns=queries.campaigns_of_call(db, call.id),
        rank_form=RankForm(),
        select_form=select_form,
        reject_form=RejectForm(),
        legal_forms=LEGAL_FORM_LABELS,
        euros=_euros,
    )


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/valuta", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def rank_application(application_id: int) -> ResponseReturnValue:
    application, _settings = _application(application_id)
    form = RankForm()
    return run(
        lambda db: services.rank_application(
            db, current_user, application, form.score.data or 0, form.note.data or "", now=utcnow()
        ),
        form=form,
        to=_back_to_call(application),
        done=_("Score saved."),
    )


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/seleziona", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def select_application(application_id: int) -> ResponseReturnValue:
    db = get_session()
    application, settings = _application(application_id)
    form = SelectForm()
    form.area_id.choices = [SelectChoice(0, "")] + [
        SelectChoice(a.id, a.label) for a in list_municipi(db)
    ]
    return run(
        lambda db: services.select_application(
            db,
            current_user,
            application,
            settings,
            approved_cost_cents=cents(form.approved_cost.data),
            starts_at=rome_to_utc(datetime.combine(form.starts_on.data, time(0, 0))),
            ends_at=rome_to_utc(datetime.combine(form.ends_on.data, time(0, 0)))
            + timedelta(days=1),
            area_id=form.area_id.data or None,
            now=utcnow(),
        ),
        form=form,
        again=_back_to_call(application),
        to=lambda campaign: url_for("crowdfunding.manage_campaign", campaign_id=campaign.id),
        done=_("Project selected: its campaign is ready to open."),
    )


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/respingi", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def reject_application(application_id: int) -> ResponseReturnValue:
    application, _settings = _application(application_id)
    form = RejectForm()
    return run(
        lambda db: services.reject_application(
            db, current_user, application, form.reason.data or "", now=utcnow()
        ),
        form=form,
        to=_back_to_call(application),
        done=_("Application not selected."),
    )


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/documento")
@require(signed_in)
def application_document(application_id: int) -> Any:
    application = get_session().get(Application, application_id)
    if application is None or not application.document_stored:
        abort(404)
    if not (
        permissions.can_manage_crowdfunding(current_user)
        or application.lead_user_id == current_user.id
    ):
        abort(404)
    try:
        path = stored_path(_uploads(), application.document_stored)
    except FileNotFoundError:
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=download_name(application.document_name, "application/pdf", "progetto"),
    )


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>")
@require(permissions.can_manage_crowdfunding)
def manage_campaign(campaign_id: int) -> str:
    db = get_session()
    campaign = _campaign(campaign_id)
    return render_template(
        "crowdfunding/manage_campaign.html",
        campaign=campaign,
        totals=ledger.totals(db, campaign.id),
        pledges=queries.campaign_pledges(db, campaign.id),
        entries=ledger.entries(db, campaign.id),
        unbalanced=ledger.unbalanced(db),
        now=utcnow(),
    )


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>/apri", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def open_campaign(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    ask = unless_confirmed(
        _("Open the campaign to backers?"),
        [
            _("The campaign becomes public and anyone can pledge until its deadline."),
            _("Its goal, dates and rewards can no longer be changed."),
        ],
        _("Open to backers"),
        back=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
    )
    if ask is not None:
        return ask
    return run(
        lambda db: services.open_campaign(db, current_user, campaign, now=utcnow()),
        to=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
        done=_("The campaign is open to backers."),
    )


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>/chiudi", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def run_closing(campaign_id: int) -> ResponseReturnValue:
    """Run the closing job now (it also runs by itself every few minutes)."""
    campaign = _campaign(campaign_id)
    ask = unless_confirmed(
        _("Close the campaign now?"),
        [
            _(
                "If the goal was reached, every active pledge is charged and the city's match "
                "recorded."
            ),
            _("If it was not, no one is charged and the backers are told."),
        ],
        _("Run the closing now"),
        back=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
    )
    if ask is not None:
        return ask
    # Nothing changes here; the request's transaction ends before the job, which takes its own.
    return run(
        lambda _db: campaign.id,
        to=_start_closing,
        again=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
    )


def _start_closing(campaign_id: int) -> str:
    from ..tasks import close_campaign_job

    if try_enqueue(close_campaign_job, campaign_id):
        flash(_("The closing job has run; see the states below."), "success")
    else:
        flash(_("The job queue cannot be reached; try again in a minute."), "warning")
    return url_for("crowdfunding.manage_campaign", campaign_id=campaign_id)


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>/erogazione", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def record_campaign_payout(campaign_id: int) -> ResponseReturnValue:
    campaign = _campaign(campaign_id)
    ask = unless_confirmed(
        _("Record the payout?"),
        [
            _(
                "The ledger records that the money raised and the city's match were paid to the "
                "lead partner."
            ),
            _("A payout is recorded once and cannot be taken back."),
        ],
        _("Record the payout to the lead partner"),
        back=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
    )
    if ask is not None:
        return ask
    return run(
        lambda db: record_payout(db, current_user, campaign, now=utcnow()),
        to=url_for("crowdfunding.manage_campaign", campaign_id=campaign_id),
        done=lambda reference: _("Payout recorded: %(ref)s", ref=reference),
    )
