"""Loading the city's reference areas."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain import MILAN_MUNICIPI, AreaKind
from .models import Area


def seed_municipi(session: Session) -> int:
    """Create Milan's 9 Municipi where missing; return how many were added."""
    existing = set(session.scalars(select(Area.number).where(Area.kind == AreaKind.MUNICIPIO)))
    added = 0
    for number, name in MILAN_MUNICIPI:
        if number not in existing:
            session.add(Area(kind=AreaKind.MUNICIPIO, number=number, name=name))
            added += 1
    session.flush()
    return added
