"""A fast pass of the Method of Equal Shares in floating point, that knows when it may be wrong.

Add-one completion runs MES once per unit of budget per voter: hundreds of passes on a city's
election. The exact pass (``mes._Run``, fractions) is the reference; this one computes the same
quantities in floats and keeps a certificate: every decision it takes (is a project affordable?
which project has the lowest price per unit?) is taken only with a relative margin above
``MARGIN``. Float errors here are far smaller: each quantity is a sum of at most G terms
(G = distinct ballots) after at most R rounds, so its relative error is below (G + R) x 2^-53,
about 1e-12 for G = 10^4 and R = 10^2. A decision with a margin above 1e-9 is therefore the
decision exact arithmetic takes. When a decision is closer than that, the pass says so (raises
``Ambiguous``) and the caller runs the exact pass instead. Exact ties (equal supporters, nobody
capped) are recognised as ties, because the price per unit is then computed as exactly 1/W in
both.

The pass is compiled by numba (cached on disk after the first run) and releases the GIL, so
several add-one steps run at once on several cores (``FloatRun.many``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import njit

from .election import Election, supporters

MARGIN = 1e-9
_UNAFFORDABLE, _PRICED, _TOO_CLOSE = 0, 1, 2


class Ambiguous(Exception):
    """A decision too close to call in floating point."""


@njit(cache=True, nogil=True)
def _rho(
    j: int, budgets: Any, start: Any, member: Any, weight: Any, cost: Any, support: Any
) -> Any:
    """(status, price per unit, price per supporter, nobody capped) for project j."""
    first, last = start[j], start[j + 1]
    c, total_weight = cost[j], support[j]
    price = c / total_weight  # an equal share; who holds less is capped at what they hold
    total = capped_weight = capped_money = 0.0
    for t in range(first, last):  # one pass: the supporters' money and who is capped
        b = budgets[member[t]]
        total += b * weight[t]
        if b < price:
            capped_weight += weight[t]
            capped_money += b * weight[t]
    if total < c * (1 - MARGIN):
        return _UNAFFORDABLE, 0.0, 0.0, False
    if total <= c * (1 + MARGIN):
        return _TOO_CLOSE, 0.0, 0.0, False  # the supporters have just about the price
    if capped_weight == 0.0:
        return _PRICED, 1.0 / total_weight, price, True  # everyone pays an equal share
    price = (c - capped_money) / (total_weight - capped_weight)
    while True:  # the capped set grows until it is stable; the price only rises
        found_weight = found_money = 0.0
        for t in range(first, last):
            b = budgets[member[t]]
            if b < price:
                found_weight += weight[t]
                found_money += b * weight[t]
        if found_weight == capped_weight:
            break
        capped_weight, capped_money = found_weight, found_money
        price = (c - capped_money) / (total_weight - capped_weight)
    return _PRICED, (1.0 - capped_money / c) / (total_weight - capped_weight), price, False


@njit(cache=True, nogil=True)
def _lowest(bound: Any, rank: Any, active: Any, skip: int) -> int:
    """The active project with the lowest bound (then the best tie-break rank), or -1."""
    best = -1
    for k in range(bound.shape[0]):
        if (
            active[k]
            and k != skip
            and (
                best < 0
                or bound[k] < bound[best]
                or (bound[k] == bound[best] and rank[k] < rank[best])
            )
        ):
            best = k
    return best


@njit(cache=True, nogil=True)
def _pass(
    per_voter: float, limit: int, groups: int, start: Any, member: Any, weight: Any,
    cost: Any, int_cost: Any, support: Any, rank: Any,
) -> Any:  # fmt: skip
    """Winners (indexes, in order) and their number; -1 when a decision is too close. A
    project's bound is a price per unit it had earlier in the pass: budgets only fall, so its
    price only rises, and a project is priced again only when its bound is the lowest."""
    n = cost.shape[0]
    budgets = np.full(groups, per_voter)
    bound = np.zeros(n)
    active = np.zeros(n, dtype=np.bool_)
    for j in range(n):
        if support[j] > 0 and cost[j] > 0:
            active[j] = True
            bound[j] = 1.0 / support[j]
    winners = np.zeros(n, dtype=np.int64)
    count = spent = 0
    while True:
        j = _lowest(bound, rank, active, -1)
        if j < 0:
            break
        status, rho, price, pure = _rho(j, budgets, start, member, weight, cost, support)
        if status == _TOO_CLOSE:
            return winners, -1
        if status == _UNAFFORDABLE:
            active[j] = False  # budgets only fall: never affordable again in this pass
            continue
        runner_up = _lowest(bound, rank, active, j)
        if runner_up >= 0 and rho > bound[runner_up] * (1 + MARGIN):
            bound[j] = rho  # someone else may be cheaper
            continue
        if runner_up >= 0 and rho >= bound[runner_up] * (1 - MARGIN):
            # Others are within the margin of j: price them again; j wins only if it is clearly
            # the cheapest, or exactly tied (nobody capped, equal supporters) and first by the
            # tie-break.
            for k in range(n):
                if k == j or not active[k] or bound[k] > rho * (1 + MARGIN):
                    continue
                found, other, _price, other_pure = _rho(
                    k, budgets, start, member, weight, cost, support
                )
                if found == _TOO_CLOSE:
                    return winners, -1
                if found == _UNAFFORDABLE:
                    active[k] = False
                    continue
                bound[k] = other
                if other > rho * (1 + MARGIN):
                    continue
                if not (pure and other_pure and other == rho) or rank[k] < rank[j]:
                    return winners, -1  # too close, or k would win the tie: exact pass decides
        # j is the winner of this round.
        for t in range(start[j], start[j + 1]):
            g = member[t]
            budgets[g] = max(budgets[g] - price, 0.0)
        active[j] = False
        winners[count] = j
        count += 1
        spent += int_cost[j]
        if limit >= 0 and spent > limit:
            break
    return winners, count


@njit(cache=True, nogil=True)
def _passes(
    per_voters: Any, limit: int, groups: int, start: Any, member: Any, weight: Any,
    cost: Any, int_cost: Any, support: Any, rank: Any,
) -> Any:  # fmt: skip
    """One pass per budget, in one call (no Python between passes): winners row by row, and
    each row's count (-1: the exact pass must decide)."""
    out = np.zeros((per_voters.shape[0], cost.shape[0]), dtype=np.int64)
    counts = np.zeros(per_voters.shape[0], dtype=np.int64)
    for k in range(per_voters.shape[0]):
        winners, count = _pass(
            per_voters[k], limit, groups, start, member, weight, cost, int_cost, support, rank
        )
        out[k, :] = winners
        counts[k] = count
    return out, counts


