"""Stripe's webhook: signed events, handled once each, objects read back from Stripe."""

from __future__ import annotations

import logging
from typing import Any

from flask import jsonify, request

from ...core.actions import run
from ...core.refusals import Refused
from ...core.time import utcnow
from ...extensions import csrf
from .. import gateway, webhooks
from . import bp

log = logging.getLogger(__name__)


def _refused(refused: Refused) -> Any:
    """What Stripe is told: 200 for an object it does not know (sending it again would not
    help), 400 for a shape we cannot read (so it stops), 503 while it cannot be reached."""
    log.warning("stripe webhook %s: %s", refused.code, refused.params.get("detail", ""))
    if isinstance(refused, gateway.NotAtStripe):
        return jsonify(received=True, outcome="ignored"), 200
    return jsonify(error=refused.code), refused.status


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
        on_refusal=_refused,
    )


csrf.exempt(stripe_webhook)  # Stripe signs its requests instead; the only exempt view
