"""What each feature holds on a person, for "download my data", "delete my account" and the
person's activity page.

Features register, under their own name, an exporter (returns JSON-ready data), an eraser
(removes or anonymises personal data, keeping contributions) and a lister of what the person
did, each with where to see it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Activity:
    """One thing a person did: what (``kind``, a key the page words), on what (``title``),
    when, and the page that shows it (an endpoint and its values; none if there is no page)."""

    kind: str
    title: str
    at: datetime | None
    endpoint: str | None = None
    values: tuple[tuple[str, Any], ...] = ()


Exporter = Callable[[Session, Any], Any]
Eraser = Callable[[Session, Any, datetime], None]
Lister = Callable[[Session, Any], list[Activity]]

exporters: dict[str, Exporter] = {}
erasers: dict[str, Eraser] = {}
listers: dict[str, Lister] = {}


def iso(moment: datetime | None) -> str | None:
    """A date and time as the export writes it (ISO 8601, UTC), or None."""
    return moment.isoformat() if moment else None


def register(
    name: str, exporter: Exporter, eraser: Eraser | None = None, lister: Lister | None = None
) -> None:
    """Declare a feature's share of a person's data."""
    exporters[name] = exporter
    if eraser is not None:
        erasers[name] = eraser
    if lister is not None:
        listers[name] = lister


def activity(session: Session, person: Any) -> list[Activity]:
    """Everything the person did, newest first (undated things last)."""
    found = [item for lister in listers.values() for item in lister(session, person)]
    dated = sorted((a for a in found if a.at is not None), key=lambda a: a.at, reverse=True)  # type: ignore[arg-type, return-value]
    return dated + [a for a in found if a.at is None]
