"""Ballot validation for the five kinds, receipts and coarse times."""

from datetime import UTC, datetime

import pytest

from civic.voting.domain import (
    BallotKind,
    BallotRules,
    Problem,
    areas_open_to,
    as_points,
    coarse,
    measure,
    new_receipt,
    normalised,
    problems,
    receipt_hash,
)

COSTS = {1: 40_000_00, 2: 30_000_00, 3: 50_000_00, 4: 10_000_00}


@pytest.mark.parametrize(
    ("rules", "choices", "expected"),
    [
        (BallotRules(BallotKind.APPROVAL, 1, 3), {1: 1, 2: 1}, []),
        (BallotRules(BallotKind.SINGLE, 0, 5), {2: 1}, []),  # its own min and max do not apply
        (BallotRules(BallotKind.SINGLE, 1, 5), {1: 1, 2: 1}, [Problem.TOO_MANY]),
        (BallotRules(BallotKind.SINGLE), {}, [Problem.EMPTY]),
        (BallotRules(BallotKind.APPROVAL, 2, 3), {1: 1}, [Problem.TOO_FEW]),
        (BallotRules(BallotKind.APPROVAL, 1, 2), {1: 1, 2: 1, 3: 1}, [Problem.TOO_MANY]),
        (BallotRules(BallotKind.APPROVAL, 1, 3), {}, [Problem.EMPTY]),
        (BallotRules(BallotKind.APPROVAL, 1, 3), {9: 1}, [Problem.UNKNOWN_PROJECT]),
        (BallotRules(BallotKind.KNAPSACK, budget_cents=80_000_00), {1: 1, 2: 1, 4: 1}, []),
        (
            BallotRules(BallotKind.KNAPSACK, budget_cents=80_000_00),
            {1: 1, 3: 1},
            [Problem.OVER_BUDGET],
        ),
        (BallotRules(BallotKind.CUMULATIVE, points=10), {1: 6, 2: 4}, []),
        (BallotRules(BallotKind.CUMULATIVE, points=10), {1: 6, 2: 5}, [Problem.TOO_MANY_POINTS]),
        (BallotRules(BallotKind.CUMULATIVE, points=10), {1: 6}, [Problem.POINTS_NOT_ALL_USED]),
        (
            BallotRules(BallotKind.CUMULATIVE, points=10),
            {1: 12, 2: -2},
            [Problem.NEGATIVE_POINTS, Problem.TOO_MANY_POINTS],
        ),
        (BallotRules(BallotKind.RANKED, max_ranked=3), {3: 1, 1: 2}, []),
        (BallotRules(BallotKind.RANKED, max_ranked=3), {3: 1, 1: 1}, [Problem.REPEATED]),
        (BallotRules(BallotKind.RANKED, max_ranked=3), {3: 1, 1: 3}, [Problem.TOO_FEW]),
        (BallotRules(BallotKind.RANKED, max_ranked=2), {3: 1, 1: 2, 2: 3}, [Problem.TOO_MANY]),
    ],
)
def test_ballots_are_checked_with_named_problems(
    rules: BallotRules, choices: dict[int, int], expected: list[Problem]
) -> None:
    assert problems(rules, choices, COSTS) == expected


def test_the_running_tally_counts_cost_and_points() -> None:
    assert measure({1: 1, 4: 1, 2: 0}, COSTS).cost_cents == 50_000_00
    assert measure({1: 3, 2: 7}, COSTS).points == 10


def test_ranks_become_positional_points() -> None:
    assert as_points(BallotRules(BallotKind.RANKED, max_ranked=3), {3: 1, 1: 2}) == [(3, 3), (1, 2)]


def test_receipts_are_random_and_stored_only_as_keyed_hashes() -> None:
    first, second = new_receipt(), new_receipt()
    assert first != second
    assert len(first) == 23
    assert receipt_hash("k", first, 7) == receipt_hash("k", " " + first.lower() + " ", 7)
    assert receipt_hash("k", first, 7) != receipt_hash("other key", first, 7)
    assert first not in receipt_hash("k", first, 7)


def test_a_receipt_hash_is_bound_to_its_voter() -> None:
    """Someone else's code finds nothing: the hash covers the code and the voter together."""
    code = new_receipt()
    assert receipt_hash("k", code, 7) != receipt_hash("k", code, 8)


def test_approval_ballots_are_normalised_to_one_per_choice() -> None:
    rules = BallotRules(BallotKind.APPROVAL)
    assert normalised(rules, {1: 999999, 2: 1, 3: 0}) == {1: 1, 2: 1}
    assert normalised(BallotRules(BallotKind.CUMULATIVE, points=10), {1: 7, 2: 3}) == {1: 7, 2: 3}


def test_times_are_kept_to_the_day() -> None:
    assert coarse(datetime(2027, 3, 15, 18, 42, 7, tzinfo=UTC)) == datetime(2027, 3, 15, tzinfo=UTC)


def test_own_municipio_plus_n_others() -> None:
    assert areas_open_to(3, [2, 3, 4, 5], 1, [3, 4])
    assert not areas_open_to(3, [2, 3, 4, 5], 1, [3, 4, 5])
    assert not areas_open_to(1, [2, 3], 1, [1])  # residents of an area outside the call
    assert not areas_open_to(None, [2, 3], 1, [2])


def test_a_vote_for_one_weighs_one_whatever_was_sent() -> None:
    rules = BallotRules(BallotKind.SINGLE)
    assert normalised(rules, {3: 999}) == {3: 1}
    assert as_points(rules, {3: 1}) == [(3, 1)]
