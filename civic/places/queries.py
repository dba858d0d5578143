"""Reads of areas."""

from __future__ import annotations

from typing import Any

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


def outlines_of(session: Session, area_ids: list[int] | None) -> list[dict[str, Any]]:
    """The uploaded outlines of these areas (None: of every area), to draw on a map:
    [{"label", "outline"}]."""
    statement = select(Area).where(Area.boundary.is_not(None)).order_by(Area.id)
    if area_ids is not None:
        if not area_ids:
            return []
        statement = statement.where(Area.id.in_(area_ids))
    areas = session.scalars(statement)
    return [{"label": a.label, "outline": a.boundary} for a in areas if a.boundary]
