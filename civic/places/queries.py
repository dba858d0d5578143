"""Reads of areas."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain import AreaKind
from .models import Area


def list_municipi(session: Session) -> list[Area]:
    """The Municipi in number order."""
    return list(
        session.scalars(select(Area).where(Area.kind == AreaKind.MUNICIPIO).order_by(Area.number))
    )


def get_municipio(session: Session, area_id: int) -> Area | None:
    """A Municipio by id, or None."""
    area = session.get(Area, area_id)
    return area if area is not None and area.kind == AreaKind.MUNICIPIO else None
