"""The audit log: an append-only record of every privileged action.

Rows are never updated or deleted: the ORM refuses it here and database triggers refuse it
(see the first migration), so no one, admins included, can edit the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base


class AuditLogError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntry(Base):
    """Who did what, when, to which target, with the state before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | str,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append an entry; it is written with the rest of the transaction or not at all."""
    entry = AuditEntry(
        at=now,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
        reason=reason,
        ip=ip,
    )
    session.add(entry)
    return entry


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise AuditLogError("the audit log is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise AuditLogError("the audit log is append-only")
