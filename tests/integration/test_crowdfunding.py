"""Crowdfunding against real Stripe code talking to a real localstripe server."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
import stripe
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.refusals import PermissionDenied
from civic.core.time import utcnow
from civic.crowdfunding import gateway, ledger, services, webhooks
from civic.crowdfunding.closing import close_campaign, record_payout, retry_with_new_card
from civic.crowdfunding.models import Campaign, LedgerEntry, Pledge, StripeEvent
from civic.crowdfunding.states import IllegalMove
from tests.factories.accounts import make_user
from tests.factories.crowdfunding import DAY, make_campaign, pledge
from tests.stripe_support import (
    CARD_3DS,
    CARD_DECLINED_LATER,
    client,
    confirm_card_setup,
    event,
    flush,
    signed,
)
from tests.support import Mailbox


@pytest.fixture
def app_overrides(localstripe: str) -> dict[str, Any]:
    flush(localstripe)
    return {"STRIPE_API_BASE": localstripe}


@pytest.fixture
def stripe_url(localstripe: str, app_ctx: Flask) -> str:
    return localstripe


def _after_deadline(campaign: Campaign) -> Any:
    return campaign.ends_at + timedelta(minutes=1)


def _intents(url: str, pledge_: Pledge) -> list[Any]:
    """Every PaymentIntent Stripe holds for the pledge's Customer, read from the server."""
    every = client(url).v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    return [i for i in every if i.customer == pledge_.stripe_customer_id]


def test_a_pledge_saves_the_card_and_charges_nothing(
    stripe_url: str, db: Session, mailbox: Mailbox
) -> None:
    campaign = make_campaign(db)
    backer = make_user(db, email="backer@example.org")
    made = pledge(db, stripe_url, campaign, 50_00, backer=backer)
    assert made.state == "active"
    assert made.stripe_payment_method_id
    assert _intents(stripe_url, made) == []  # nothing charged
    totals = ledger.totals(db, campaign.id)
    assert (totals.pledged, totals.charged, totals.raised) == (50_00, 0, 50_00)
    assert "Nulla è stato addebitato" in Mailbox.body(mailbox.last_to("backer@example.org"))
    assert ledger.unbalanced(db) == []


def test_a_successful_campaign_charges_each_pledge_once_and_records_the_match(
    stripe_url: str, db: Session, mailbox: Mailbox
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)  # goal 10,000 euro, match 10,000 euro
    pledges = [pledge(db, stripe_url, campaign, 5_000_00) for _ in range(2)]
    state = close_campaign(db, campaign.id, now=_after_deadline(campaign))
    assert state == "succeeded"
    for made in pledges:
        db.refresh(made)
        assert made.state == "charged"
        assert [i.status for i in _intents(stripe_url, made)] == ["succeeded"]
    totals = ledger.totals(db, campaign.id)
    assert (totals.pledged, totals.charged, totals.city_match) == (0, 10_000_00, 10_000_00)
    assert ledger.unbalanced(db) == []
    # Run again: nothing more happens.
    assert close_campaign(db, campaign.id, now=_after_deadline(campaign) + DAY) == "succeeded"
    assert all(len(_intents(stripe_url, made)) == 1 for made in pledges)
    assert ledger.totals(db, campaign.id) == totals
    staff = make_user(db, roles=(Role.STAFF,))
    reference = record_payout(db, staff, campaign, now=utcnow())
    assert reference.startswith("bank-transfer:")
    assert ledger.totals(db, campaign.id).paid_out == 20_000_00
    with pytest.raises(services.Refused, match="already_paid_out"):
        record_payout(db, staff, campaign, now=utcnow())
    assert ledger.unbalanced(db) == []


def test_a_failed_campaign_charges_no_one_and_tells_the_backers(
    stripe_url: str, db: Session, mailbox: Mailbox
) -> None:
    campaign = make_campaign(db)
    made = pledge(db, stripe_url, campaign, 100_00, backer=make_user(db, email="b@example.org"))
    assert close_campaign(db, campaign.id, now=_after_deadline(campaign)) == "failed"
    db.refresh(made)
    assert made.state == "released"
    assert _intents(stripe_url, made) == []
    assert ledger.totals(db, campaign.id).raised == 0
    assert "non ha raggiunto" in mailbox.last_to("b@example.org")["Subject"]


