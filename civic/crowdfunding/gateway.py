"""Every call to Stripe, and nothing else, lives here.

The rest of the app sees plain results (ids, statuses) and one exception, ``PaymentsDown``,
for a Stripe that cannot be reached. Differences between Stripe and the ``localstripe`` server
used in tests and in the offline demo are absorbed here:

- localstripe ignores idempotency keys, so before charging we look for a PaymentIntent already
  made for the same pledge and attempt (each pledge has its own Customer, so the list is short);
- a confirmed SetupIntent does not attach the card to the Customer there: we attach it;
- an off-session charge that needs 3-D Secure comes back as ``requires_action`` there and as a
  card error with a PaymentIntent on Stripe: both mean "the backer must act";
- Stripe Connect (transfers to the lead partner) does not exist there: payouts are recorded as
  made outside Stripe (a bank transfer) unless a Connect account is configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import stripe
from flask import current_app

from ..core.refusals import Refused

CURRENCY = "eur"


class PaymentsDown(Refused):
    """Stripe could not be reached, or answered with an error that is not about the card:
    nothing is saved, and the same step works again later (503)."""

    status = 503
    default_code = "payments_down"


class NotAtStripe(Refused):
    """Stripe says the object does not exist (a test object, another account's, deleted):
    asking again will not change that, so a webhook naming it is answered and ignored."""

    status = 404
    default_code = "not_at_stripe"


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # Stripe's status: succeeded, requires_action, requires_payment_method, ...
    client_secret: str = ""
    payment_method: str | None = None
    customer: str | None = None
    amount: int = 0
    metadata: dict[str, str] | None = None


@dataclass(frozen=True)
class Charge:
    """The outcome of an off-session charge."""

    outcome: str  # "succeeded", "action_needed" or "declined"
    payment_intent_id: str | None
    message: str = ""


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    addresses: Any = {"api": base} if base else {}
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"], base_addresses=addresses, max_network_retries=2
    )


def _plain(obj: Any) -> Any:
    """Stripe's objects as plain dicts (stripe-python's objects are not dicts)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def _intent(obj: Any) -> Intent:
    obj = _plain(obj)
    method = obj.get("payment_method")
    if isinstance(method, dict):
        method = method.get("id")
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return Intent(
        id=obj["id"],
        status=obj["status"],
        client_secret=obj.get("client_secret") or "",
        payment_method=method,
        customer=customer,
        amount=int(obj.get("amount") or 0),
        metadata=dict(obj.get("metadata") or {}),
    )


def _call(action: Any) -> Any:
    try:
        return action()
    except stripe.CardError:
        raise
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            raise NotAtStripe(detail=str(error)) from error
        raise PaymentsDown(detail=str(error)) from error
    except stripe.StripeError as error:
        raise PaymentsDown(detail=str(error)) from error
    except OSError as error:  # connection refused, DNS, timeouts below stripe's own handling
        raise PaymentsDown(detail=str(error)) from error


def start_pledge(email: str, reference: str, amount_cents: int) -> tuple[str, Intent]:
    """A Customer for this pledge and a SetupIntent to save the card; charges nothing."""
    client = _client()
    metadata = {"pledge": reference, "amount_cents": str(amount_cents)}
    customer = _call(
        lambda: client.v1.customers.create(params={"email": email, "metadata": metadata})
    )
    intent = _call(
        lambda: client.v1.setup_intents.create(
            params=cast(
                Any,
                {
                    "customer": customer.id,
                    "payment_method_types": ["card"],
                    "usage": "off_session",
                    "metadata": metadata,
                },
            ),
            options={"idempotency_key": f"pledge-{reference}-setup"},
        )
    )
    return customer.id, _intent(intent)


def setup_intent(intent_id: str) -> Intent:
    client = _client()
    return _intent(_call(lambda: client.v1.setup_intents.retrieve(intent_id)))


def save_card(customer_id: str, payment_method_id: str) -> None:
    """Make sure the confirmed card belongs to the Customer (localstripe leaves it loose)."""
    client = _client()
    method = _plain(_call(lambda: client.v1.payment_methods.retrieve(payment_method_id)))
    owner = method.get("customer")
    if isinstance(owner, dict):
        owner = owner.get("id")
    if owner == customer_id:
        return
    _call(
        lambda: client.v1.payment_methods.attach(
            payment_method_id, params={"customer": customer_id}
        )
    )


