"""Crowdfunding pages: campaigns and pledges for backers, applications for organisations,
selection and closing for staff, and Stripe's webhook."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..accounts.services import PermissionDenied
from ..calls import queries as call_queries
from ..calls.domain import CallKind, PhaseKind, is_phase_open
from ..core.db import get_session
from ..core.jobs import try_enqueue
from ..core.security import allow_sources
from ..core.time import rome_to_utc, utcnow
from ..core.uploads import UploadRefused, store_pdf, stored_path
from ..core.web import require, signed_in
from ..extensions import csrf
from ..places.queries import list_municipi
from . import domain, gateway, ledger, permissions, queries, services, webhooks
from .closing import record_charge, record_payout, retry_with_new_card
from .forms import (
    LEGAL_FORM_LABELS,
    ApplicationForm,
    PledgeForm,
    RankForm,
    RejectForm,
    SelectForm,
    SettingsForm,
    TierForm,
    UpdateForm,
    cents,
    parse_lines,
)
from .models import Application, Campaign, CrowdfundingSettings, Pledge
from .states import CampaignState, IllegalMove, PledgeState

bp = Blueprint("crowdfunding", __name__)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    def pledge_state_label(state: str) -> str:
        return str(
            {
                "pending": _("Card not confirmed yet"),
                "active": _("Card saved, nothing charged"),
                "cancelled": _("Cancelled"),
                "charged": _("Charged"),
                "action_needed": _("Payment to complete"),
                "lapsed": _("Lapsed, not charged"),
                "released": _("Not charged: goal not reached"),
                "refunded": _("Refunded"),
            }.get(state, state)
        )

    def campaign_state_label(state: str) -> str:
        return str(
            {
                "draft": _("Not open yet"),
                "live": _("Open"),
                "charging": _("Goal reached: charging pledges"),
                "grace": _("Goal reached: completing payments"),
                "succeeded": _("Funded"),
                "failed": _("Goal not reached: no one was charged"),
            }.get(state, state)
        )

    return {"pledge_state_label": pledge_state_label, "campaign_state_label": campaign_state_label}


def refusal_message(code: str) -> str:
    messages = {
        "not_crowdfunding": _("This call is not a crowdfunding call."),
        "rules_frozen": _("The rules are frozen: applications have already been submitted."),
        "rules_invalid": _("Check the rules: costs, days and shares must be consistent."),
        "legal_form": _("Choose a legal form from the list."),
        "businesses_not_allowed": _("This call is open to non-profits only."),
        "milan_office_needed": _("Give the address of the office in Milan."),
        "budget_lines": _("Give at least one budget line with a positive amount."),
        "cost_too_low": _("The project costs less than the call's minimum."),
        "cost_too_high": _("The project costs more than the call's maximum."),
        "cost_beyond_match": _("The crowd's share and the city's cap would not cover this cost."),
        "length_outside_range": _("The campaign's length is outside the call's range."),
        "score_range": _("The score goes from 0 to 100."),
        "already_decided": _("This application has already been decided."),
        "reason_needed": _("Give a reason."),
        "campaign_closed": _("The campaign is closed."),
        "tier_invalid": _("A reward needs a title and a minimum of at least € 5,00."),
        "update_empty": _("Write a title and some text."),
        "not_taking_pledges": _("This campaign is not taking pledges now."),
        "unknown_tier": _("Choose a reward from the list."),
        "pledge_too_small": _("The smallest pledge is € 5,00."),
        "pledge_too_large": _("The largest pledge is € 10.000,00."),
        "below_reward_minimum": _("This reward needs a larger pledge."),
        "tier_sold_out": _("This reward has run out: choose another or none."),
        "deadline_passed": _("The deadline has passed."),
        "not_cancellable": _("This pledge can no longer be cancelled."),
        "not_succeeded": _("The campaign has not succeeded."),
        "already_paid_out": _("The payout has already been recorded."),
        "payments_down": _(
            "The payment service cannot be reached right now. Nothing has been saved or "
            "charged: please try again in a few minutes."
        ),
    }
    return str(messages.get(code, _("This is not possible.")))


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "crowdfunding"


def _campaign_or_404(slug: str) -> Campaign:
    campaign = queries.campaign_by_slug(get_session(), slug)
    if campaign is None:
        abort(404)
    if campaign.state == CampaignState.DRAFT.value and not (
        permissions.can_post_on_campaign(current_user, campaign)
    ):
        abort(404)
    return campaign


def _own_pledge(reference: str) -> Pledge:
    pledge = queries.pledge_by_reference(get_session(), reference[:60])
    if pledge is None or not permissions.owns_pledge(current_user, pledge):
        abort(404)
    return pledge


def _stripe_page() -> dict[str, str]:
    """Stripe.js may load and talk to Stripe on this page only."""
    js = gateway.js_url()
    origin = "/".join(js.split("/")[:3])
    allow_sources("script-src", origin)
    allow_sources("connect-src", origin)
    allow_sources("frame-src", origin)
    return {"stripe_js": js, "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"]}


# Public ---------------------------------------------------------------------------------------


@bp.route("/crowdfunding")
def list_campaigns() -> str:
    now = utcnow()
    return render_template(
        "crowdfunding/list_campaigns.html",
        rows=queries.public_campaigns(get_session()),
        now=now,
        days_left=domain.days_left,
        percent_of=domain.percent_of,
    )


@bp.route("/crowdfunding/<slug>")
def show_campaign(slug: str) -> str:
    db, now = get_session(), utcnow()
    campaign = _campaign_or_404(slug)
    totals = ledger.totals(db, campaign.id)
    raised = totals.raised
    match = totals.city_match or (campaign.city_match_cents if raised >= campaign.goal_cents else 0)
    can_post = permissions.can_post_on_campaign(current_user, campaign)
    return render_template(
        "crowdfunding/show_campaign.html",
        campaign=campaign,
        totals=totals,
        raised=raised,
        crowd_percent=domain.percent_of(raised, campaign.approved_cost_cents),
        match_percent=domain.percent_of(match, campaign.approved_cost_cents),
        goal_percent=domain.percent_of(raised, campaign.goal_cents),
        backers=queries.public_backers(db, campaign.id),
        backers_count=services.backers_count(db, campaign.id),
        days_left=domain.days_left(campaign.ends_at, now),
        tiers=queries.tiers(db, campaign.id),
        updates=queries.updates(db, campaign.id),
        mine=queries.my_pledges(db, campaign.id, current_user),
        taking=services.taking_pledges(campaign, now),
        can_post=can_post,
        tier_form=TierForm(),
        update_form=UpdateForm(),
        share_url=url_for("crowdfunding.show_campaign", slug=slug, _external=True),
    )


@bp.route("/crowdfunding/<slug>/sostieni", methods=["GET", "POST"])
@require(signed_in)
def new_pledge(slug: str) -> str | BaseResponse:
    db, now = get_session(), utcnow()
    campaign = _campaign_or_404(slug)
    if not services.taking_pledges(campaign, now):
        flash(refusal_message("not_taking_pledges"), "warning")
        return redirect(url_for("crowdfunding.show_campaign", slug=slug))
    tiers = queries.tiers(db, campaign.id)
    form = PledgeForm()
    form.tier.choices = [SelectChoice(0, _("No reward, thank you"))] + [
        SelectChoice(t.id, t.title, render_kw={"disabled": True} if _sold_out(t) else None)
        for t in tiers
    ]
    if request.method == "GET" and request.args.get("premio", "").isdigit():
        form.tier.data = int(request.args["premio"])
    if form.validate_on_submit():
        try:
            pledge, _secret = services.start_pledge(
                db,
                current_user,
                campaign,
                amount_cents=cents(form.amount.data),
                tier_id=form.tier.data or None,
                anonymous=bool(form.anonymous.data),
                now=now,
            )
        except services.Refused as refused:
            db.rollback()
            target = (
                form.tier if "tier" in refused.code or "reward" in refused.code else form.amount
            )
            target.errors = [*target.errors, refusal_message(refused.code)]
        except gateway.PaymentsDown:
            db.rollback()
            form.amount.errors = [*form.amount.errors, refusal_message("payments_down")]
        else:
            db.commit()
            return redirect(url_for("crowdfunding.show_pledge", reference=pledge.reference))
    return render_template(
        "crowdfunding/new_pledge.html", campaign=campaign, form=form, tiers=tiers
    )


def _sold_out(tier: Any) -> bool:
    return tier.quantity is not None and tier.claimed >= tier.quantity


@bp.route("/crowdfunding/impegni/<reference>")
@require(signed_in)
def show_pledge(reference: str) -> str:
    db = get_session()
    pledge = _own_pledge(reference)
    campaign = db.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    context: dict[str, Any] = {}
    if pledge.state == PledgeState.PENDING.value and pledge.stripe_setup_intent_id:
        try:
            context["client_secret"] = gateway.setup_intent(
                pledge.stripe_setup_intent_id
            ).client_secret
        except gateway.PaymentsDown:
            flash(refusal_message("payments_down"), "warning")
        context.update(_stripe_page())
    return render_template(
        "crowdfunding/show_pledge.html",
        pledge=pledge,
        campaign=campaign,
        cancellable=campaign.state == CampaignState.LIVE.value
        and utcnow() < campaign.ends_at
        and pledge.state in (PledgeState.PENDING.value, PledgeState.ACTIVE.value),
        **context,
    )


@bp.route("/crowdfunding/impegni/<reference>/conferma", methods=["POST"])
@require(signed_in)
def confirm_pledge(reference: str) -> BaseResponse:
    """The browser says the card is saved; we ask Stripe before believing it."""
    db = get_session()
    pledge = _own_pledge(reference)
    try:
        services.confirm_pledge(db, pledge, now=utcnow())
    except gateway.PaymentsDown:
        db.rollback()
        flash(refusal_message("payments_down"), "warning")
    else:
        db.commit()
        if pledge.state == PledgeState.ACTIVE.value:
            flash(_("Thank you! Your pledge is registered; nothing has been charged."), "success")
        else:
            flash(_("Your card is not confirmed yet."), "warning")
    return redirect(url_for("crowdfunding.show_pledge", reference=reference))


@bp.route("/crowdfunding/impegni/<reference>/annulla", methods=["POST"])
@require(signed_in)
def cancel_pledge(reference: str) -> BaseResponse:
    db = get_session()
    pledge = _own_pledge(reference)
    try:
        services.cancel_pledge(db, current_user, pledge, now=utcnow())
    except services.Refused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Your pledge is cancelled. Nothing has been charged."), "success")
    return redirect(url_for("crowdfunding.show_pledge", reference=reference))


@bp.route("/crowdfunding/impegni/<reference>/paga", methods=["GET", "POST"])
@require(signed_in)
def pay_pledge(reference: str) -> str | BaseResponse:
    """After a charge that failed: the backer confirms with the bank (3-D Secure) or saves
    another card, which is then charged. Every outcome is read back from Stripe."""
    db, now = get_session(), utcnow()
    pledge = _own_pledge(reference)
    campaign = db.get(Campaign, pledge.campaign_id)
    assert campaign is not None
    here = url_for("crowdfunding.pay_pledge", reference=reference)
    open_to_pay = pledge.state == PledgeState.ACTION_NEEDED.value and (
        pledge.action_deadline is None or now < pledge.action_deadline
    )
    if request.method == "POST":
        new_card = request.form.get("setup_intent", "")[:80]
        try:
            if new_card and open_to_pay:
                outcome = retry_with_new_card(db, pledge, new_card, now=now)
            elif pledge.stripe_payment_intent_id:
                charged = record_charge(db, pledge, pledge.stripe_payment_intent_id, now=now)
                outcome = "charged" if charged else "declined"
            else:
                outcome = "declined"
        except gateway.PaymentsDown:
            db.rollback()
            flash(refusal_message("payments_down"), "warning")
            return redirect(here)
        db.commit()
        if pledge.state == PledgeState.CHARGED.value:
            flash(_("Payment received. Thank you!"), "success")
            return redirect(url_for("crowdfunding.show_pledge", reference=reference))
        if outcome == "action_needed":
            flash(_("Your bank asks you to confirm the payment."), "info")
        else:
            flash(_("The payment did not go through. Try again or use another card."), "warning")
        return redirect(here)
    if not open_to_pay:
        return redirect(url_for("crowdfunding.show_pledge", reference=reference))
    try:
        intent = (
            gateway.payment_intent(pledge.stripe_payment_intent_id)
            if pledge.stripe_payment_intent_id
            else None
        )
        if intent is not None and intent.status == "requires_action":
            mode, secret, setup_id = "payment", intent.client_secret, ""
        else:
            setup = gateway.new_card_setup(
                customer_id=str(pledge.stripe_customer_id),
                reference=pledge.reference,
                attempt=pledge.charge_attempts + 1,
            )
            mode, secret, setup_id = "setup", setup.client_secret, setup.id
    except gateway.PaymentsDown:
        flash(refusal_message("payments_down"), "warning")
        return redirect(url_for("crowdfunding.show_pledge", reference=reference))
    return render_template(
        "crowdfunding/pay_pledge.html",
        pledge=pledge,
        campaign=campaign,
        client_secret=secret,
        mode=mode,
        setup_intent=setup_id,
        **_stripe_page(),
    )


@bp.route("/crowdfunding/stripe/webhook", methods=["POST"])
def stripe_webhook() -> Any:
    """Signed by Stripe, handled once per event id, objects re-read from the API."""
    try:
        event = gateway.verify_webhook(
            request.get_data(), request.headers.get("Stripe-Signature", "")
        )
    except ValueError:
        return jsonify(error="invalid signature"), 400
    db = get_session()
    try:
        outcome = webhooks.handle(db, event, now=utcnow())
    except gateway.PaymentsDown:
        db.rollback()
        return jsonify(error="stripe unreachable, retry"), 503  # Stripe retries later
    db.commit()
    return jsonify(received=True, outcome=outcome)


# The project's lead partner -------------------------------------------------------------------


def _lead_action(slug: str, form: Any, action: Any, done: str, anchor: str) -> BaseResponse:
    """A lead partner's (or staff's) change to a campaign page, in one transaction."""
    db = get_session()
    campaign = _campaign_or_404(slug)
    if not permissions.can_post_on_campaign(current_user, campaign):
        abort(403)
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")
    else:
        try:
            action(db, campaign)
        except services.Refused as refused:
            db.rollback()
            flash(refusal_message(refused.code), "warning")
        else:
            db.commit()
            flash(done, "success")
    return redirect(url_for("crowdfunding.show_campaign", slug=slug, _anchor=anchor))


@bp.route("/crowdfunding/<slug>/premi", methods=["POST"])
@require(signed_in)
def add_tier(slug: str) -> BaseResponse:
    form = TierForm()
    return _lead_action(
        slug,
        form,
        lambda db, campaign: services.add_reward_tier(
            db,
            current_user,
            campaign,
            title=form.title.data or "",
            description=form.description.data or "",
            min_amount_cents=cents(form.min_amount.data),
            quantity=form.quantity.data,
            now=utcnow(),
        ),
        _("Reward added."),
        "rewards",
    )


@bp.route("/crowdfunding/<slug>/aggiornamenti", methods=["POST"])
@require(signed_in)
def post_update(slug: str) -> BaseResponse:
    form = UpdateForm()
    return _lead_action(
        slug,
        form,
        lambda db, campaign: services.post_update(
            db, current_user, campaign, form.title.data or "", form.body.data or "", now=utcnow()
        ),
        _("News published."),
        "news",
    )


# Applying -------------------------------------------------------------------------------------


@bp.route("/bandi/<slug>/candidatura", methods=["GET", "POST"])
@require(signed_in)
def apply(slug: str) -> str | BaseResponse:
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
    if form.validate_on_submit():
        document = None
        upload = form.document.data
        try:
            if upload and getattr(upload, "filename", ""):
                stored = store_pdf(upload.stream, _uploads())
                document = (upload.filename[:200], stored.stored_name)
            data = services.ApplicationData(
                organisation=form.organisation.data or "",
                legal_form=form.legal_form.data or "",
                tax_code=form.tax_code.data or "",
                milan_office=form.milan_office.data or "",
                title=form.title.data or "",
                summary=form.summary.data or "",
                description=form.description.data or "",
                budget_lines=[(w, cents(a)) for w, a in parse_lines(form.budget.data, True)],
                partners=parse_lines(form.partners.data, False),
            )
            services.submit_application(
                db, current_user, call, settings, data, now=now, document=document
            )
        except UploadRefused:
            form.document.errors = [*form.document.errors, _("The file must be a PDF.")]
        except services.Refused as refused:
            db.rollback()
            field = form.budget if refused.code.startswith(("cost", "budget")) else form.legal_form
            if refused.code == "milan_office_needed":
                field = form.milan_office
            field.errors = [*field.errors, refusal_message(refused.code)]
        else:
            db.commit()
            flash(
                _("Your application has been submitted. The city's committee will rank it."),
                "success",
            )
            return redirect(url_for("calls.show_call", slug=slug))
    return render_template("crowdfunding/apply.html", call=call, form=form, settings=settings)


# Staff ----------------------------------------------------------------------------------------


@bp.route("/gestione/bandi/<int:call_id>/crowdfunding", methods=["GET", "POST"])
@require(permissions.can_manage_crowdfunding)
def manage_call(call_id: int) -> str | BaseResponse:
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
    if form.validate_on_submit():
        rules = domain.CallRules(
            crowd_share_pct=form.crowd_share_pct.data or 0,
            city_cap_cents=cents(form.city_cap.data),
            min_cost_cents=cents(form.min_cost.data),
            max_cost_cents=cents(form.max_cost.data),
            min_days=form.min_days.data or 0,
            max_days=form.max_days.data or 0,
            grace_days=form.grace_days.data or 0,
        )
        try:
            services.save_settings(
                db,
                current_user,
                call,
                rules,
                now=now,
                allow_businesses=bool(form.allow_businesses.data),
            )
        except services.Refused as refused:
            db.rollback()
            form.crowd_share_pct.errors = [refusal_message(refused.code)]
        else:
            db.commit()
            flash(_("Rules saved."), "success")
            return redirect(url_for("crowdfunding.manage_call", call_id=call.id))
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


def _euros(amount: int) -> str:
    return f"{amount // 100}" + (f",{amount % 100:02d}" if amount % 100 else "")


def _application(application_id: int) -> tuple[Application, CrowdfundingSettings]:
    db = get_session()
    application = db.get(Application, application_id)
    if application is None:
        abort(404)
    settings = db.get(CrowdfundingSettings, application.call_id)
    if settings is None:
        abort(404)
    return application, settings


def _back_to_call(application: Application) -> BaseResponse:
    return redirect(url_for("crowdfunding.manage_call", call_id=application.call_id))


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/valuta", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def rank_application(application_id: int) -> BaseResponse:
    db = get_session()
    application, _settings = _application(application_id)
    form = RankForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")
        return _back_to_call(application)
    services.rank_application(
        db, current_user, application, form.score.data or 0, form.note.data or "", now=utcnow()
    )
    db.commit()
    flash(_("Score saved."), "success")
    return _back_to_call(application)


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/seleziona", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def select_application(application_id: int) -> BaseResponse:
    db = get_session()
    application, settings = _application(application_id)
    form = SelectForm()
    form.area_id.choices = [SelectChoice(0, "")] + [
        SelectChoice(a.id, a.label) for a in list_municipi(db)
    ]
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")
        return _back_to_call(application)
    starts = rome_to_utc(datetime.combine(form.starts_on.data, time(0, 0)))
    ends = rome_to_utc(datetime.combine(form.ends_on.data, time(0, 0))) + timedelta(days=1)
    try:
        campaign = services.select_application(
            db,
            current_user,
            application,
            settings,
            approved_cost_cents=cents(form.approved_cost.data),
            starts_at=starts,
            ends_at=ends,
            area_id=form.area_id.data or None,
            now=utcnow(),
        )
    except services.Refused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
        return _back_to_call(application)
    db.commit()
    flash(_("Project selected: its campaign is ready to open."), "success")
    return redirect(url_for("crowdfunding.manage_campaign", campaign_id=campaign.id))


@bp.route("/gestione/crowdfunding/candidature/<int:application_id>/respingi", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def reject_application(application_id: int) -> BaseResponse:
    db = get_session()
    application, _settings = _application(application_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")
        return _back_to_call(application)
    try:
        services.reject_application(
            db, current_user, application, form.reason.data or "", now=utcnow()
        )
    except services.Refused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Application not selected."), "success")
    return _back_to_call(application)


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
        path, mimetype="application/pdf", download_name=application.document_name or "progetto.pdf"
    )


def _campaign(campaign_id: int) -> Campaign:
    campaign = get_session().get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


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
def open_campaign(campaign_id: int) -> BaseResponse:
    db = get_session()
    campaign = _campaign(campaign_id)
    try:
        services.open_campaign(db, current_user, campaign, now=utcnow())
    except IllegalMove:  # not a draft any more
        db.rollback()
        flash(_("The campaign is already open or closed."), "warning")
    else:
        db.commit()
        flash(_("The campaign is open to backers."), "success")
    return redirect(url_for("crowdfunding.manage_campaign", campaign_id=campaign_id))


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>/chiudi", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def run_closing(campaign_id: int) -> BaseResponse:
    """Run the closing job now (it also runs by itself every few minutes)."""
    from .tasks import close_campaign_job

    campaign = _campaign(campaign_id)
    get_session().commit()
    if try_enqueue(close_campaign_job, campaign.id):
        flash(_("The closing job has run; see the states below."), "success")
    else:
        flash(_("The job queue cannot be reached; try again in a minute."), "warning")
    return redirect(url_for("crowdfunding.manage_campaign", campaign_id=campaign_id))


@bp.route("/gestione/crowdfunding/campagne/<int:campaign_id>/erogazione", methods=["POST"])
@require(permissions.can_manage_crowdfunding)
def record_campaign_payout(campaign_id: int) -> BaseResponse:
    db = get_session()
    campaign = _campaign(campaign_id)
    try:
        reference = record_payout(db, current_user, campaign, now=utcnow())
    except services.Refused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    except PermissionDenied:
        abort(403)
    else:
        db.commit()
        flash(_("Payout recorded: %(ref)s", ref=reference), "success")
    return redirect(url_for("crowdfunding.manage_campaign", campaign_id=campaign_id))


csrf.exempt(stripe_webhook)  # Stripe signs its requests instead; the only exempt view
