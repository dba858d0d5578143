from datetime import date

import pytest

from civic.residency.domain import age_on


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
