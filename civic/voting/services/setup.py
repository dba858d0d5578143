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
from .. import snapshot
from ..models import VoterRoll, VoteSettings
from .box import set_up_box
from .casting import audit_settings
from .common import VoteRefused


def _check_rule(values: dict[str, Any]) -> None:
    """A rule's own number must be there: the minimum score of greedy-threshold, the reserve
    share of greedy-custom."""
    rule = values.get("rule")
    if rule == "greedy-threshold" and int(values.get("min_score") or 0) < 1:
        raise VoteRefused("min_score_needed", field="min_score")
    if rule == "greedy-custom" and int(values.get("reserve_percent") or 0) < 1:
        raise VoteRefused("reserve_needed", field="reserve_percent")


def _check_choices(session: Session, call: Call, values: dict[str, Any]) -> None:
    """Minimum <= maximum <= projects on the smallest ballot (once the ballots have projects;
    a maximum of 0 means none). A vote for one is exactly one."""
    if values.get("ballot_kind") == "single":
        values["min_choices"], values["max_choices"] = 1, 1
        return
    low, high = int(values.get("min_choices") or 0), int(values.get("max_choices") or 0)
    if high and low > high:
        raise VoteRefused("min_above_max", field="max_choices")
    seen = snapshot.build(session, call.id)
    sizes = [len(a.projects) for a in seen.areas if a.projects] if seen is not None else []
    if sizes and low > min(sizes):
        raise VoteRefused("min_above_projects", field="min_choices", count=min(sizes))
    if sizes and high > max(sizes):
        raise VoteRefused("max_above_projects", field="max_choices", count=max(sizes))


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
    _check_rule(values)
    _check_choices(session, call, values)
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
