"""The clock: aware UTC inside, Europe/Rome for people."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")

# How far from today a date may be: further is a typo (year 1, year 9999), not a plan.
YEARS_AHEAD = 10


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def to_rome(moment: datetime) -> datetime:
    """The same instant on the wall clocks of Milan."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(ROME)


def rome_to_utc(local: datetime) -> datetime:
    """A wall-clock time in Milan (naive or Rome-aware) as an aware UTC instant."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=ROME)
    return local.astimezone(UTC)
