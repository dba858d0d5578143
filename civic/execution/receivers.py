"""What the execution tracker does when other features report funding decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..core import signals
from .domain import Source
from .services import funding_withdrawn, track_funded


def _track(_sender: Any, *, session: Session, call_id: int, now: datetime) -> None:
    track_funded(session, now=now, call_id=call_id)


def _withdraw(
    _sender: Any, *, session: Session, source: str, source_id: int, reason: str, now: datetime
) -> None:
    funding_withdrawn(session, Source(source), source_id, reason=reason, now=now)


def connect() -> None:
    """Listen for funding decisions (idempotent: blinker keeps one connection per receiver)."""
    signals.projects_funded.connect(_track, weak=False)
    # The winners of a published vote are tracked from that day.
    signals.ballot_count_published.connect(_track, weak=False)
    signals.funding_withdrawn.connect(_withdraw, weak=False)
