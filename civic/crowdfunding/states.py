"""The states of campaigns and pledges, and the moves between them, as pure functions.

The database backs the same states with CHECK constraints; services move only through here.
"""

from __future__ import annotations

from enum import StrEnum

from ..core.refusals import Conflict


class IllegalMove(Conflict):
    """A campaign or pledge cannot make this move from its state."""

    def __init__(self, kind: str, current: str, target: str) -> None:
        super().__init__("illegal_move", kind=kind, current=current, target=target)
        self.current, self.target = current, target


class ApplicationState(StrEnum):
    SUBMITTED = "submitted"
    SELECTED = "selected"
    REJECTED = "rejected"


class CampaignState(StrEnum):
    DRAFT = "draft"  # selected, not yet open to backers
    LIVE = "live"  # open to pledges until the deadline
    CHARGING = "charging"  # the goal was reached: pledges are being charged
    GRACE = "grace"  # some charges failed: backers have a few days to pay
    SUCCEEDED = "succeeded"  # final total fixed, match recorded
    FAILED = "failed"  # the goal was not reached: no one is charged


class PledgeState(StrEnum):
    PENDING = "pending"  # card not yet confirmed with Stripe
    ACTIVE = "active"  # card saved; nothing charged
    CANCELLED = "cancelled"  # by the backer, before the deadline
    CHARGED = "charged"
    ACTION_NEEDED = "action_needed"  # the charge needs the backer (authentication or new card)
    LAPSED = "lapsed"  # not paid within the grace period
    RELEASED = "released"  # the campaign failed: never charged
    REFUNDED = "refunded"
    EXPIRED = "expired"  # the card was not confirmed in time: its reward place is freed


CAMPAIGN_MOVES: dict[CampaignState, frozenset[CampaignState]] = {
    CampaignState.DRAFT: frozenset({CampaignState.LIVE}),
    CampaignState.LIVE: frozenset({CampaignState.CHARGING, CampaignState.FAILED}),
    CampaignState.CHARGING: frozenset({CampaignState.GRACE, CampaignState.SUCCEEDED}),
    CampaignState.GRACE: frozenset({CampaignState.SUCCEEDED}),
    CampaignState.SUCCEEDED: frozenset(),
    CampaignState.FAILED: frozenset(),
}

PLEDGE_MOVES: dict[PledgeState, frozenset[PledgeState]] = {
    PledgeState.PENDING: frozenset(
        {PledgeState.ACTIVE, PledgeState.CANCELLED, PledgeState.EXPIRED}
    ),
    PledgeState.ACTIVE: frozenset(
        {
            PledgeState.CANCELLED,
            PledgeState.CHARGED,
            PledgeState.ACTION_NEEDED,
            PledgeState.RELEASED,
        }
    ),
    PledgeState.ACTION_NEEDED: frozenset({PledgeState.CHARGED, PledgeState.LAPSED}),
    PledgeState.CHARGED: frozenset({PledgeState.REFUNDED}),
    PledgeState.CANCELLED: frozenset(),
    PledgeState.LAPSED: frozenset(),
    PledgeState.RELEASED: frozenset(),
    PledgeState.EXPIRED: frozenset(),
    PledgeState.REFUNDED: frozenset(),
}

# Pledges whose money counts towards the goal before the deadline.
COUNTING = frozenset({PledgeState.ACTIVE, PledgeState.CHARGED, PledgeState.ACTION_NEEDED})


def move_campaign(current: str, target: CampaignState) -> str:
    if target not in CAMPAIGN_MOVES[CampaignState(current)]:
        raise IllegalMove("campaign", current, target.value)
    return target.value


def move_pledge(current: str, target: PledgeState) -> str:
    if target not in PLEDGE_MOVES[PledgeState(current)]:
        raise IllegalMove("pledge", current, target.value)
    return target.value


def values(enum: type[StrEnum]) -> str:
    """For CHECK constraints: 'a', 'b', 'c'."""
    return ", ".join(f"'{member.value}'" for member in enum)
