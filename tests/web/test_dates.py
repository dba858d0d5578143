"""Dates on Milan's clock, written as Italian and British readers write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask_babel import force_locale

from civic.core.jinja import rome_date, rome_datetime, rome_day_time

WINTER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Milan
SUMMER_NIGHT = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # already 2 July in Milan


def test_english_dates_put_the_day_before_the_month(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("en"):
        assert rome_day_time(WINTER) == "Wednesday, 2 December 2026, 10:00"
        assert rome_date(WINTER) == "2 December 2026"
        assert rome_datetime(WINTER).startswith("2 Dec 2026, 10:00")


def test_italian_dates_are_unchanged(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("it"):
        assert rome_day_time(WINTER) == "mercoledì 2 dicembre 2026, 10:00"
        assert rome_date(WINTER) == "2 dicembre 2026"


def test_the_day_is_milans_and_a_calendar_date_is_kept(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("it"):
        assert rome_date(SUMMER_NIGHT) == "2 luglio 2026"
        assert rome_day_time(SUMMER_NIGHT).endswith(", 00:30")
        assert rome_date(date(2026, 7, 1)) == "1 luglio 2026"
