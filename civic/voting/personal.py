"""A person's share of voting: in which calls and areas they voted (never how: the ballot is
sealed apart from the roll) and the ballot boxes they guard as a trustee. Nothing is erased:
the roll's entry is what stops a second vote by the same person until the vote is over."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calls.models import Call
from ..core import personal_data
from ..core.personal_data import Activity
from .models import ElectionTrustee, VoterRoll


def _export(session: Session, user: Any) -> dict[str, Any]:
    roll = session.scalars(
        select(VoterRoll).where(VoterRoll.user_id == user.id).order_by(VoterRoll.voted_on)
    )
    seats = session.scalars(
        select(ElectionTrustee)
        .where(ElectionTrustee.user_id == user.id)
        .order_by(ElectionTrustee.id)
    )
    return {
        "votes": [
            {
                "call_id": entry.call_id,
                "area_id": entry.area_id,
                "channel": entry.channel,
                "on": entry.voted_on.date().isoformat(),
            }
            for entry in roll
        ],
        "trustee_of": [{"call_id": seat.call_id, "position": seat.position} for seat in seats],
    }


def _activity(session: Session, user: Any) -> list[Activity]:
    found = [
        Activity(
            "vote",
            call.title(user.language or "it"),
            voted_on,
            "ballot_box.box",
            (("slug", call.slug),),
        )
        for voted_on, call in session.execute(
            select(VoterRoll.voted_on, Call)
            .join(Call, Call.id == VoterRoll.call_id)
            .where(VoterRoll.user_id == user.id)
        )
    ]
    found += [
        Activity(
            "trustee",
            call.title(user.language or "it"),
            None,
            "ballot_box.trustee",
            (("call_id", call.id),),
        )
        for call in session.scalars(
            select(Call)
            .join(ElectionTrustee, ElectionTrustee.call_id == Call.id)
            .where(ElectionTrustee.user_id == user.id)
        )
    ]
    return found


personal_data.register("voting", _export, None, _activity)
