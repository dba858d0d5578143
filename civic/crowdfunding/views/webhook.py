"""Stripe's webhook: signed events, handled once each, objects read back from Stripe."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ...core.actions import run
from ...core.time import utcnow
from ...extensions import csrf
from .. import gateway, webhooks
from . import bp


@bp.route("/crowdfunding/stripe/webhook", methods=["POST"])
def stripe_webhook() -> Any:
    """Signed by Stripe, handled once per event id, objects re-read from the API."""
    try:
        event = gateway.verify_webhook(
            request.get_data(), request.headers.get("Stripe-Signature", "")
        )
    except ValueError:
        return jsonify(error="invalid signature"), 400
    return run(
        lambda db: webhooks.handle(db, event, now=utcnow()),
        to=lambda outcome: jsonify(received=True, outcome=outcome),
        # PaymentsDown answers 503, so Stripe sends the event again later
        on_refusal=lambda refused: (jsonify(error=refused.code), refused.status),
    )


csrf.exempt(stripe_webhook)  # Stripe signs its requests instead; the only exempt view
