"""Staff set a call's vote up: the ballot's rules and its box, before anyone has voted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...calls.models import Call
from ...core.refusals import PermissionDenied
from ..models import VoterRoll, VoteSettings
from .box import set_up_box
from .casting import audit_settings
from .common import VoteRefused


def save_vote_settings(
    session: Session,
    actor: User,
    call: Call,
    values: dict[str, Any],
    *,
    trustee_emails: list[str],
    threshold: int,
    now: datetime,
) -> VoteSettings:
    """Set the vote's rules (``values``: VoteSettings' columns by name) and its box; refused
    once anyone has voted, since the rules are then frozen."""
    if not is_staff(actor):
        raise PermissionDenied
    if session.scalar(select(VoterRoll.id).where(VoterRoll.call_id == call.id).limit(1)):
        raise VoteRefused("rules_frozen")
    settings = session.get(VoteSettings, call.id) or VoteSettings(call_id=call.id)
    for name, value in values.items():
        setattr(settings, name, value)
    session.add(settings)
    set_up_box(
        session,
        actor,
        call,
        mode=settings.secrecy,
        trustee_emails=trustee_emails,
        threshold=threshold,
        now=now,
    )
    audit_settings(session, actor, call, settings, now=now)
    return settings
