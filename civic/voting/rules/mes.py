"""The Method of Equal Shares with cost utilities, exact, with its completion methods.

Each voter starts with an equal share of the budget. In each round the project is bought whose
supporters can pay for it with the lowest price per unit of utility (rho); with cost utilities
a supporter's utility is the project's cost, so each supporter pays at most rho x cost. Ties:
cheaper first, then more votes, then the published order (equalshares.net's default).

Speed: identical ballots are one group with a weight, and a project's rho can only rise as
budgets fall, so projects whose last rho already exceeds the best are not recomputed. Passes run
first in floating point (``mes_float``), which takes a decision only when its margin is far
above any rounding error and otherwise hands the pass to the exact one (fractions); the prices
that explain the final outcome are then computed exactly.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

from .election import Election, supporters
from .greedy import greedy
from .outcome import Outcome, ProjectResult

_ULP = 2.0**-52  # the relative error of one float operation, rounded up


class _Held:
    """A ballot group's budget in the exact replay: its parent's less a price paid in full, with
    a float copy and a bound on the copy's error; the exact value is computed on demand."""

    __slots__ = ("error", "parent", "price", "rough", "value")

    def __init__(self, parent: _Held | None, price: Fraction, rough: float, error: float) -> None:
        self.parent, self.price, self.rough, self.error = parent, price, rough, error
        self.value: Fraction | None = None

    def less(self, price: Fraction, rough_price: float) -> _Held:
        rough = self.rough - rough_price
        # the parent's error, the price's rounding and the subtraction's
        error = self.error + (abs(self.rough) + 2 * abs(rough_price)) * _ULP
        return _Held(self, price, rough, error)

    def exact(self) -> Fraction:
        chain: list[_Held] = []
        node: _Held | None = self
        while node is not None and node.value is None:
            chain.append(node)
            node = node.parent
        value = node.value if node is not None else Fraction(0)
        assert value is not None
        for link in reversed(chain):
            value = value - link.price
            link.value = value
        return value


_EMPTY = _Held(None, Fraction(0), 0.0, 0.0)
_EMPTY.value = Fraction(0)


def _clearly_above(budget: _Held, rough_price: float, price: Fraction) -> bool:
    """Whether the budget is above the price: from the float copies when they are apart by more
    than their errors, exactly otherwise."""
    margin = budget.error + abs(rough_price) * _ULP
    if budget.rough - rough_price > margin:
        return True
    if rough_price - budget.rough > margin:
        return False
    return budget.exact() > price


