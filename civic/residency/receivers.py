"""What residency does when another feature reports a confirmed identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import signals
from .census import verify_from_census


def _check_census(_sender: Any, *, session: Session, person: User, now: datetime) -> None:
    verify_from_census(session, person, now=now)


def connect() -> None:
    """A SPID/CIE sign-in checks the person against the census at once."""
    signals.identity_confirmed.connect(_check_census, weak=False)