class FloatRun:
    """Passes of MES with cost utilities, each given a budget per voter, in floats."""

    def __init__(self, election: Election, votes: dict[str, int] | None = None) -> None:
        self.ids = list(election.projects)
        index = {p: n for n, p in enumerate(self.ids)}
        members: list[list[int]] = [[] for _ in self.ids]
        for g, ballot in enumerate(election.ballots):
            for project, points in ballot.points:
                if points > 0 and project in index:
                    members[index[project]].append(g)
        weights = np.array([ballot.weight for ballot in election.ballots], dtype=np.float64)
        self.groups = len(election.ballots)
        # Each project's supporting ballot groups, one after another (start[j]:start[j + 1]).
        self.start = np.zeros(len(self.ids) + 1, dtype=np.int64)
        self.start[1:] = np.cumsum([len(m) for m in members])
        flat = [g for m in members for g in m]
        self.member = np.array(flat, dtype=np.int64)
        self.weight = weights[self.member] if flat else np.zeros(0)
        self.support = np.array(
            [float(weights[m].sum()) if m else 0.0 for m in members], dtype=np.float64
        )
        self.cost = np.array([float(election.projects[p].cost) for p in self.ids])
        self.int_cost = np.array([election.projects[p].cost for p in self.ids], dtype=np.int64)
        votes = supporters(election) if votes is None else votes
        order = election.order()
        tie = {p: (election.projects[p].cost, -votes[p], order[p]) for p in self.ids}
        self.rank = np.zeros(len(self.ids), dtype=np.int64)
        for position, p in enumerate(sorted(self.ids, key=tie.__getitem__)):
            self.rank[index[p]] = position

    def _run(self, per_voter: float, budget_limit: int | None) -> list[str] | None:
        winners, count = _pass(
            per_voter, -1 if budget_limit is None else budget_limit, self.groups, self.start,
            self.member, self.weight, self.cost, self.int_cost, self.support, self.rank,
        )  # fmt: skip
        return None if count < 0 else [self.ids[j] for j in winners[:count]]

    def __call__(self, per_voter: float, budget_limit: int | None = None) -> list[str]:
        """The winners in order. Raises Ambiguous when the exact pass must decide; stops early
        once the winners cost more than ``budget_limit`` (the outcome cannot fit any more)."""
        found = self._run(per_voter, budget_limit)
        if found is None:
            raise Ambiguous
        return found

    def many(
        self,
        per_voters: Sequence[float],
        budget_limit: int | None,
        pool: ThreadPoolExecutor,
        threads: int,
    ) -> list[list[str] | None]:
        """Several passes at once, split in one slice per thread, in order; None where the
        exact pass must decide."""
        budgets = np.array(per_voters, dtype=np.float64)
        limit = -1 if budget_limit is None else budget_limit
        slices = [part for part in np.array_split(budgets, threads) if part.size]

        def run(part: Any) -> Any:
            return _passes(
                part, limit, self.groups, self.start, self.member, self.weight, self.cost,
                self.int_cost, self.support, self.rank,
            )  # fmt: skip

        found: list[list[str] | None] = []
        for rows, counts in pool.map(run, slices):
            for row, count in zip(rows, counts, strict=True):
                found.append(None if count < 0 else [self.ids[j] for j in row[:count]])
        return found


def workers() -> int:
    """Threads for add-one's passes: the cores this process may use, up to four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))
