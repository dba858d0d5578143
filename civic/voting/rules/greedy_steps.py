"""Greedy with the steps some cities add after it (Poznań's 'greedy-custom').

1. Greedy by votes, stopping at the first project that does not fit (no skipping).
2. Reserve: if what is left covers at least ``reserve_share`` of that project's cost, it is
   funded too, the rest coming from a reserve outside the budget (marked 2 in Pabulib files).
3. Extra funds: money given to the area afterwards (for example what other districts left
   unspent) funds the next projects in the ranking, in order, while it lasts (marked 3).

Poznań's files define step 2 in their META comment ("at least 80% of that project"); the
amount of step 3 is not written in any file, so it is an argument here.
"""

from __future__ import annotations

from fractions import Fraction

from .election import Election
from .greedy import greedy, ranking
from .outcome import Outcome, ProjectResult


def greedy_with_reserve(
    election: Election,
    *,
    reserve_share: Fraction,
    extra_funds: int = 0,
    threshold: int = 0,
    ties: str = "cheaper",
    name: str = "greedy-custom",
) -> Outcome:
    """Steps 1 to 3 above; ``reserve_share`` 0 leaves step 2 out."""
    outcome = greedy(election, skip=False, threshold=threshold, ties=ties, name=name)
    left = election.budget - outcome.spent
    stopper = next(
        (p for p, r in outcome.results.items() if r.reason == "did_not_fit"),
        None,
    )
    reserve = 0
    if stopper is not None and reserve_share > 0:
        cost = election.projects[stopper].cost
        if left >= reserve_share * cost:
            reserve = cost - left
            _fund(outcome, stopper, "selected_by_reserve", left, cost)
            left = 0
    used = 0
    if extra_funds > 0:
        money = extra_funds + left
        for project_id in ranking(election, ties):
            result = outcome.results.get(project_id)
            if project_id in outcome.winners or result is None:
                continue
            if result.reason in ("below_threshold", "never_fits"):
                continue
            cost = election.projects[project_id].cost
            if cost > money:
                break  # in order, as step 1: the next project waits for more money
            _fund(outcome, project_id, "selected_by_extra_funds", money, cost)
            money -= cost
            used += cost
    outcome.details.update(
        {
            "reserve_share": str(reserve_share),
            "reserve_used": reserve,
            "extra_funds": extra_funds,
            "extra_funds_used": used,
        }
    )
    return outcome


def _fund(outcome: Outcome, project_id: str, reason: str, left: int, cost: int) -> None:
    previous = outcome.results[project_id]
    outcome.winners.append(project_id)
    outcome.results[project_id] = ProjectResult(
        project_id,
        True,
        reason,
        previous.score,
        position=len(outcome.winners),
        remaining_budget=Fraction(left),
    )
    outcome.spent += cost
