"""The ledger: every movement of money as lines that sum to zero, never changed afterwards.

Accounts, seen from the campaign: ``pledged`` (promised, not yet charged) against
``backer_commitments``; ``stripe`` (charged, held by Stripe) against ``backers``; ``city``
(the match, paid outside Stripe) and ``payout`` (what the lead partner receives).
Totals shown anywhere are sums of these lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..core.db import add_once
from .models import LEDGER_ACCOUNTS, LEDGER_KINDS, LedgerEntry


class LedgerError(Exception):
    pass


class Unbalanced(LedgerError):
    pass


def post(
    session: Session,
    *,
    movement: str,
    campaign_id: int,
    kind: str,
    lines: dict[str, int],
    now: datetime,
    pledge_id: int | None = None,
    reference: str = "",
) -> bool:
    """Write one movement; False if a movement with this key was already posted (nothing new)."""
    if sum(lines.values()) != 0:
        raise Unbalanced(f"{movement}: lines sum to {sum(lines.values())}")
    if not all(isinstance(amount, int) for amount in lines.values()):
        raise LedgerError("amounts are whole cents")
    if kind not in LEDGER_KINDS or not set(lines) <= set(LEDGER_ACCOUNTS):
        raise LedgerError(f"unknown kind or account in {movement}")
    with session.begin_nested():
        for number, (account, amount) in enumerate(sorted(lines.items())):
            entry = LedgerEntry(
                movement=movement,
                campaign_id=campaign_id,
                pledge_id=pledge_id,
                kind=kind,
                account=account,
                amount_cents=amount,
                reference=reference,
                created_at=now,
            )
            if not add_once(session, entry):
                if number == 0:
                    return False  # posted before: a rerun or a replay
                raise LedgerError(f"{movement}: half posted")
    return True


@dataclass(frozen=True)
class Totals:
    """A campaign's money, from its ledger lines."""

    pledged: int  # promised and not yet charged
    charged: int  # charged from backers, net of refunds
    city_match: int  # recorded when the campaign succeeds
    paid_out: int

    @property
    def raised(self) -> int:
        """What backers have promised or paid: the figure the goal is measured against."""
        return self.pledged + self.charged


def balances(session: Session, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = session.execute(
        select(LedgerEntry.campaign_id, LedgerEntry.account, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.campaign_id.in_(campaign_ids))
        .group_by(LedgerEntry.campaign_id, LedgerEntry.account)
    ).all()
    found: dict[int, dict[str, int]] = {campaign_id: {} for campaign_id in campaign_ids}
    for campaign_id, account, total in rows:
        found[campaign_id][account] = int(total or 0)
    return found


def totals_of(accounts: dict[str, int]) -> Totals:
    return Totals(
        pledged=accounts.get("pledged", 0),
        charged=-accounts.get("backers", 0),
        city_match=-accounts.get("city", 0),
        paid_out=accounts.get("payout", 0),
    )


def totals(session: Session, campaign_id: int) -> Totals:
    return totals_of(balances(session, [campaign_id])[campaign_id])


def unbalanced(session: Session) -> list[tuple[str, int]]:
    """Movements whose lines do not sum to zero: always empty, and a check proves it."""
    rows = session.execute(
        select(LedgerEntry.movement, func.sum(LedgerEntry.amount_cents))
        .group_by(LedgerEntry.movement)
        .having(func.sum(LedgerEntry.amount_cents) != 0)
    ).all()
    return [(movement, int(total)) for movement, total in rows]


def entries(session: Session, campaign_id: int) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.campaign_id == campaign_id)
            .order_by(LedgerEntry.id)
        )
    )


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, LedgerEntry) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise LedgerError("the ledger is append-only")
