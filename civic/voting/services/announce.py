"""Residents are told, once, that the vote in their Municipio opened. A vote can reach a
whole city, so each run writes to at most ``BATCH`` people and remembers the last one; the
next run goes on from there, and a vote is done when no one is left."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...accounts.models import User
from ...calls.models import Call, CallPhase
from ...core.mail import queue_email
from ...places.models import Area
from ..models import VoteSettings

BATCH = 500


def announce_openings(session: Session, *, now: datetime) -> int:
    """E-mail the next residents of every vote that is open and not yet fully announced;
    returns how many were written to."""
    pending = session.execute(
        select(VoteSettings, Call)
        .join(Call, Call.id == VoteSettings.call_id)
        .join(CallPhase, (CallPhase.call_id == Call.id) & (CallPhase.kind == "voting"))
        .options(selectinload(Call.areas))
        .where(
            VoteSettings.announced_at.is_(None),
            Call.published_at.is_not(None),
            CallPhase.starts_at <= now,
            CallPhase.ends_at > now,
        )
    ).all()
    told = 0
    for settings, call in pending:
        ids = [area.area_id for area in call.areas]
        labels = {a.id: a.label for a in session.scalars(select(Area).where(Area.id.in_(ids)))}
        residents = session.scalars(
            select(User)
            .where(
                User.id > settings.announced_through,
                User.municipio_id.in_(ids),
                User.deleted_at.is_(None),
                User.email.is_not(None),
            )
            .order_by(User.id)
            .limit(BATCH)
        ).all()
        for person in residents:
            queue_email(
                session,
                str(person.email),
                "vote_opening",
                person.language,
                user=person,
                call=call,
                area=labels.get(person.municipio_id or 0, ""),
            )
        told += len(residents)
        if residents:
            settings.announced_through = residents[-1].id
        if len(residents) < BATCH:
            settings.announced_at = now
    session.flush()
    return told
