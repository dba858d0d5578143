"""Places, codes and windows of meetings, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civic.meetings.domain import (
    CODE_ALPHABET,
    Places,
    contributions_open,
    new_code,
    normalise_code,
    retention_over,
)

END = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)


def test_public_places_leave_the_reserved_ones_aside() -> None:
    places = Places(capacity=10, reserved=2, public_taken=7, reserved_taken=0)
    assert places.public_left == 1
    assert places.has_place()
    full = Places(capacity=10, reserved=2, public_taken=8, reserved_taken=0)
    assert not full.has_place()
    assert full.has_place(reserved=True)  # a guest still fits in a reserved place
    assert not Places(10, 2, 8, 2).has_place(reserved=True)


def test_a_full_group_has_no_place_even_if_the_meeting_has() -> None:
    assert not Places(10, 0, 4, 0, group_capacity=4, group_taken=4).has_place()
    assert Places(10, 0, 4, 0, group_capacity=5, group_taken=4).has_place()
    assert not Places(4, 0, 4, 0, group_capacity=5, group_taken=1).has_place()


def test_places_never_go_below_zero() -> None:
    places = Places(capacity=2, reserved=0, public_taken=5, reserved_taken=0)
    assert places.public_left == 0


def test_codes_are_unambiguous_and_typed_back_loosely() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(" abcd-ef 23 ") == "ABCDEF23"


def test_contributions_close_n_days_after_the_meeting() -> None:
    assert contributions_open(published=True, ends_at=END, days_after=15, now=END)
    assert contributions_open(
        published=True, ends_at=END, days_after=15, now=END + timedelta(days=15)
    )
    assert not contributions_open(
        published=True, ends_at=END, days_after=15, now=END + timedelta(days=15, seconds=1)
    )
    assert not contributions_open(published=False, ends_at=END, days_after=15, now=END)


def test_retention_is_counted_from_the_end_of_the_meeting() -> None:
    assert not retention_over(ends_at=END, retention_days=30, now=END + timedelta(days=29))
    assert retention_over(ends_at=END, retention_days=30, now=END + timedelta(days=30))