def test_the_deadline_is_kept_on_the_server(stripe_url: str, db: Session) -> None:
    campaign = make_campaign(db)
    assert close_campaign(db, campaign.id, now=campaign.ends_at - timedelta(seconds=1)) == "live"
    with pytest.raises(services.Refused, match="not_taking_pledges"):
        services.start_pledge(
            db,
            make_user(db),
            campaign,
            amount_cents=10_00,
            tier_id=None,
            anonymous=False,
            now=campaign.ends_at,
        )


def test_a_charge_needing_the_backer_moves_to_action_needed_then_the_backer_pays(
    stripe_url: str, db: Session, mailbox: Mailbox
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)
    good = pledge(db, stripe_url, campaign, 9_000_00)
    needs_3ds = pledge(
        db,
        stripe_url,
        campaign,
        1_000_00,
        card=CARD_3DS,
        backer=make_user(db, email="threeds@example.org"),
    )
    declined = pledge(
        db,
        stripe_url,
        campaign,
        500_00,
        card=CARD_DECLINED_LATER,
        backer=make_user(db, email="declined@example.org"),
    )
    deadline = _after_deadline(campaign)
    assert close_campaign(db, campaign.id, now=deadline) == "grace"
    for made, expected in (
        (good, "charged"),
        (needs_3ds, "action_needed"),
        (declined, "action_needed"),
    ):
        db.refresh(made)
        assert made.state == expected
    link = Mailbox.link(mailbox.last_to("declined@example.org"), "/paga")
    assert needs_3ds.reference in Mailbox.body(mailbox.last_to("threeds@example.org"))
    assert declined.reference in link
    # The declined backer saves another card (Stripe.js confirms a SetupIntent); it is charged.
    setup = gateway.new_card_setup(
        customer_id=str(declined.stripe_customer_id),
        reference=declined.reference,
        attempt=declined.charge_attempts + 1,
    )
    confirm_card_setup(stripe_url, setup.id)
    assert retry_with_new_card(db, declined, setup.id, now=deadline + DAY) == "charged"
    db.commit()
    db.refresh(declined)
    assert declined.state == "charged"
    assert "Ricevuta" in mailbox.last_to("declined@example.org")["Subject"]
    # The grace period ends: the 3-D Secure pledge was never completed and lapses.
    assert close_campaign(db, campaign.id, now=deadline + 6 * DAY) == "grace"
    assert close_campaign(db, campaign.id, now=deadline + 8 * DAY) == "succeeded"
    db.refresh(needs_3ds)
    assert needs_3ds.state == "lapsed"
    totals = ledger.totals(db, campaign.id)
    assert totals.charged == 9_500_00
    assert totals.pledged == 0
    assert ledger.unbalanced(db) == []
    failed = db.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "charge_failed")
    )
    assert failed == 2


def test_the_closing_job_killed_half_way_charges_each_pledge_at_most_once(
    stripe_url: str, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)
    pledges = [pledge(db, stripe_url, campaign, 2_500_00) for _ in range(4)]
    real = gateway.charge_off_session
    calls = {"n": 0}

    def dies_after_the_second_charge(**kwargs: Any) -> gateway.Charge:
        result = real(**kwargs)  # Stripe has charged the card...
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # ...but the worker dies before writing it down
        return result

    monkeypatch.setattr(gateway, "charge_off_session", dies_after_the_second_charge)
    with pytest.raises(SystemExit):
        close_campaign(db, campaign.id, now=_after_deadline(campaign))
    db.rollback()
    monkeypatch.setattr(gateway, "charge_off_session", real)
    assert close_campaign(db, campaign.id, now=_after_deadline(campaign)) == "succeeded"
    for made in pledges:
        db.refresh(made)
        assert made.state == "charged"
        assert len(_intents(stripe_url, made)) == 1  # the second pledge was not charged twice
    assert ledger.totals(db, campaign.id).charged == 10_000_00
    assert ledger.unbalanced(db) == []