class _Run:
    """One pass of MES for a given budget per voter."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.weights = [ballot.weight for ballot in election.ballots]
        self.cost = {p: project.cost for p, project in election.projects.items()}
        self.votes = supporters(election)
        self.order = election.order()
        self.groups: dict[str, list[int]] = {p: [] for p in election.projects}
        for g, ballot in enumerate(election.ballots):
            for project, points in ballot.points:
                if points > 0 and project in self.groups:
                    self.groups[project].append(g)
        self.support = {
            p: sum(self.weights[g] for g in groups) for p, groups in self.groups.items()
        }

    def _tie(self, project: str) -> tuple[int, int, int]:
        return (self.cost[project], -self.votes[project], self.order[project])

    def _price(self, project: str, budgets: list[Fraction]) -> Fraction | None:
        """The smallest cap p such that supporters paying min(budget, p) cover the cost."""
        members = self.groups[project]
        remaining = Fraction(self.cost[project])
        weight = self.support[project]
        equal = remaining / weight
        if all(budgets[g] >= equal for g in members):
            return equal  # everyone can pay an equal share: no one is capped
        for g in sorted(members, key=budgets.__getitem__):
            if budgets[g] * weight >= remaining:
                return remaining / weight
            remaining -= budgets[g] * self.weights[g]
            weight -= self.weights[g]
        return None

    def replay(self, per_voter: Fraction, winners: list[str]) -> dict[str, tuple[int, Fraction]]:
        """The exact price each winner's supporters paid, buying ``winners`` in this order (the
        order a float pass found); it explains an outcome without searching for it again.

        A ballot group's budget is kept as a chain (what it started with, less each full price
        it paid) with a float copy and a bound on that copy's error; who is capped is read from
        the float copy where it is clearly on one side of the price, and decided exactly
        otherwise. Exact budgets are computed only where a decision or a sum needs them."""
        start = _Held(None, Fraction(0), float(per_voter), abs(float(per_voter)) * _ULP)
        start.value = per_voter
        held = [start] * len(self.weights)
        bought: dict[str, tuple[int, Fraction]] = {}
        for position, project in enumerate(winners, start=1):
            price = self._replay_price(project, held)
            rough_price = float(price)
            # Ballots that backed the same winners share one chain: each is extended once.
            after: dict[int, tuple[_Held, _Held]] = {}
            for g in self.groups[project]:
                before = held[g]
                found = after.get(id(before))
                if found is None:
                    pays_all = _clearly_above(before, rough_price, price)
                    left = before.less(price, rough_price) if pays_all else _EMPTY
                    found = after[id(before)] = (before, left)
                held[g] = found[1]
            bought[project] = (position, price)
        return bought

    def _replay_price(self, project: str, held: list[_Held]) -> Fraction:
        members = self.groups[project]
        cost = self.cost[project]
        weight = self.support[project]
        guess = Fraction(cost, weight)
        while True:  # the capped set grows until it is stable; the price only rises
            rough_guess = float(guess)
            slack = abs(rough_guess) * _ULP
            capped = []
            for g in members:  # _clearly_above, inlined: this loop is the replay's hot spot
                chain = held[g]
                gap = chain.rough - rough_guess
                if gap > chain.error + slack:
                    continue
                if -gap > chain.error + slack or chain.exact() <= guess:
                    capped.append(g)
            capped_weight = sum(self.weights[g] for g in capped)
            if capped_weight >= weight:
                break
            # The money of the capped, summed by chain, then multiplied exactly.
            by_chain: dict[int, list[Any]] = {}
            for g in capped:
                entry = by_chain.setdefault(id(held[g]), [held[g], 0])
                entry[1] += self.weights[g]
            paid = sum((chain.exact() * count for chain, count in by_chain.values()), Fraction(0))
            price = (cost - paid) / (weight - capped_weight)
            if price == guess:
                return price
            guess = price
        exact = {g: held[g].exact() for g in members}
        found = self._price(project, exact)  # type: ignore[arg-type]  # the general case
        if found is None:
            raise ValueError(f"{project} is not affordable in this order")
        return found

    def __call__(self, per_voter: Fraction) -> tuple[list[str], dict[str, tuple[int, Fraction]]]:
        budgets = [per_voter] * len(self.weights)
        candidates = {p for p, groups in self.groups.items() if groups and self.cost[p] > 0}
        bound: dict[str, Fraction] = dict.fromkeys(candidates, Fraction(0))
        winners: list[str] = []
        bought: dict[str, tuple[int, Fraction]] = {}
        while candidates:
            best: str | None = None
            best_key: tuple[Fraction, int, int, int] | None = None
            best_price = Fraction(0)
            for project in sorted(candidates, key=lambda p: (bound[p], *self._tie(p))):
                if best_key is not None and bound[project] > best_key[0]:
                    break  # its rho can only have grown: it cannot win this round
                price = self._price(project, budgets)
                if price is None:
                    candidates.discard(project)  # budgets only fall: never affordable again
                    continue
                rho = price / self.cost[project]
                bound[project] = rho
                key = (rho, *self._tie(project))
                if best_key is None or key < best_key:
                    best, best_key, best_price = project, key, price
            if best is None:
                break
            for g in self.groups[best]:
                budgets[g] -= min(budgets[g], best_price)
            candidates.discard(best)
            winners.append(best)
            bought[best] = (len(winners), best_price)
        return winners, bought


def equal_shares(
    election: Election,
    *,
    completion: str = "none",
    increment: int = 1,
    compare_with_greedy: bool = False,
    max_steps: int = 100_000,
) -> Outcome:
    """MES with a completion method.

    ``completion``: "none"; "add1" (raise every voter's budget by ``increment`` while the outcome
    still fits the budget, keeping the last that fits); "add1-exhaustive" (keep raising past
    outcomes that do not fit, until one that fits leaves no room for another project);
    "add1-greedy" (add1, then fill the rest greedily by votes). ``compare_with_greedy``: keep the
    greedy outcome instead if more voters prefer it (a voter prefers the outcome giving more cost
    to the projects they voted for).
    """
    # numba and numpy load here, with the first count, not with every process that imports the
    # rules (the web workers, the job worker and each command line start a second sooner).
    from .mes_float import Ambiguous, FloatRun, workers

    run = _Run(election)
    fast = FloatRun(election, run.votes)  # the votes counted once, for the tie-break
    voters = election.voters
    base = Fraction(election.budget, voters) if voters else Fraction(0)
    steps = exact_passes = 0

    def one_pass(per_voter: Fraction, limit: int | None) -> list[str]:
        nonlocal exact_passes
        try:
            return fast(float(per_voter), limit)
        except Ambiguous:  # a decision too close for floats: the exact pass takes it
            exact_passes += 1
            return run(per_voter)[0]

    winners = one_pass(base, None)
    chosen = base
    if completion in ("add1", "add1-greedy", "add1-exhaustive") and voters:
        supported = {p for p, groups in run.groups.items() if groups}
        exhaustive = completion == "add1-exhaustive"
        limit = None if exhaustive else election.budget
        # Past this, every voter alone could pay for the whole budget: nothing new can happen.
        ceiling = base + election.budget
        # The next steps' passes are computed ahead on every core, in batches of an eighth of
        # the steps taken so far (so at most that much is computed in vain past the last
        # step); the loop still reads them one by one, in order.
        ahead: list[list[str] | None] = []
        threads = workers()
        with ThreadPoolExecutor(threads) as pool:
            while set(winners) != supported and steps < max_steps:
                if exhaustive and _is_exhaustive(election, winners):
                    break
                steps += 1
                per_voter = base + steps * increment
                if per_voter > ceiling:
                    break
                if not ahead:
                    count = min(max(threads, steps // 8), 512, max_steps - steps + 1)
                    budgets = [float(base + (steps + k) * increment) for k in range(count)]
                    ahead = fast.many(budgets, limit, pool, threads)
                more = ahead.pop(0)
                if more is None:  # a decision too close for floats: the exact pass takes it
                    exact_passes += 1
                    more = run(per_voter)[0]
                if sum(run.cost[p] for p in more) > election.budget:
                    if exhaustive:
                        continue  # keep raising: a later step may fit again and spend more
                    break
                winners, chosen = more, per_voter
    bought = run.replay(chosen, winners)
    results: dict[str, ProjectResult] = {}
    for project in election.projects:
        if project in bought:
            position, price = bought[project]
            results[project] = ProjectResult(
                project,
                True,
                "selected",
                run.votes[project],
                position=position,
                round=position,
                price_per_supporter=price,
            )
        else:
            results[project] = ProjectResult(project, False, "not_affordable", run.votes[project])
    rule = "mes" if completion == "none" else f"mes-{completion}"
    outcome = Outcome(
        rule,
        list(winners),
        results,
        sum(run.cost[p] for p in winners),
        {"completion": completion, "add1_steps": steps, "exact_passes": exact_passes},
    )
    if completion == "add1-greedy":
        filled = greedy(election, already=list(winners))
        for project in filled.winners[len(winners) :]:
            outcome.results[project] = ProjectResult(
                project,
                True,
                "selected_by_completion",
                run.votes[project],
                position=filled.winners.index(project) + 1,
            )
        outcome.winners, outcome.spent = filled.winners, filled.spent
    if compare_with_greedy:
        other = greedy(election)
        if _prefer(election, other.winners, outcome.winners):
            other.details["replaced"] = rule
            return other
    return outcome


def _is_exhaustive(election: Election, winners: list[str]) -> bool:
    """No project left out would still fit in the money not spent."""
    left = election.budget - sum(election.projects[p].cost for p in winners)
    return all(project.cost > left for p, project in election.projects.items() if p not in winners)


def _prefer(election: Election, first: list[str], second: list[str]) -> bool:
    """Whether more voters prefer ``first`` to ``second`` than the reverse."""
    a, b = set(first), set(second)
    cost = {p: project.cost for p, project in election.projects.items()}
    for_first = for_second = 0
    for ballot in election.ballots:
        mine = {p for p, points in ballot.points if points > 0}
        utility_a = sum(cost[p] for p in mine & a)
        utility_b = sum(cost[p] for p in mine & b)
        if utility_a > utility_b:
            for_first += ballot.weight
        elif utility_b > utility_a:
            for_second += ballot.weight
    return for_first > for_second
