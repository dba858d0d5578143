"""Reads for the admin screens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.audit import AuditEntry
from ..core.pagination import Page, paginate


def list_audit_entries(
    session: Session,
    *,
    action: str = "",
    actor_id: int | None = None,
    target: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEntry]:
    """Audit entries, newest first, filtered by action prefix, actor and 'type:id' target."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if target:
        target_type, _, target_id = target.partition(":")
        statement = statement.where(AuditEntry.target_type == target_type)
        if target_id:
            statement = statement.where(AuditEntry.target_id == target_id)
    return paginate(session, statement, page, per_page)
