"""What a rule returns: the winners in order, and for each project why it won or lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class ProjectResult:
    project_id: str
    selected: bool
    # "selected", "selected_by_completion", "selected_by_reserve", "selected_by_extra_funds",
    # "did_not_fit", "never_fits", "below_threshold", "stopped", "not_affordable"
    reason: str
    score: int = 0
    position: int | None = None  # order of selection, from 1
    round: int | None = None  # MES round in which it was bought
    price_per_supporter: Fraction | None = None  # MES: the most any supporter paid
    remaining_budget: Fraction | None = None  # greedy: what was left when it was considered


# How a Pabulib file's 'selected' column marks a winner chosen by a step after the rule.
MARKS = {"selected_by_reserve": 2, "selected_by_extra_funds": 3}


@dataclass
class Outcome:
    """``rule``: the rule that ran. ``named``: the name it was asked for, where that differs (a
    file's 'unknown'); ``note`` then says what ran instead, in a sentence."""

    rule: str
    winners: list[str]
    results: dict[str, ProjectResult] = field(default_factory=dict)
    spent: int = 0
    details: dict[str, object] = field(default_factory=dict)
    named: str = ""
    note: str = ""

    def marks(self) -> dict[str, int]:
        """Each winner's mark as a Pabulib file writes it: 1, or 2 and 3 for the later steps."""
        return {
            p: MARKS.get(self.results[p].reason, 1) if p in self.results else 1
            for p in self.winners
        }
