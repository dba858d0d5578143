"""Areas of the city."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class Area(Base):
    """A Municipio, or a NIL inside one."""

    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        CheckConstraint("kind IN ('municipio', 'nil')", name="kind"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    # The area's outline as a GeoJSON geometry (Polygon or MultiPolygon, WGS84), uploaded by
    # staff: places given in the area must fall inside it (places.domain.parse_boundary).
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def label(self) -> str:
        """'Municipio 3 – Città Studi, Lambrate, Venezia'."""
        return area_label(self.kind, self.number, self.name)


def area_label(kind: str, number: int, name: str) -> str:
    """An area's name as people read it, from its columns."""
    prefix = "Municipio" if kind == "municipio" else "NIL"
    return f"{prefix} {number} – {name}"
