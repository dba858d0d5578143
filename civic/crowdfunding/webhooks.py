"""Stripe's webhooks: each event is handled once, and what it says is read back from the API.

Events can arrive twice, late or out of order; we store each event id under a UNIQUE
constraint and never act on the event's copy of the object: we ask Stripe for the object as it
is now and bring the pledge in line with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.db import add_once
from .closing import record_charge
from .models import Pledge, StripeEvent
from .services import confirm_pledge

HANDLED = ("setup_intent.succeeded", "payment_intent.succeeded", "payment_intent.payment_failed")


def _pledge(session: Session, reference: str | None) -> Pledge | None:
    if not reference:
        return None
    return session.scalar(select(Pledge).where(Pledge.reference == reference))


def handle(session: Session, event: Any, *, now: datetime) -> str:
    """Apply one verified event; returns what happened, for the log and the tests."""
    if hasattr(event, "to_dict"):
        event = event.to_dict()  # stripe-python's Event is not a dict
    obj = event["data"]["object"]
    if not add_once(
        session,
        StripeEvent(
            id=str(event["id"]),
            type=str(event["type"]),
            object_id=str(obj.get("id") or ""),
            received_at=now,
        ),
    ):
        return "duplicate"
    if event["type"] not in HANDLED:
        return "ignored"
    pledge = _pledge(session, (obj.get("metadata") or {}).get("pledge"))
    if pledge is None:
        return "unknown_pledge"
    if event["type"] == "setup_intent.succeeded":
        return "activated" if confirm_pledge(session, pledge, now=now) else "unchanged"
    if event["type"] == "payment_intent.succeeded":
        charged = record_charge(session, pledge, str(obj["id"]), now=now)
        return "charged" if charged else "unchanged"
    return "unchanged"  # a failed charge is handled by the job that made it; Stripe is re-read
