"""The proposal state machine: every allowed move, and every other move refused."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from civic.proposals.domain import (
    MOVES,
    IllegalMove,
    Status,
    can_move,
    comment_editable,
    is_editable,
    move,
    reaches_threshold,
)

ALLOWED = {
    (Status.DRAFT, Status.SUBMITTED),
    (Status.SUBMITTED, Status.IN_REVIEW),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.IN_REVIEW, Status.WITHDRAWN),
    (Status.IN_REVIEW, Status.FEASIBLE),
    (Status.IN_REVIEW, Status.NOT_FEASIBLE),
    (Status.SUBMITTED, Status.HIDDEN),
    (Status.IN_REVIEW, Status.HIDDEN),
    (Status.FEASIBLE, Status.HIDDEN),
    (Status.NOT_FEASIBLE, Status.HIDDEN),
    (Status.HIDDEN, Status.SUBMITTED),
    (Status.HIDDEN, Status.IN_REVIEW),
    (Status.HIDDEN, Status.FEASIBLE),
    (Status.HIDDEN, Status.NOT_FEASIBLE),
}


def test_the_moves_are_exactly_the_published_ones() -> None:
    assert MOVES == ALLOWED


@pytest.mark.parametrize(("source", "target"), list(product(Status, Status)))
def test_each_pair_of_states_is_allowed_or_refused(source: Status, target: Status) -> None:
    if (source, target) in ALLOWED:
        assert move(source, target) is target
    else:
        assert not can_move(source, target)
        with pytest.raises(IllegalMove):
            move(source, target)


@pytest.mark.parametrize(
    ("status", "review_started", "editable"),
    [
        (Status.DRAFT, False, True),
        (Status.SUBMITTED, False, True),
        (Status.SUBMITTED, True, False),
        (Status.IN_REVIEW, False, False),
        (Status.FEASIBLE, False, False),
    ],
)
def test_authors_edit_until_the_review_starts(
    status: Status, review_started: bool, editable: bool
) -> None:
    assert is_editable(status, review_started) is editable


def test_the_support_threshold() -> None:
    assert not reaches_threshold(9, 10)
    assert reaches_threshold(10, 10)
    assert not reaches_threshold(1000, 0)  # 0 means the call has no threshold


def test_comments_are_editable_for_fifteen_minutes() -> None:
    posted = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert comment_editable(posted, posted + timedelta(minutes=15))
    assert not comment_editable(posted, posted + timedelta(minutes=15, seconds=1))
