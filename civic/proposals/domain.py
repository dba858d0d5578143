"""Pure rules of proposals: the states and the moves between them, editing and comment windows."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from ..core.refusals import Conflict


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


PUBLIC_STATES = frozenset(
    {Status.SUBMITTED, Status.IN_REVIEW, Status.FEASIBLE, Status.NOT_FEASIBLE, Status.WITHDRAWN}
)
HIDEABLE = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.FEASIBLE, Status.NOT_FEASIBLE})

# Every allowed move; anything else is refused.
MOVES: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.IN_REVIEW),
        (Status.SUBMITTED, Status.WITHDRAWN),
        (Status.IN_REVIEW, Status.WITHDRAWN),
        (Status.IN_REVIEW, Status.FEASIBLE),
        (Status.IN_REVIEW, Status.NOT_FEASIBLE),
        *((state, Status.HIDDEN) for state in HIDEABLE),
        *((Status.HIDDEN, state) for state in HIDEABLE),  # restored after a successful appeal
    }
)


class IllegalMove(Conflict):
    """A proposal cannot go from one state to the other."""

    def __init__(self, source: Status, target: Status) -> None:
        super().__init__("illegal_move", source=source, target=target)
        self.source = source
        self.target = target


def can_move(source: Status, target: Status) -> bool:
    """Whether the move is one of the allowed ones."""
    return (source, target) in MOVES


def move(source: Status, target: Status) -> Status:
    """The new state, or IllegalMove."""
    if not can_move(source, target):
        raise IllegalMove(source, target)
    return target


def is_editable(status: Status, review_started: bool) -> bool:
    """Authors edit drafts and submitted proposals until the review phase starts."""
    return status in (Status.DRAFT, Status.SUBMITTED) and not review_started


def reaches_threshold(supports: int, threshold: int) -> bool:
    """Whether enough supports have arrived to send a submitted proposal to review."""
    return threshold > 0 and supports >= threshold


COMMENT_EDIT_WINDOW = timedelta(minutes=15)


def comment_editable(created_at: datetime, now: datetime) -> bool:
    """Comments can be edited for 15 minutes after they are posted."""
    return now - created_at <= COMMENT_EDIT_WINDOW


MAX_IMAGES = 5
MAX_DOCUMENTS = 5
