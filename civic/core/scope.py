"""The public's filters over figures and lists: a year, a Municipio, a theme.

The dashboard and the lists its figures link to read the same query-string arguments (``anno``,
``municipio``, ``tema``), so a figure and the list behind it always count the same records.
A malformed argument is ignored, as if absent; the page says which filters apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select

from .time import ROME, rome_to_utc

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Scope:
    """``area_id`` None: the whole city; 0: only records of no Municipio (city-wide ones)."""

    year: int | None = None
    area_id: int | None = None
    theme_id: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> Scope:
        def number(name: str, low: int, high: int) -> int | None:
            raw = str(args.get(name, "") or "")
            if not raw.isdigit() or len(raw) > 9:
                return None
            value = int(raw)
            return value if low <= value <= high else None

        return cls(
            year=number("anno", FIRST_YEAR, LAST_YEAR),
            area_id=number("municipio", 0, 10**9),
            theme_id=number("tema", 1, 10**9),
        )

    def args(self, **more: Any) -> dict[str, Any]:
        """The query-string arguments that give this scope (plus ``more``)."""
        found = {"anno": self.year, "municipio": self.area_id, "tema": self.theme_id, **more}
        return {k: v for k, v in found.items() if v is not None and v != ""}

    def query(self, **more: Any) -> str:
        return urlencode(self.args(**more))

    def year_range(self) -> tuple[datetime, datetime] | None:
        """The year on Rome's calendar, as UTC instants [start, end)."""
        if self.year is None:
            return None
        return (
            rome_to_utc(datetime(self.year, 1, 1, tzinfo=ROME)),
            rome_to_utc(datetime(self.year + 1, 1, 1, tzinfo=ROME)),
        )

    def on_year(self, statement: Select[Any], published_at: Any) -> Select[Any]:
        """Keep rows of calls published in the year (the year a figure belongs to)."""
        span = self.year_range()
        if span is not None:
            statement = statement.where(published_at >= span[0], published_at < span[1])
        return statement

    def on_area(self, statement: Select[Any], area_id: Any) -> Select[Any]:
        """Keep rows of the Municipio; Municipio 0 means records of no Municipio (city-wide)."""
        if self.area_id is None:
            return statement
        if self.area_id == 0:
            return statement.where(area_id.is_(None))
        return statement.where(area_id == self.area_id)
