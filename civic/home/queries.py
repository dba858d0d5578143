"""What the home page shows, each read in one query (or two, for the calls' phases)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calls import queries as call_queries
from ..calls.domain import CallStatus, call_status
from ..calls.models import Call
from ..meetings import queries as meeting_queries
from ..meetings.models import Meeting
from ..voting.models import VoteResult


def open_calls(session: Session, now: datetime, limit: int = 6) -> list[Call]:
    """Published calls with a phase running or still to come, newest first."""
    calls = call_queries.list_calls(session)
    return [
        call
        for call in calls
        if call_status(True, call_queries.windows_of(call), now) == CallStatus.OPEN
    ][:limit]


def next_meetings(session: Session, now: datetime, limit: int = 3) -> list[Meeting]:
    return list(meeting_queries.list_meetings(session, now=now, when="upcoming")[:limit])


@dataclass(frozen=True)
class Published:
    """A call whose vote results are out: when, and how many projects won."""

    call: Call
    published_at: datetime
    winners: int


def latest_results(session: Session, limit: int = 3) -> list[Published]:
    newest = func.max(VoteResult.published_at)
    rows = session.execute(
        select(VoteResult.call_id, newest)
        .where(VoteResult.published_at.is_not(None))
        .group_by(VoteResult.call_id)
        .order_by(newest.desc(), VoteResult.call_id.desc())
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = [call_id for call_id, _at in rows]
    calls = {c.id: c for c in session.scalars(select(Call).where(Call.id.in_(ids)))}
    winners: dict[int, int] = dict.fromkeys(ids, 0)
    for call_id, chosen in session.execute(
        select(VoteResult.call_id, VoteResult.winners).where(
            VoteResult.call_id.in_(ids), VoteResult.published_at.is_not(None)
        )
    ):
        winners[call_id] += len(chosen or [])
    return [
        Published(calls[call_id], at, winners[call_id]) for call_id, at in rows if at is not None
    ]
