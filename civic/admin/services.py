"""Admin use cases that are not about one feature: seeing a person's identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..accounts import permissions
from ..accounts.models import User
from ..core import audit
from ..core.refusals import Refused


class AdminRefused(Refused):
    """An admin step the rules refuse; ``code`` names the reason."""


def reveal_identity(
    session: Session, admin: User, person: User, reason: str, *, ip: str | None, now: datetime
) -> dict[str, Any]:
    """The person's fiscal number and date of birth, for an admin who gives a reason; the
    audit log keeps who looked, when and why."""
    reason = reason.strip()[:300]
    if len(reason) < 10 or not permissions.can_see_identity(admin, person):
        raise AdminRefused("reason_needed", field="reason")
    audit.record(
        session,
        actor_id=admin.id,
        action="user.identity_viewed",
        target_type="user",
        target_id=person.id,
        now=now,
        reason=reason,
        ip=ip,
    )
    return {
        "fiscal_number": person.fiscal_number,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
    }
