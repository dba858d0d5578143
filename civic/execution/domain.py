"""The rules of execution tracking, as pure functions over plain values."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from ..core.money import MAX_AMOUNT_CENTS
from ..core.refusals import Refused


class Source(enum.StrEnum):
    """What funded the project."""

    BUDGET = "budget"  # a winner of a participatory-budget vote
    CAMPAIGN = "campaign"  # a civic crowdfunding campaign that met its goal
    GRANT = "grant"  # a grant awarded


class Status(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Completed and cancelled are final: a project reopened by mistake is corrected by staff with a
# new update explaining it, not by silently moving back.
MOVES: dict[Status, frozenset[Status]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.PLANNED, Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
}


class ExecutionRefused(Refused):
    """A change the rules do not allow; ``code`` names the reason."""


@dataclass(frozen=True)
class Progress:
    """What staff report about a project at one moment."""

    status: Status
    percent: int
    committed_cents: int
    spent_cents: int


def check_progress(before: Progress, after: Progress) -> None:
    """Refuse a report that breaks the rules; a report equal to the last one is refused too."""
    if after.status != before.status and after.status not in MOVES[before.status]:
        raise ExecutionRefused("status_move")
    if not 0 <= after.percent <= 100:
        raise ExecutionRefused("percent_range")
    for amount in (after.committed_cents, after.spent_cents):
        if not 0 <= amount <= MAX_AMOUNT_CENTS:
            raise ExecutionRefused("amount_range")
    if after.spent_cents > after.committed_cents:
        raise ExecutionRefused("spent_over_committed")
    if after.status == Status.COMPLETED and after.percent != 100:
        raise ExecutionRefused("completed_not_full")
    if after.status == Status.PLANNED and after.percent != 0:
        raise ExecutionRefused("planned_has_progress")
    if after == before:
        raise ExecutionRefused("nothing_changed")


def check_milestone(title: str, due_on: date | None) -> None:
    if not title.strip() or len(title) > 200:
        raise ExecutionRefused("milestone_title")
    if due_on is None:
        raise ExecutionRefused("milestone_date")


def changed_fields(before: Progress, after: Progress) -> list[str]:
    """Names of what changed, in a fixed order (for the update and the e-mail)."""
    return [
        name
        for name in ("status", "percent", "committed_cents", "spent_cents")
        if getattr(before, name) != getattr(after, name)
    ]
