"""An election: projects with costs, a budget, and ballots (grouped when identical)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class VoteType(StrEnum):
    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    SCORING = "scoring"


@dataclass(frozen=True)
class Project:
    id: str
    cost: int
    name: str = ""


@dataclass(frozen=True)
class Ballot:
    """What one voter (or ``weight`` identical voters) gave each project.

    Approval: 1 for each approved project. Cumulative and scoring: the points given.
    Ordinal: the projects in order of preference, with ``points`` derived by the scoring rule.
    """

    points: tuple[tuple[str, int], ...]  # (project id, points) in the ballot's own order
    weight: int = 1

    @property
    def projects(self) -> tuple[str, ...]:
        return tuple(project for project, _ in self.points)


@dataclass
class Election:
    """Everything a rule needs. Projects keep the published order (the last tie-break)."""

    budget: int
    projects: dict[str, Project]
    ballots: list[Ballot]
    vote_type: VoteType = VoteType.APPROVAL
    meta: dict[str, str] = field(default_factory=dict)
    official_winners: list[str] | None = None  # the PROJECTS 'selected' column, where present

    @property
    def voters(self) -> int:
        return sum(ballot.weight for ballot in self.ballots)

    def order(self) -> dict[str, int]:
        """Each project's position in the published order."""
        return {project_id: n for n, project_id in enumerate(self.projects)}


def group_ballots(ballots: Iterable[Ballot]) -> list[Ballot]:
    """Merge identical ballots into one with a weight: rules give the same result, faster."""
    counts: Counter[tuple[tuple[str, int], ...]] = Counter()
    for ballot in ballots:
        counts[ballot.points] += ballot.weight
    return [Ballot(points, weight) for points, weight in counts.items()]


def positional_points(ranked: tuple[str, ...], length: int) -> tuple[tuple[str, int], ...]:
    """Ranked ballot to points: first gets ``length``, then ``length - 1`` ... (e.g. 3-2-1)."""
    return tuple((project, length - n) for n, project in enumerate(ranked) if length - n > 0)


def scores(election: Election) -> dict[str, int]:
    """Each project's total points (approvals for approval ballots)."""
    totals = dict.fromkeys(election.projects, 0)
    for ballot in election.ballots:
        for project, points in ballot.points:
            if project in totals:
                totals[project] += points * ballot.weight
    return totals


def supporters(election: Election) -> dict[str, int]:
    """How many voters gave each project anything (its 'votes')."""
    totals = dict.fromkeys(election.projects, 0)
    for ballot in election.ballots:
        for project, points in ballot.points:
            if project in totals and points > 0:
                totals[project] += ballot.weight
    return totals
