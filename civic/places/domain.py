"""Reference data for Milan's areas."""

from __future__ import annotations

from enum import StrEnum

# The city's territory as a box: (south, west, north, east) in degrees (the CITY_BOUNDS setting).
Bounds = tuple[float, ...]


def incomplete(lat: float | None, lon: float | None) -> bool:
    """A place needs both coordinates or neither."""
    return (lat is None) != (lon is None)


def outside(bounds: Bounds | None, lat: float | None, lon: float | None) -> bool:
    """Whether a place given by both coordinates lies outside the city's box."""
    if bounds is None or lat is None or lon is None:
        return False
    south, west, north, east = bounds
    return not (south <= lat <= north and west <= lon <= east)


class AreaKind(StrEnum):
    MUNICIPIO = "municipio"
    NIL = "nil"


# The 9 Municipi with the districts each is known by.
MILAN_MUNICIPI: tuple[tuple[int, str], ...] = (
    (1, "Centro storico"),
    (2, "Stazione Centrale, Gorla, Turro, Greco, Crescenzago"),
    (3, "Città Studi, Lambrate, Venezia"),
    (4, "Vittoria, Forlanini"),
    (5, "Vigentino, Chiaravalle, Gratosoglio"),
    (6, "Barona, Lorenteggio"),
    (7, "Baggio, De Angeli, San Siro"),
    (8, "Fiera, Gallaratese, Quarto Oggiaro"),
    (9, "Stazione Garibaldi, Niguarda"),
)
