from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.residency.domain import age_on, latest_birth_date


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 3, 15), date(2026, 3, 14), 15),
        (date(2010, 3, 15), date(2026, 3, 15), 16),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_is_counted_in_completed_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("day", "min_age", "latest"),
    [
        (date(2026, 3, 1), 16, date(2010, 3, 1)),
        (date(2028, 2, 29), 16, date(2012, 2, 29)),  # both leap years
        (date(2028, 2, 29), 17, date(2011, 2, 28)),  # 2011 has no 29 February
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_the_latest_birth_date_of_someone_old_enough(day: date, min_age: int, latest: date) -> None:
    assert latest_birth_date(day, min_age) == latest


@given(
    born=st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    day=st.dates(date(1990, 1, 1), date(2040, 12, 31)),
    min_age=st.integers(0, 40),
)
def test_the_latest_birth_date_agrees_with_age_on(born: date, day: date, min_age: int) -> None:
    """The dashboard counts the electorate by birth date; the ballot box checks age_on."""
    assert (born <= latest_birth_date(day, min_age)) == (age_on(born, day) >= min_age)
