"""Rolling grant calls: applications are taken continuously and evaluated in sessions, one per
cut-off date. An application belongs to the first session whose cut-off day (Rome time,
inclusive) is on or after the day it was submitted; after the last cut-off nothing can be
submitted. Pure functions: no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core.time import ROME


def ordered(days: list[date]) -> list[str]:
    """Cut-off dates as staff entered them, returned as sorted ISO strings. Raises ValueError
    for a repeated date."""
    if len(set(days)) != len(days):
        raise ValueError("repeated cut-off")
    return [d.isoformat() for d in sorted(days)]


def valid(cutoffs: list[str]) -> bool:
    try:
        days = [date.fromisoformat(c) for c in cutoffs]
    except (TypeError, ValueError):
        return False
    return bool(days) and days == sorted(set(days))


def _day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ROME).date()


def session_of(submitted_at: datetime, cutoffs: list[str]) -> date | None:
    """The cut-off whose session evaluates an application submitted at this (UTC) moment."""
    day = _day(submitted_at)
    for cutoff in cutoffs:
        if date.fromisoformat(cutoff) >= day:
            return date.fromisoformat(cutoff)
    return None
