"""The life of a grant application, as a pure state machine (DOMAIN.md, "Grants")."""

from __future__ import annotations

from enum import StrEnum

from ..core.refusals import Conflict


class IllegalMove(Conflict):
    """The application's state does not allow this step."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__("illegal_move", current=current, target=target)
        self.current, self.target = current, target


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # protocol number and timestamp given
    FORMAL_CHECK = "formal_check"
    INTEGRATION_REQUESTED = "integration_requested"  # named sections editable until a deadline
    INADMISSIBLE = "inadmissible"
    UNDER_REVIEW = "under_review"  # with the jury
    INTERVIEW = "interview"
    RANKED = "ranked"
    FUNDED = "funded"
    RESERVE = "reserve"
    NOT_ADMITTED = "not_admitted"
    AGREEMENT = "agreement"  # the grant agreement is signed
    REPORTING = "reporting"  # payments in instalments, periodic reports
    CLOSED = "closed"
    REVOKED = "revoked"
    RENOUNCED = "renounced"


MOVES: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.SUBMITTED}),
    State.SUBMITTED: frozenset({State.FORMAL_CHECK}),
    State.FORMAL_CHECK: frozenset(
        {State.UNDER_REVIEW, State.INTEGRATION_REQUESTED, State.INADMISSIBLE}
    ),
    State.INTEGRATION_REQUESTED: frozenset({State.FORMAL_CHECK, State.INADMISSIBLE}),
    State.INADMISSIBLE: frozenset(),
    State.UNDER_REVIEW: frozenset({State.INTERVIEW, State.RANKED}),
    State.INTERVIEW: frozenset({State.RANKED}),
    State.RANKED: frozenset({State.FUNDED, State.RESERVE, State.NOT_ADMITTED}),
    State.RESERVE: frozenset({State.FUNDED, State.NOT_ADMITTED}),  # when funds free up
    State.FUNDED: frozenset({State.AGREEMENT, State.RENOUNCED}),
    State.NOT_ADMITTED: frozenset(),
    State.AGREEMENT: frozenset({State.REPORTING, State.RENOUNCED, State.REVOKED}),
    State.REPORTING: frozenset({State.CLOSED, State.REVOKED, State.RENOUNCED}),
    State.CLOSED: frozenset(),
    State.REVOKED: frozenset(),
    State.RENOUNCED: frozenset(),
}

# The applicant may change the application only in these states (named sections only, when an
# integration is requested).
EDITABLE = frozenset({State.DRAFT, State.INTEGRATION_REQUESTED})
FINAL = frozenset(state for state, targets in MOVES.items() if not targets)


def move(current: str, target: State) -> str:
    if target not in MOVES[State(current)]:
        raise IllegalMove(current, target.value)
    return target.value


def values() -> str:
    """For the CHECK constraint: 'draft', 'submitted', ..."""
    return ", ".join(f"'{state.value}'" for state in State)
