"""What a rule returns: the winners in order, and for each project why it won or lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class ProjectResult:
    project_id: str
    selected: bool
    # "selected", "selected_by_completion", "did_not_fit", "below_threshold", "stopped",
    # "not_affordable"
    reason: str
    score: int = 0
    position: int | None = None  # order of selection, from 1
    round: int | None = None  # MES round in which it was bought
    price_per_supporter: Fraction | None = None  # MES: the most any supporter paid
    remaining_budget: Fraction | None = None  # greedy: what was left when it was considered


@dataclass
class Outcome:
    rule: str
    winners: list[str]
    results: dict[str, ProjectResult] = field(default_factory=dict)
    spent: int = 0
    details: dict[str, object] = field(default_factory=dict)
