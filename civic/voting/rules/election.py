"""An election: projects with costs, a budget, and ballots (grouped when identical)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class VoteType(StrEnum):
    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"  # one project per voter: an approval ballot of exactly one
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    SCORING = "scoring"


@dataclass(frozen=True)
class Project:
    id: str
    cost: int
    name: str = ""
    # What a Pabulib file says of it, where it does; no rule reads them.
    categories: tuple[str, ...] = field(default=(), compare=False)
    targets: tuple[str, ...] = field(default=(), compare=False)


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


@dataclass(frozen=True)
class BallotProblem:
    """A ballot that breaks its file's own limits: counted as the file records it, and said."""

    line: int
    voter_id: str
    message: str


@dataclass(frozen=True)
class Limits:
    """The limits a Pabulib META may set on each ballot, and the score a project needs."""

    KEYS = (
        "min_length",
        "max_length",
        "min_sum_cost",
        "max_sum_cost",
        "min_points",
        "max_points",
        "min_sum_points",
        "max_sum_points",
        "min_project_score_threshold",
    )

    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: int | None = None
    max_sum_cost: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None
    min_project_score_threshold: int | None = None

    def any(self) -> bool:
        return any(getattr(self, name) is not None for name in self.KEYS[:-1])

    def broken_by(
        self, points: tuple[tuple[str, int], ...], projects: dict[str, Project], vote_type: VoteType
    ) -> list[str]:
        """What is wrong with one ballot (its (project, points) pairs) under these limits
        (nothing: an empty list)."""
        found: list[str] = []
        length = len(points)
        most = 1 if vote_type is VoteType.CHOOSE_1 else self.max_length
        if vote_type is VoteType.CHOOSE_1 and length != 1:
            found.append(f"{length} projects chosen on a choose-1 ballot")
        elif most is not None and length > most:
            found.append(f"{length} projects chosen, at most {most} allowed")
        if self.min_length is not None and length < self.min_length:
            found.append(f"{length} projects chosen, at least {self.min_length} needed")
        if self.max_sum_cost is not None or self.min_sum_cost is not None:
            found += self._cost(sum(projects[p].cost for p, _points in points))
        if vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
            found += self._points([given for _project, given in points])
        return found

    def _cost(self, cost: int) -> list[str]:
        found: list[str] = []
        if self.max_sum_cost is not None and cost > self.max_sum_cost:
            found.append(f"the chosen projects cost {cost}, more than {self.max_sum_cost}")
        if self.min_sum_cost is not None and cost < self.min_sum_cost:
            found.append(f"the chosen projects cost {cost}, less than {self.min_sum_cost}")
        return found

    def _points(self, given: list[int]) -> list[str]:
        found: list[str] = []
        if self.max_points is not None and any(p > self.max_points for p in given):
            found.append(f"more than {self.max_points} points to one project")
        if self.min_points is not None and any(p < self.min_points for p in given):
            found.append(f"fewer than {self.min_points} points to a project")
        total = sum(given)
        if self.max_sum_points is not None and total > self.max_sum_points:
            found.append(f"{total} points given, at most {self.max_sum_points} allowed")
        if self.min_sum_points is not None and total < self.min_sum_points:
            found.append(f"{total} points given, at least {self.min_sum_points} needed")
        return found


@dataclass
class Election:
    """Everything a rule needs. Projects keep the published order (the last tie-break)."""

    budget: int
    projects: dict[str, Project]
    ballots: list[Ballot]
    vote_type: VoteType = VoteType.APPROVAL
    meta: dict[str, str] = field(default_factory=dict)
    official_winners: list[str] | None = None  # the PROJECTS 'selected' column, where present
    # Each project's mark in that column: 1 chosen by the rule, 2 by a reserve step, 3 by extra
    # funds (Poznań), 0 or blank not chosen.
    selected: dict[str, int] | None = None
    limits: Limits = field(default_factory=Limits)
    problems: list[BallotProblem] = field(default_factory=list)

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