def test_cancelling_before_the_deadline(stripe_url: str, db: Session) -> None:
    campaign = make_campaign(db)
    backer = make_user(db)
    made = pledge(db, stripe_url, campaign, 80_00, backer=backer)
    with pytest.raises(PermissionDenied):  # the pledge is someone else's
        services.cancel_pledge(db, make_user(db), made, now=utcnow())
    db.rollback()
    services.cancel_pledge(db, backer, made, now=utcnow())
    db.commit()
    assert made.state == "cancelled"
    assert ledger.totals(db, campaign.id).raised == 0
    with pytest.raises(services.Refused, match="not_cancellable"):
        services.cancel_pledge(db, backer, made, now=utcnow())


def test_stripe_unreachable_leaves_no_half_made_pledge(
    db: Session, app_ctx: Flask, stripe_url: str
) -> None:
    campaign = make_campaign(db)
    app_ctx.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(gateway.PaymentsDown):
        services.start_pledge(
            db,
            make_user(db),
            campaign,
            amount_cents=10_00,
            tier_id=None,
            anonymous=False,
            now=utcnow(),
        )
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Pledge)) == 0


def test_reward_tiers_are_reserved_and_released(stripe_url: str, db: Session) -> None:
    campaign = make_campaign(db)
    lead = db.get(type(make_user(db)), campaign.lead_user_id)
    assert lead is not None
    tier = services.add_reward_tier(
        db,
        lead,
        campaign,
        title="Tazza del quartiere",
        description="",
        min_amount_cents=30_00,
        quantity=1,
        now=utcnow(),
    )
    db.commit()
    with pytest.raises(services.Refused, match="below_reward_minimum"):
        pledge(db, stripe_url, campaign, 10_00, tier_id=tier.id)
    backer = make_user(db)
    first = pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id, backer=backer)
    with pytest.raises(services.Refused, match="tier_sold_out"):
        pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id)
    services.cancel_pledge(db, backer, first, now=utcnow())
    db.commit()
    db.refresh(tier)
    assert tier.claimed == 0
    pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id)


def test_a_pledge_not_confirmed_in_time_gives_its_reward_place_back(
    stripe_url: str, db: Session, app_ctx: Flask
) -> None:
    campaign = make_campaign(db)
    lead = db.get(type(make_user(db)), campaign.lead_user_id)
    assert lead is not None
    tier = services.add_reward_tier(
        db, lead, campaign, title="Tazza", description="", min_amount_cents=30_00, quantity=1,
        now=utcnow(),
    )  # fmt: skip
    db.commit()
    held = pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id, confirm=False)
    with pytest.raises(services.Refused, match="tier_sold_out"):
        pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id, confirm=False)
    hold = timedelta(minutes=app_ctx.config["PLEDGE_HOLD_MINUTES"])
    assert services.expire_unconfirmed_pledges(db, now=utcnow() + hold / 2, hold=hold) == 0
    expired = services.expire_unconfirmed_pledges(
        db, now=utcnow() + hold + timedelta(minutes=1), hold=hold
    )
    db.commit()
    assert expired == 1
    db.refresh(held)
    db.refresh(tier)
    assert held.state == "expired"
    assert tier.claimed == 0
    later = pledge(db, stripe_url, campaign, 30_00, tier_id=tier.id)  # the place is free again
    assert later.state == "active"
    confirm_card_setup(stripe_url, str(held.stripe_setup_intent_id))
    assert services.confirm_pledge(db, held, now=utcnow()) is False  # too late: stays expired
    assert ledger.totals(db, campaign.id).pledged == 30_00


