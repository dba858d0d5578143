"""Reference data for Milan's areas."""

from __future__ import annotations

from enum import StrEnum


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
