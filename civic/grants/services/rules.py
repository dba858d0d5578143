"""The call's rules for grants: criteria, thresholds, jurors, sessions; frozen once in use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.domain import CallKind, PhaseKind
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core import audit
from .. import sessions
from ..models import GrantApplication, GrantSettings
from . import GrantRefused, _staff


@dataclass
class SettingsData:
    max_grant_cents: int
    criteria: list[dict[str, Any]]  # {"code", "label", "weight", "threshold_half"}
    overall_threshold_half: int = 0
    jurors_per_application: int = 2
    mode: str = "single"
    cutoffs: list[str] | None = None
    tie_break: str = "earlier"
    disagreement_half: int = 4
    blind: bool = False
    ranking_basis: str = "raw"
    allow_organisations: bool = False
    protocol_prefix: str = "SDQ"


def frozen(session: Session, call_id: int) -> bool:
    """The rules freeze once the first application is submitted."""
    return (
        session.scalar(
            select(GrantApplication.id)
            .where(GrantApplication.call_id == call_id, GrantApplication.state != "draft")
            .limit(1)
        )
        is not None
    )


def save_settings(
    session: Session, actor: User, call: Call, data: SettingsData, *, now: datetime
) -> GrantSettings:
    _staff(actor)
    if call.kind != CallKind.GRANTS.value:
        raise GrantRefused("not_grants")
    if frozen(session, call.id):
        raise GrantRefused("rules_frozen")
    codes = [c.get("code") for c in data.criteria]
    if (
        data.max_grant_cents <= 0
        or not data.criteria
        or len(set(codes)) != len(codes)
        or any(int(c.get("weight", 0)) < 1 for c in data.criteria)
        or any(not 0 <= int(c.get("threshold_half", 0)) <= 10 for c in data.criteria)
        or not 0 <= data.overall_threshold_half <= 10
        or data.jurors_per_application < 1
        or data.mode not in ("single", "rolling")
        or (data.mode == "rolling" and not sessions.valid(data.cutoffs or []))
        or data.ranking_basis not in ("raw", "normalised")
        or (data.tie_break != "earlier" and data.tie_break.removeprefix("criterion:") not in codes)
    ):
        raise GrantRefused("rules_invalid")
    settings = session.get(GrantSettings, call.id) or GrantSettings(call_id=call.id)
    for name, value in vars(data).items():
        setattr(settings, name, value if value is not None else [])
    session.add(settings)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="grant.rules",
        target_type="call",
        target_id=call.id,
        now=now,
        # The criteria by name: their codes are internal (the audit log shows what staff typed).
        after={k: v for k, v in vars(data).items() if k != "criteria"}
        | {
            "criteria": [str(c.get("label") or c.get("code")) for c in data.criteria],
            "tie_break": _tie_break_named(data),
        },
    )
    return settings


def _tie_break_named(data: SettingsData) -> str:
    """The tie-break as recorded for people: "earlier", or the criterion's name, not its code."""
    code = data.tie_break.removeprefix("criterion:")
    if code == data.tie_break:
        return data.tie_break
    names = {c.get("code"): c.get("label") for c in data.criteria}
    return str(names.get(code) or data.tie_break)


def deadline(call: Call) -> datetime | None:
    """The end of the submission phase (server time; shown on Rome's clock)."""
    windows = [w for w in windows_of(call) if w.kind is PhaseKind.SUBMISSION]
    return windows[0].ends_at if windows else None
