"""Stripe's webhooks: each event is handled once, and what it says is read back from the API.

Events can arrive twice, late or out of order; we store each event id under a UNIQUE
constraint and never act on the event's copy of the object: we ask Stripe for the object as it
is now and bring the pledge in line with it. A signed event of a shape we do not expect is
refused (400, so Stripe stops sending it) and logged; one naming an object Stripe does not
know is answered "ignored" (200); only a Stripe we cannot reach is a 503, to be sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.db import add_once
from ..core.refusals import Refused
from .closing import record_charge
from .models import Pledge, StripeEvent
from .services import confirm_pledge

HANDLED = ("setup_intent.succeeded", "payment_intent.succeeded", "payment_intent.payment_failed")


class MalformedEvent(Refused):
    """A signed event whose shape is not Stripe's: nothing is done with it."""

    status = 400
    default_code = "malformed_event"


@dataclass(frozen=True)
class Event:
    """What the handler reads of an event, checked for shape."""

    id: str
    type: str
    object_id: str
    pledge: str | None


def _text(value: Any, what: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or not (value or empty) or len(value) > 255:
        raise MalformedEvent(detail=what)
    return value


def read_event(event: Any) -> Event:
    """The parts of a verified event the handler uses; MalformedEvent if any is off."""
    if not isinstance(event, dict):
        raise MalformedEvent(detail="event")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent(detail="data.object")
    metadata = obj.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise MalformedEvent(detail="data.object.metadata")
    reference = metadata.get("pledge")
    return Event(
        id=_text(event.get("id"), "id"),
        type=_text(event.get("type"), "type"),
        object_id=_text(obj.get("id", ""), "data.object.id", empty=True),
        pledge=_text(reference, "metadata.pledge") if reference is not None else None,
    )


def _pledge(session: Session, reference: str | None) -> Pledge | None:
    if not reference:
        return None
    return session.scalar(select(Pledge).where(Pledge.reference == reference))


def handle(session: Session, event: Any, *, now: datetime) -> str:
    """Apply one verified event; returns what happened, for the log and the tests."""
    seen = read_event(event)
    if not add_once(
        session, StripeEvent(id=seen.id, type=seen.type, object_id=seen.object_id, received_at=now)
    ):
        return "duplicate"
    if seen.type not in HANDLED:
        return "ignored"
    pledge = _pledge(session, seen.pledge)
    if pledge is None:
        return "unknown_pledge"
    if seen.type == "setup_intent.succeeded":
        return "activated" if confirm_pledge(session, pledge, now=now) else "unchanged"
    if seen.type == "payment_intent.succeeded":
        if not seen.object_id:
            raise MalformedEvent(detail="data.object.id")
        charged = record_charge(session, pledge, seen.object_id, now=now)
        return "charged" if charged else "unchanged"
    return "unchanged"  # a failed charge is handled by the job that made it; Stripe is re-read