def _intents_of(client: stripe.StripeClient, customer_id: str) -> list[dict[str, Any]]:
    """A Customer's PaymentIntents. localstripe cannot filter by customer: we filter here."""

    def listed() -> list[Any]:
        try:
            found = client.v1.payment_intents.list(params={"customer": customer_id})
        except stripe.InvalidRequestError:
            found = client.v1.payment_intents.list(params={"limit": 100})
        return list(found.auto_paging_iter())

    intents = [_plain(intent) for intent in _call(listed)]
    return [i for i in intents if i.get("customer") == customer_id]


def _existing(client: stripe.StripeClient, customer_id: str, key: str) -> Any | None:
    """A PaymentIntent already made with this key (see the module's note on localstripe)."""
    for intent in _intents_of(client, customer_id):
        if (intent.get("metadata") or {}).get("charge_key") == key:
            return intent
    return None


def charge_off_session(
    *, customer_id: str, payment_method_id: str, amount_cents: int, reference: str, attempt: int
) -> Charge:
    """Charge a saved card with the backer away; at most once per (pledge, attempt)."""
    client = _client()
    key = f"pledge-{reference}-charge-{attempt}"
    previous = _existing(client, customer_id, key)
    if previous is not None:
        return _charge_of(previous)
    try:
        intent = _call(
            lambda: client.v1.payment_intents.create(
                params={
                    "amount": amount_cents,
                    "currency": CURRENCY,
                    "customer": customer_id,
                    "payment_method": payment_method_id,
                    "off_session": True,
                    "confirm": True,
                    "metadata": {"pledge": reference, "charge_key": key},
                },
                options={"idempotency_key": key},
            )
        )
    except stripe.CardError as error:
        made = _plain(getattr(error.error, "payment_intent", None)) if error.error else None
        intent_id = made.get("id") if made else None
        if error.code == "authentication_required":
            return Charge("action_needed", intent_id, error.user_message or "")
        return Charge("declined", intent_id, error.user_message or str(error.code or ""))
    return _charge_of(intent)


def _charge_of(intent: Any) -> Charge:
    intent = _plain(intent)
    status = intent["status"]
    if status == "succeeded":
        return Charge("succeeded", intent["id"])
    if status in ("requires_action", "requires_confirmation"):
        return Charge("action_needed", intent["id"])
    return Charge("declined", intent["id"], str((intent.get("last_payment_error") or {}) or ""))


def payment_intent(intent_id: str) -> Intent:
    client = _client()
    return _intent(_call(lambda: client.v1.payment_intents.retrieve(intent_id)))


def new_card_setup(*, customer_id: str, reference: str, attempt: int) -> Intent:
    """A SetupIntent for a new card after a decline; the charge is then retried off-session.
    (Confirming a PaymentIntent with a new card in the browser is not in localstripe.)"""
    client = _client()
    return _intent(
        _call(
            lambda: client.v1.setup_intents.create(
                params=cast(
                    Any,
                    {
                        "customer": customer_id,
                        "payment_method_types": ["card"],
                        "usage": "off_session",
                        "metadata": {"pledge": reference, "retry": str(attempt)},
                    },
                ),
                options={"idempotency_key": f"pledge-{reference}-setup-{attempt}"},
            )
        )
    )


def refund(payment_intent_id: str, reference: str) -> str:
    client = _client()
    made = _call(
        lambda: client.v1.refunds.create(
            params={"payment_intent": payment_intent_id},
            options={"idempotency_key": f"pledge-{reference}-refund"},
        )
    )
    return str(made.id)


def payment_intents_of(customer_id: str) -> list[Intent]:
    """Every PaymentIntent of a pledge's Customer, for reconciliation."""
    return [_intent(intent) for intent in _intents_of(_client(), customer_id)]


def pay_out(campaign_slug: str, amount_cents: int) -> str:
    """Pay the lead partner. Without Stripe Connect (not in localstripe, not configured here)
    the transfer is made by the city's treasury outside Stripe; we return its reference."""
    return f"bank-transfer:{campaign_slug}:{amount_cents}"


def verify_webhook(payload: bytes, signature: str) -> Any:
    """The event's JSON, if Stripe signed it with our secret (None if signed but not JSON: the
    handler refuses its shape); raises ValueError if the signature does not hold."""
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            tolerance=stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as error:
        raise ValueError("bad signature") from error
    try:
        return json.loads(payload)
    except ValueError:
        return None


def js_url() -> str:
    """Stripe.js: the real one, or localstripe's stand-in when the API is local."""
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        return str(base).rstrip("/") + "/js.stripe.com/v3/"
    return "https://js.stripe.com/v3/"
