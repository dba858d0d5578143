"""Loading the city's reference areas, and their outlines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from .domain import AreaKind, Bounds, parse_boundary
from .models import Area


def load_municipi(session: Session, municipi: Iterable[tuple[int, str]]) -> int:
    """Create the city's Municipi (number, name) where missing; return how many were added.
    One already there stays as it is: a reload never renames what calls and people refer to."""
    existing = set(session.scalars(select(Area.number).where(Area.kind == AreaKind.MUNICIPIO)))
    added = 0
    for number, name in municipi:
        if number not in existing:
            session.add(Area(kind=AreaKind.MUNICIPIO, number=number, name=name))
            added += 1
    session.flush()
    return added


def set_boundary(
    session: Session,
    actor_id: int,
    area: Area,
    text: str,
    *,
    bounds: Bounds | None,
    now: datetime,
) -> None:
    """Store an area's outline from GeoJSON, or remove it when ``text`` is blank. Whoever calls
    this has checked the person may (places sits below the roles: the back office does)."""
    before = area.boundary is not None
    area.boundary = parse_boundary(text, bounds) if text.strip() else None
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="area.boundary",
        target_type="area",
        target_id=area.id,
        now=now,
        before={"had_boundary": before},
        after={"has_boundary": area.boundary is not None},
    )
