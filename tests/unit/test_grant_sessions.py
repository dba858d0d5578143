"""Rolling grant calls: which evaluation session takes an application."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from civic.grants import sessions

CUTOFFS = ["2025-01-31", "2025-04-30"]


def test_an_application_goes_to_the_first_cut_off_on_or_after_its_rome_day() -> None:
    assert sessions.session_of(datetime(2025, 1, 10, 9, tzinfo=UTC), CUTOFFS) == date(2025, 1, 31)
    assert sessions.session_of(datetime(2025, 2, 1, 9, tzinfo=UTC), CUTOFFS) == date(2025, 4, 30)


def test_the_cut_off_day_counts_on_romes_clock() -> None:
    # 23:30 UTC on 31 January is already 1 February in Milan: the next session.
    assert sessions.session_of(datetime(2025, 1, 31, 22, 59, tzinfo=UTC), CUTOFFS) == date(
        2025, 1, 31
    )
    assert sessions.session_of(datetime(2025, 1, 31, 23, 30, tzinfo=UTC), CUTOFFS) == date(
        2025, 4, 30
    )
    # Naive datetimes from the database are UTC.
    naive = datetime(2025, 1, 31, 23, 30, tzinfo=UTC).replace(tzinfo=None)
    assert sessions.session_of(naive, CUTOFFS) == date(2025, 4, 30)


def test_after_the_last_cut_off_there_is_no_session() -> None:
    assert sessions.session_of(datetime(2025, 5, 1, 12, tzinfo=UTC), CUTOFFS) is None


def test_cut_offs_are_sorted_and_checked() -> None:
    assert sessions.ordered([date(2025, 4, 30), date(2025, 1, 31)]) == CUTOFFS
    with pytest.raises(ValueError, match="repeated"):
        sessions.ordered([date(2025, 1, 31), date(2025, 1, 31)])
    assert sessions.valid(CUTOFFS)
    assert not sessions.valid([])
    assert not sessions.valid(["2025-04-30", "2025-01-31"])
    assert not sessions.valid(["31/01/2025"])
