"""Run-time switches admins set, such as requiring SPID/CIE sign-in for citizens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..core import audit
from .models import SiteSetting, User

REQUIRE_OIDC = "require_oidc_for_citizens"


def get_flag(session: Session, key: str) -> bool:
    found = session.get(SiteSetting, key)
    return found is not None and found.value == "1"


def set_flag(session: Session, actor: User, key: str, on: bool, *, now: datetime) -> None:
    found = session.get(SiteSetting, key) or SiteSetting(key=key)
    before = found.value if found.value is not None else None
    found.value = "1" if on else "0"
    found.updated_by_id, found.updated_at = actor.id, now
    session.add(found)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="site.setting",
        target_type="site_setting",
        target_id=key,
        now=now,
        before={"value": before},
        after={"value": found.value},
    )
