"""Greedy by score within the budget: skipping what does not fit, stopping at it, or with a
minimum score. The score is approvals, points (cumulative) or positional points (ranked).

Ties (equal scores) go to the cheaper project, then the one with more votes, then the published
order: the tie-break civic publishes. ``ties="order"`` uses the published order alone, which is
how a Pabulib file records a tie its city settled (by lot or by its own ranking)."""

from __future__ import annotations

from fractions import Fraction

from .election import Election, scores, supporters
from .outcome import Outcome, ProjectResult

TIES = ("cheaper", "order")


def ranking(election: Election, ties: str = "cheaper") -> list[str]:
    """By score, highest first; ties: cheaper first, then more votes, then published order (or
    the published order alone)."""
    score, order = scores(election), election.order()
    if ties == "order":
        return sorted(election.projects, key=lambda p: (-score[p], order[p]))
    if ties != "cheaper":
        raise ValueError(f"unknown tie-break {ties!r}")
    votes, projects = supporters(election), election.projects
    return sorted(projects, key=lambda p: (-score[p], projects[p].cost, -votes[p], order[p]))


def greedy(
    election: Election,
    *,
    skip: bool = True,
    threshold: int = 0,
    budget: int | None = None,
    already: list[str] | None = None,
    ties: str = "cheaper",
    name: str | None = None,
) -> Outcome:
    """Select in ranking order while the money lasts.

    ``skip``: a project that does not fit is passed over and the next one tried; otherwise the
    selection stops there. ``threshold``: projects scoring less are never selected. Projects
    nobody voted for are never selected. ``already``: winners chosen before (completion of
    another rule), whose cost is already spent. Without skipping, a project dearer than the
    whole budget does not stop the selection: it could never be funded (files mark a withdrawn
    project that way). ``name``: the rule's name in the outcome, for the variants built on this.
    """
    score = scores(election)
    remaining = election.budget if budget is None else budget
    winners = list(already or [])
    remaining -= sum(election.projects[p].cost for p in winners)
    results: dict[str, ProjectResult] = {}
    stopped = False
    rule = "greedy" if skip else "greedy-no-skip"
    total = election.budget if budget is None else budget
    for project_id in ranking(election, ties):
        if project_id in winners:
            continue
        project = election.projects[project_id]
        points = score[project_id]
        left = Fraction(remaining)
        if points <= 0 or points < threshold:
            results[project_id] = ProjectResult(
                project_id, False, "below_threshold", points, remaining_budget=left
            )
        elif stopped:
            results[project_id] = ProjectResult(
                project_id, False, "stopped", points, remaining_budget=left
            )
        elif project.cost > total and not skip:
            results[project_id] = ProjectResult(
                project_id, False, "never_fits", points, remaining_budget=left
            )
        elif project.cost <= remaining:
            winners.append(project_id)
            remaining -= project.cost
            results[project_id] = ProjectResult(
                project_id, True, "selected", points, position=len(winners), remaining_budget=left
            )
        else:
            results[project_id] = ProjectResult(
                project_id, False, "did_not_fit", points, remaining_budget=left
            )
            stopped = not skip
    spent = sum(election.projects[p].cost for p in winners)
    return Outcome(
        name or rule + ("-threshold" if threshold else ""),
        winners,
        results,
        spent,
        {"threshold": threshold, "ties": ties},
    )
