"""Pure rules of residency: age on a given day."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Method(StrEnum):
    DESK = "desk"  # checked in person by staff with an identity document
    CENSUS = "census"  # matched against the census file (with the census import)
    SELF = "self"  # declared by the person, for calls that accept it


DOCUMENTS = ("carta_identita", "passaporto", "patente", "permesso_soggiorno")


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day`` (someone born on 29 February turns a year older on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def latest_birth_date(day: date, min_age: int) -> date:
    """The last birth date of someone at least ``min_age`` on ``day``: ``age_on(b, day) >=
    min_age`` exactly when ``b <= latest_birth_date(day, min_age)``."""
    try:
        return day.replace(year=day.year - min_age)
    except ValueError:  # 29 February in a year without one: those born on the 28th qualify
        return day.replace(year=day.year - min_age, day=28)
