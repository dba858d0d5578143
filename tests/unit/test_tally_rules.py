"""Tally rules on textbook examples, ties, an unaffordable project, and random elections."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from civic.voting.rules import Ballot, Election, Project, equal_shares, greedy
from civic.voting.rules.election import VoteType, group_ballots, positional_points


def election(
    budget: int, costs: dict[str, int], ballots: list[tuple[tuple[str, ...], int]], **kwargs: object
) -> Election:
    return Election(
        budget=budget,
        projects={p: Project(p, c) for p, c in costs.items()},
        ballots=[Ballot(tuple((p, 1) for p in chosen), weight) for chosen, weight in ballots],
        **kwargs,  # type: ignore[arg-type]
    )


# 60 voters want A and B, 40 want C; each project costs 40 of a budget of 100.
MAJORITY_MINORITY = election(100, {"A": 40, "B": 40, "C": 40}, [(("A", "B"), 60), (("C",), 40)])


def test_greedy_takes_the_most_voted_that_fit() -> None:
    assert greedy(MAJORITY_MINORITY).winners == ["A", "B"]


def test_equal_shares_gives_the_minority_its_share() -> None:
    outcome = equal_shares(MAJORITY_MINORITY)
    assert outcome.winners == ["A", "C"]
    a, c = outcome.results["A"], outcome.results["C"]
    assert (a.round, a.price_per_supporter) == (1, Fraction(2, 3))  # 40 shared by 60 voters
    assert (c.round, c.price_per_supporter) == (2, Fraction(1))  # 40 shared by 40 voters
    assert outcome.results["B"].reason == "not_affordable"


def test_a_project_costing_more_than_the_budget_is_passed_over() -> None:
    e = election(100, {"BIG": 150, "S": 30}, [(("BIG", "S"), 10)])
    outcome = greedy(e)
    assert outcome.winners == ["S"]
    assert outcome.results["BIG"].reason == "did_not_fit"
    assert equal_shares(e).winners == ["S"]


def test_greedy_without_skipping_stops_at_the_first_that_does_not_fit() -> None:
    e = election(100, {"A": 60, "B": 50, "C": 30}, [(("A",), 9), (("B",), 8), (("C",), 7)])
    assert greedy(e).winners == ["A", "C"]
    stopped = greedy(e, skip=False)
    assert stopped.winners == ["A"]
    assert (stopped.results["B"].reason, stopped.results["C"].reason) == ("did_not_fit", "stopped")


def test_greedy_with_a_threshold_ignores_projects_under_it() -> None:
    e = election(100, {"A": 10, "B": 10}, [(("A",), 9), (("B",), 3)])
    assert greedy(e, threshold=5).winners == ["A"]
    assert greedy(e, threshold=5).results["B"].reason == "below_threshold"


def test_greedy_ties_go_to_the_cheaper_then_the_more_voted_then_the_published_order() -> None:
    cheaper = election(100, {"X": 80, "Y": 70}, [(("X", "Y"), 5)])
    assert greedy(cheaper).winners == ["Y"]
    # Same points and cost: the one more voters gave points to comes first (cumulative).
    cumulative = Election(
        100,
        {"X": Project("X", 80), "Y": Project("Y", 80)},
        [Ballot((("X", 2),), 3), Ballot((("Y", 3),), 2)],
        VoteType.CUMULATIVE,
    )
    assert greedy(cumulative).winners == ["X"]
    same = election(100, {"P": 80, "Q": 80}, [(("Q", "P"), 5)])
    assert greedy(same).winners == ["P"]


def test_equal_shares_ties_go_to_the_cheaper() -> None:
    # Both are paid in full by the same 10 voters at the same price per unit of utility.
    e = election(60, {"X": 40, "Y": 20}, [(("X", "Y"), 10)])
    assert equal_shares(e).winners[0] == "Y"


def test_add_one_completion_raises_budgets_until_the_minority_can_buy_its_project() -> None:
    e = election(100, {"A": 50, "B": 50, "C": 50}, [(("A", "B"), 6), (("C",), 4)])
    assert equal_shares(e).winners == ["A"]  # 4 voters x 10 cannot pay for C
    completed = equal_shares(e, completion="add1")
    assert completed.winners == ["A", "C"]
    assert completed.spent == 100
    assert completed.details["add1_steps"] == 7  # at 17 per voter B also fits: 150 > 100, so stop


def test_greedy_completion_fills_what_add_one_leaves() -> None:
    e = election(
        100, {"A": 25, "B": 47, "C": 44, "D": 18}, [(("D", "C"), 3), (("A",), 2), (("B", "A"), 3)]
    )
    assert equal_shares(e, completion="add1").winners == ["A", "D"]
    filled = equal_shares(e, completion="add1-greedy")
    assert filled.winners == ["A", "D", "C"]
    assert filled.results["C"].reason == "selected_by_completion"


def test_the_greedy_comparison_step_keeps_the_outcome_most_voters_prefer() -> None:
    # 60 voters get 80 from greedy's A+B and 40 from MES's A+C; 40 voters get 0 and 40: greedy wins.
    compared = equal_shares(MAJORITY_MINORITY, compare_with_greedy=True)
    assert (compared.rule, compared.winners) == ("greedy", ["A", "B"])
    # Here no voter is better off with greedy's extra project than with MES's: MES stays.
    even = election(100, {"A": 40, "C": 40}, [(("A",), 50), (("C",), 50)])
    assert equal_shares(even, compare_with_greedy=True).rule == "mes"


def test_ranked_ballots_score_by_position() -> None:
    assert positional_points(("P", "Q", "R"), 3) == (("P", 3), ("Q", 2), ("R", 1))


def _random_election(rng: random.Random) -> Election:
    projects = {f"p{n}": Project(f"p{n}", rng.randrange(1, 60)) for n in range(rng.randrange(2, 9))}
    ballots = [
        Ballot(
            tuple((p, 1) for p in rng.sample(sorted(projects), rng.randrange(1, len(projects) + 1)))
        )
        for _ in range(rng.randrange(1, 40))
    ]
    return Election(rng.randrange(10, 200), projects, ballots)


RULES = {
    "greedy": lambda e: greedy(e),
    "greedy-no-skip": lambda e: greedy(e, skip=False),
    "mes": lambda e: equal_shares(e),
    "mes-add1": lambda e: equal_shares(e, completion="add1"),
    "mes-add1-greedy": lambda e: equal_shares(e, completion="add1-greedy"),
    "mes-add1-exhaustive": lambda e: equal_shares(e, completion="add1-exhaustive"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("seed", range(40))
def test_winners_never_exceed_the_budget(rule: str, seed: int) -> None:
    e = _random_election(random.Random(seed))
    outcome = RULES[rule](e)
    assert sum(e.projects[p].cost for p in outcome.winners) <= e.budget
    assert len(set(outcome.winners)) == len(outcome.winners)


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("seed", range(40))
def test_the_result_does_not_depend_on_ballot_order_or_grouping(rule: str, seed: int) -> None:
    rng = random.Random(seed)
    e = _random_election(rng)
    shuffled = Election(e.budget, e.projects, rng.sample(e.ballots, len(e.ballots)))
    grouped = Election(e.budget, e.projects, group_ballots(e.ballots))
    expected = RULES[rule](e).winners
    assert RULES[rule](shuffled).winners == expected
    assert RULES[rule](grouped).winners == expected


def test_exhaustive_add_one_keeps_raising_past_an_outcome_that_does_not_fit() -> None:
    # Plain add-one stops at the first step over budget (75 spent); going on finds a later
    # step that fits and spends more (78), leaving no room for another project.
    costs = {"p0": 2, "p1": 46, "p2": 49, "p3": 25, "p4": 2}
    ballots = [
        ("p4", "p3"),
        ("p3", "p2", "p1", "p4"),
        ("p3", "p4", "p1"),
        ("p0",),
        ("p3", "p2", "p0", "p1", "p4"),
        ("p0", "p4"),
        ("p0", "p3", "p4"),
        ("p1",),
        ("p4", "p3", "p2", "p1", "p0"),
        ("p0", "p2"),
        ("p4", "p0"),
        ("p2", "p4"),
        ("p0",),
    ]
    e = election(82, costs, [(b, 1) for b in ballots])
    plain = equal_shares(e, completion="add1")
    exhaustive = equal_shares(e, completion="add1-exhaustive")
    assert (sorted(plain.winners), plain.spent) == (["p0", "p1", "p3", "p4"], 75)
    assert (sorted(exhaustive.winners), exhaustive.spent) == (["p0", "p2", "p3", "p4"], 78)
    assert all(p.cost > 82 - 78 for pid, p in e.projects.items() if pid not in exhaustive.winners)


def test_the_float_pass_agrees_with_the_exact_pass_or_hands_over() -> None:
    """The fast pass of add-one completion either takes the exact pass's decisions or says a
    decision is too close to call in floats (the exact pass then decides)."""
    from civic.voting.rules.mes import _Run
    from civic.voting.rules.mes_float import Ambiguous, FloatRun

    rng = random.Random(2024)
    agreed = handed_over = 0
    for _trial in range(400):
        e = _random_election(rng)
        exact, fast = _Run(e), FloatRun(e)
        per_voter = Fraction(e.budget, e.voters) + rng.randrange(0, 30)
        try:
            found = fast(float(per_voter))
        except Ambiguous:
            handed_over += 1
            continue
        assert found == exact(per_voter)[0]
        agreed += 1
    assert agreed > 300  # the fast pass decides nearly always


def test_the_float_pass_breaks_exact_ties_as_the_exact_pass_does() -> None:
    from civic.voting.rules.mes import _Run
    from civic.voting.rules.mes_float import FloatRun

    # B and C have the same supporters' weight and nobody is capped: an exact tie on price,
    # broken by cost (C is cheaper), then votes, then the published order.
    tied = election(100, {"A": 50, "B": 30, "C": 20, "D": 20}, [(("A", "B", "C", "D"), 10)])
    for per_voter in (Fraction(10), Fraction(11), Fraction(25, 2)):
        assert FloatRun(tied)(float(per_voter)) == _Run(tied)(per_voter)[0]


def test_a_budget_exactly_equal_to_a_cost_is_left_to_the_exact_pass() -> None:
    from civic.voting.rules.mes_float import Ambiguous, FloatRun

    # With 12 each, after C, D and B the ten voters hold exactly the 50 that A costs.
    tied = election(100, {"A": 50, "B": 30, "C": 20, "D": 20}, [(("A", "B", "C", "D"), 10)])
    with pytest.raises(Ambiguous):
        FloatRun(tied)(12.0)
    outcome = equal_shares(tied, completion="add1")
    assert outcome.details["exact_passes"] >= 1
    assert outcome.winners == ["C", "D", "B"]  # with A the outcome no longer fits: stop


def test_add_one_explains_each_winner_with_exact_prices() -> None:
    outcome = equal_shares(MAJORITY_MINORITY, completion="add1")
    prices = {p: r.price_per_supporter for p, r in outcome.results.items() if r.selected}
    assert prices
    assert all(isinstance(price, Fraction) and price > 0 for price in prices.values())


def test_the_replay_finds_the_exact_prices_the_exact_pass_paid() -> None:
    """The explanation's prices come from replaying the winners with budgets kept as chains and
    made exact only where needed: they equal, as fractions, what the exact pass paid, including
    budgets that end exactly at a price (capped to nothing) and ties."""
    from civic.voting.rules.mes import _Run

    rng = random.Random(2026)
    for _trial in range(300):
        e = _random_election(rng)
        run = _Run(e)
        per_voter = Fraction(e.budget, max(e.voters, 1)) + Fraction(rng.randrange(0, 40), 3)
        winners, paid = run(per_voter)
        assert run.replay(per_voter, winners) == paid
    tied = election(100, {"A": 50, "B": 30, "C": 20, "D": 20}, [(("A", "B", "C", "D"), 10)])
    run = _Run(tied)
    winners, paid = run(Fraction(12))  # the ten voters hold exactly A's 50 at the end
    assert run.replay(Fraction(12), winners) == paid