def test_webhooks_are_verified_handled_once_and_read_back_from_stripe(
    stripe_url: str, db: Session, app_ctx: Flask
) -> None:
    campaign = make_campaign(db)
    made = pledge(db, stripe_url, campaign, 20_00, confirm=False)
    confirm_card_setup(stripe_url, str(made.stripe_setup_intent_id))
    # The event's copy says nothing useful: the handler asks Stripe for the SetupIntent.
    payload = event(
        "evt_1",
        "setup_intent.succeeded",
        {
            "id": made.stripe_setup_intent_id,
            "object": "setup_intent",
            "metadata": {"pledge": made.reference},
        },
    )
    secret = app_ctx.config["STRIPE_WEBHOOK_SECRET"]
    web = app_ctx.test_client()
    body, signature = signed(payload, secret)
    assert web.post(
        "/crowdfunding/stripe/webhook", data=body, headers={"Stripe-Signature": signature}
    ).json == {"received": True, "outcome": "activated"}
    again = web.post(
        "/crowdfunding/stripe/webhook", data=body, headers={"Stripe-Signature": signature}
    )
    assert again.json["outcome"] == "duplicate"
    db.refresh(made)
    assert made.state == "active"
    forged = web.post(
        "/crowdfunding/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature.replace("v1=", "v1=0")},
    )
    assert forged.status_code == 400
    tampered_body = body.replace(b"evt_1", b"evt_2")
    assert (
        web.post(
            "/crowdfunding/stripe/webhook",
            data=tampered_body,
            headers={"Stripe-Signature": signature},
        ).status_code
        == 400
    )
    assert db.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert ledger.totals(db, campaign.id).pledged == 20_00


def test_a_late_payment_event_before_the_charge_is_recorded_changes_nothing_wrong(
    stripe_url: str, db: Session, app_ctx: Flask
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)
    made = pledge(db, stripe_url, campaign, 10_000_00)
    # An out-of-order event naming a PaymentIntent that is not (yet) succeeded: ignored.
    fake = event(
        "evt_early",
        "payment_intent.succeeded",
        {"id": "pi_nonexistent", "metadata": {"pledge": made.reference}},
    )
    with pytest.raises(gateway.NotAtStripe):  # Stripe does not know it: nothing to retry
        webhooks.handle(db, fake, now=utcnow())
    db.rollback()
    close_campaign(db, campaign.id, now=_after_deadline(campaign))
    db.refresh(made)
    intent_id = str(made.stripe_payment_intent_id)
    # Stripe's own event for the charge arrives afterwards, twice: nothing is counted again.
    late = event(
        "evt_late",
        "payment_intent.succeeded",
        {"id": intent_id, "metadata": {"pledge": made.reference}},
    )
    assert webhooks.handle(db, late, now=utcnow()) == "unchanged"
    assert webhooks.handle(db, late, now=utcnow()) == "duplicate"
    assert ledger.totals(db, campaign.id).charged == 10_000_00


def _post_signed(app: Flask, payload: object) -> Any:
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    mac = stripe.WebhookSignature._compute_signature(  # the library's own signing
        f"{stamp}.{body.decode()}", app.config["STRIPE_WEBHOOK_SECRET"]
    )
    with app.app_context():  # the request's own, so its session closes with it
        return app.test_client().post(
            "/crowdfunding/stripe/webhook",
            data=body,
            headers={"Stripe-Signature": f"t={stamp},v1={mac}"},
        )


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        "text",
        None,
        {"id": "evt_s1", "type": "setup_intent.succeeded", "data": {}},
        {"id": "evt_s2", "type": "setup_intent.succeeded", "data": "x"},
        {"id": "evt_s3", "type": "payment_intent.succeeded",
         "data": {"object": {"id": "pi_1", "metadata": "pledge"}}},
        {"id": "evt_s4", "type": "payment_intent.succeeded",
         "data": {"object": {"id": "pi_1", "metadata": ["pledge"]}}},
        {"id": "evt_s5", "type": "payment_intent.succeeded",
         "data": {"object": {"id": 7, "metadata": {"pledge": "x"}}}},
        {"id": 12, "type": "setup_intent.succeeded", "data": {"object": {"id": "seti_1"}}},
        {"id": "evt_s6", "type": ["x"], "data": {"object": {"id": "seti_1"}}},
        {"id": "evt_s7", "type": "setup_intent.succeeded",
         "data": {"object": {"id": "seti_1", "metadata": {"pledge": {"a": 1}}}}},
    ],
)  # fmt: skip
def test_a_signed_event_of_an_unexpected_shape_is_refused_and_changes_nothing(
    stripe_url: str, db: Session, app_ctx: Flask, payload: object
) -> None:
    answer = _post_signed(app_ctx, payload)
    assert answer.status_code == 400  # Stripe stops sending it
    assert answer.json == {"error": "malformed_event"}
    assert db.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_an_intent_stripe_does_not_know_is_ignored_not_retried(
    stripe_url: str, db: Session, app_ctx: Flask
) -> None:
    campaign = make_campaign(db)
    made = pledge(db, stripe_url, campaign, 20_00, confirm=False)
    for kind, object_id in (
        ("payment_intent.succeeded", "pi_unknown_to_stripe"),
        ("setup_intent.succeeded", "seti_unknown_to_stripe"),
    ):
        made.stripe_setup_intent_id = object_id if kind.startswith("setup") else None
        db.commit()
        payload = event(
            f"evt_{object_id}", kind, {"id": object_id, "metadata": {"pledge": made.reference}}
        )
        answer = _post_signed(app_ctx, payload)
        assert answer.status_code == 200, kind
        assert answer.json == {"received": True, "outcome": "ignored"}
    db.refresh(made)
    assert made.state == "pending"
    assert ledger.totals(db, campaign.id).pledged == 0


