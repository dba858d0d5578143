"""The parts of a call's page that other features fill (proposals, the vote, meetings, the
campaigns, the grants), and the uses that freeze a call's rules.

Each feature adds its part when it is set up, so the calls feature imports none of them: the
page asks every registered part for what it shows, and the rules are frozen once any
registered use exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .models import Call

Part = Callable[[Session, Call, datetime], Any]
Use = Callable[[Session, int], bool]

_PARTS: dict[str, Part] = {}
_USES: dict[str, Use] = {}


def add_part(name: str, part: Part) -> None:
    """``part(session, call, now)`` gives what the call's page shows under ``name``."""
    _PARTS[name] = part


def add_use(name: str, use: Use) -> None:
    """``use(session, call_id)`` says whether the call is in use (its rules are then frozen)."""
    _USES[name] = use


def parts_of(session: Session, call: Call, now: datetime) -> dict[str, Any]:
    """Every registered part of the call's page."""
    return {name: part(session, call, now) for name, part in sorted(_PARTS.items())}


def in_use(session: Session, call_id: int) -> bool:
    """Whether anything registered uses the call."""
    return any(use(session, call_id) for _name, use in sorted(_USES.items()))
