"""Our ledger against Stripe: every pledge's money as Stripe has it, and what differs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import gateway, ledger
from .models import LedgerEntry, Pledge
from .states import PledgeState


@dataclass(frozen=True)
class Difference:
    pledge_id: int | None
    problem: str
    detail: str = ""


def reconcile(session: Session) -> list[Difference]:
    """Compare each pledge that reached Stripe with Stripe's PaymentIntents, and check that the
    ledger balances. An empty list means the two agree to the cent."""
    found = [Difference(None, "unbalanced_movement", m) for m, _t in ledger.unbalanced(session)]
    charged_in_ledger = {
        pledge_id: amount
        for pledge_id, amount in session.execute(
            select(LedgerEntry.pledge_id, LedgerEntry.amount_cents).where(
                LedgerEntry.kind == "pledge_charged", LedgerEntry.account == "stripe"
            )
        )
    }
    pledges = session.scalars(
        select(Pledge).where(Pledge.stripe_customer_id.is_not(None)).order_by(Pledge.id)
    ).all()
    for pledge in pledges:
        intents = gateway.payment_intents_of(str(pledge.stripe_customer_id))
        succeeded = [i for i in intents if i.status == "succeeded"]
        paid = sum(i.amount for i in succeeded)
        in_ledger = charged_in_ledger.get(pledge.id, 0)
        if len(succeeded) > 1:
            found.append(Difference(pledge.id, "charged_more_than_once", f"{len(succeeded)}"))
        if paid != in_ledger:
            found.append(
                Difference(pledge.id, "amount_differs", f"stripe {paid}, ledger {in_ledger}")
            )
        if pledge.state == PledgeState.CHARGED.value and not succeeded:
            found.append(Difference(pledge.id, "charged_here_not_at_stripe"))
        if succeeded and pledge.state not in (
            PledgeState.CHARGED.value,
            PledgeState.REFUNDED.value,
        ):
            found.append(Difference(pledge.id, "charged_at_stripe_not_here", succeeded[0].id))
    return found