def test_a_stripe_that_cannot_be_reached_is_a_503_to_retry(db: Session, app_ctx: Flask) -> None:
    campaign = make_campaign(db)
    made = pledge(db, str(app_ctx.config["STRIPE_API_BASE"]), campaign, 20_00, confirm=False)
    app_ctx.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    payload = event(
        "evt_down",
        "setup_intent.succeeded",
        {"id": made.stripe_setup_intent_id, "metadata": {"pledge": made.reference}},
    )
    answer = _post_signed(app_ctx, payload)
    assert answer.status_code == 503
    assert db.scalar(select(func.count()).select_from(StripeEvent)) == 0  # taken again later


def test_the_ledger_is_append_only(stripe_url: str, db: Session) -> None:
    campaign = make_campaign(db)
    pledge(db, stripe_url, campaign, 20_00)
    entry = db.scalar(select(LedgerEntry))
    assert entry is not None
    entry.amount_cents = 1
    with pytest.raises(ledger.LedgerError):
        db.flush()
    db.rollback()
    with pytest.raises(DBAPIError), db.begin_nested():  # the ledger's trigger refuses
        db.execute(text("UPDATE crowdfunding_ledger SET amount_cents = 1"))
    with pytest.raises(ledger.Unbalanced):
        ledger.post(
            db,
            movement="x",
            campaign_id=campaign.id,
            kind="refund",
            lines={"stripe": 1},
            now=utcnow(),
        )


def test_states_refuse_illegal_moves() -> None:
    from civic.crowdfunding.states import CampaignState, PledgeState, move_campaign, move_pledge

    with pytest.raises(IllegalMove):
        move_pledge("charged", PledgeState.CANCELLED)
    with pytest.raises(IllegalMove):
        move_campaign("failed", CampaignState.CHARGING)
    assert move_pledge("active", PledgeState.CHARGED) == "charged"


def test_reconcile_agrees_then_reports_a_charge_made_behind_our_back(
    stripe_url: str, db: Session, app_ctx: Flask
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)
    made = pledge(db, stripe_url, campaign, 10_000_00)
    close_campaign(db, campaign.id, now=_after_deadline(campaign))
    runner = app_ctx.test_cli_runner()
    ok = runner.invoke(args=["crowdfunding", "reconcile"])
    assert ok.exit_code == 0, ok.output
    assert "agree" in ok.output
    # Someone charges the card again in Stripe's dashboard: reconcile sees it.
    client(stripe_url).v1.payment_intents.create(
        params={
            "amount": 100,
            "currency": "eur",
            "customer": str(made.stripe_customer_id),
            "payment_method": str(made.stripe_payment_method_id),
            "off_session": True,
            "confirm": True,
        }
    )
    bad = runner.invoke(args=["crowdfunding", "reconcile"])
    assert bad.exit_code == 1
    assert f"pledge {made.id}: charged_more_than_once" in bad.output
    assert "amount_differs stripe 1000100, ledger 1000000" in bad.output
