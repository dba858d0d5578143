"""A fast pass of the Method of Equal Shares in floating point, that knows when it may be wrong.

Add-one completion runs MES once per unit of budget per voter: hundreds of passes on a city's
election. The exact pass (``mes._Run``, fractions) is the reference; this one computes the same
quantities with numpy floats and keeps a certificate: every decision it takes (is a project
affordable? which project has the lowest price per unit?) is taken only with a relative margin
above ``MARGIN``. Float errors here are far smaller: each quantity is a sum of at most G terms
(G = distinct ballots) after at most R rounds, so its relative error is below (G + R) x 2^-53,
about 1e-12 for G = 10^4 and R = 10^2. A decision with a margin above 1e-9 is therefore the
decision exact arithmetic takes. When a decision is closer than that, the pass says so (returns
None) and the caller runs the exact pass instead. Exact ties (equal supporters, nobody capped)
are recognised as ties, because the price per unit is then computed as exactly 1/W in both.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from .election import Election, supporters

MARGIN = 1e-9


class Ambiguous(Exception):
    """A decision too close to call in floating point."""


class FloatRun:
    """One pass of MES with cost utilities, given a budget per voter, in floats."""

    def __init__(self, election: Election) -> None:
        self.ids = list(election.projects)
        index = {p: n for n, p in enumerate(self.ids)}
        members: list[list[int]] = [[] for _ in self.ids]
        for g, ballot in enumerate(election.ballots):
            for project, points in ballot.points:
                if points > 0 and project in index:
                    members[index[project]].append(g)
        weights = np.array([ballot.weight for ballot in election.ballots], dtype=np.float64)
        self.groups = len(election.ballots)
        self.members = [np.array(m, dtype=np.int64) for m in members]
        self.weights = [weights[m] for m in self.members]
        self.support = [float(w.sum()) for w in self.weights]
        self.cost = [float(election.projects[p].cost) for p in self.ids]
        self.int_cost = [election.projects[p].cost for p in self.ids]
        votes = supporters(election)
        order = election.order()
        self.tie = [(election.projects[p].cost, -votes[p], order[p]) for p in self.ids]

    def _rho(self, j: int, budgets: Any) -> tuple[float, float, bool] | None:
        """(price per unit, price per supporter, nobody capped) or None if unaffordable."""
        bm = budgets[self.members[j]]
        wm = self.weights[j]
        c, total_weight = self.cost[j], self.support[j]
        total = float(bm @ wm)
        if total < c * (1 - MARGIN):
            return None
        if total <= c * (1 + MARGIN):
            raise Ambiguous  # the supporters have just about the price: too close to call
        price = c / total_weight
        if bm.min() >= price:
            return 1.0 / total_weight, price, True  # everyone pays an equal share
        capped_weight = capped_money = 0.0
        while True:
            capped = bm < price
            weight = float(wm[capped].sum())
            if weight == capped_weight:
                break  # the capped set is stable: the price is found
            capped_weight = weight
            capped_money = float(bm[capped] @ wm[capped])
            price = (c - capped_money) / (total_weight - capped_weight)
        if capped_weight == 0.0:
            return 1.0 / total_weight, price, True
        return (1.0 - capped_money / c) / (total_weight - capped_weight), price, False

    def __call__(self, per_voter: float, budget_limit: int | None = None) -> list[str]:
        """The winners in order. Raises Ambiguous when the exact pass must decide; stops early
        once the winners cost more than ``budget_limit`` (the outcome cannot fit any more)."""
        budgets = np.full(self.groups, per_voter, dtype=np.float64)
        heap = [
            ((1.0 / self.support[j], *self.tie[j]), j)
            for j in range(len(self.ids))
            if self.support[j] > 0 and self.cost[j] > 0
        ]
        heapq.heapify(heap)
        winners: list[str] = []
        spent = 0
        while heap:
            _bound, j = heapq.heappop(heap)
            found = self._rho(j, budgets)
            if found is None:
                continue  # budgets only fall: never affordable again in this pass
            rho, price, pure = found
            if heap and rho > heap[0][0][0] * (1 + MARGIN):
                heapq.heappush(heap, ((rho, *self.tie[j]), j))  # someone else may be cheaper
                continue
            if heap and rho >= heap[0][0][0] * (1 - MARGIN):
                self._settle_near(heap, j, rho, pure, budgets)
            # j is the winner of this round.
            members = self.members[j]
            budgets[members] = np.maximum(budgets[members] - price, 0.0)
            winners.append(self.ids[j])
            spent += self.int_cost[j]
            if budget_limit is not None and spent > budget_limit:
                break
        return winners

    def _settle_near(self, heap: list[Any], j: int, rho: float, pure: bool, budgets: Any) -> None:
        """Others are within the margin of j: refresh them; j wins only if it is clearly the
        cheapest, or exactly tied (nobody capped, equal supporters) and first by tie-break."""
        near: list[tuple[Any, int]] = []
        while heap and heap[0][0][0] <= rho * (1 + MARGIN):
            near.append(heapq.heappop(heap))
        keep: list[tuple[Any, int]] = []
        for _bound, k in near:
            found = self._rho(k, budgets)
            if found is None:
                continue
            other, _price, other_pure = found
            if other > rho * (1 + MARGIN):
                keep.append(((other, *self.tie[k]), k))
                continue
            exact_tie = pure and other_pure and other == rho
            if not exact_tie or self.tie[k] < self.tie[j]:
                raise Ambiguous  # too close, or k would win the tie: the exact pass decides
            keep.append(((other, *self.tie[k]), k))
        for item in keep:
            heapq.heappush(heap, item)
