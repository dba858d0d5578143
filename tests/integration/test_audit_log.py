"""The audit log is append-only, in the ORM and in the database itself."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.time import utcnow


def _entry(db: Session) -> audit.AuditEntry:
    entry = audit.record(
        db,
        actor_id=None,
        action="test.action",
        target_type="thing",
        target_id=1,
        now=utcnow(),
        before={"a": 1},
        after={"a": 2},
    )
    db.flush()
    return entry


def test_entries_are_written_with_before_and_after(app_ctx: Flask, db: Session) -> None:
    entry = _entry(db)
    stored = db.get(audit.AuditEntry, entry.id)
    assert stored is not None
    assert (stored.before, stored.after, stored.target_id) == ({"a": 1}, {"a": 2}, "1")


def test_the_orm_refuses_to_change_an_entry(app_ctx: Flask, db: Session) -> None:
    entry = _entry(db)
    entry.action = "forged"
    with pytest.raises(audit.AuditLogError):
        db.flush()


def test_the_orm_refuses_to_delete_an_entry(app_ctx: Flask, db: Session) -> None:
    entry = _entry(db)
    db.delete(entry)
    with pytest.raises(audit.AuditLogError):
        db.flush()


def test_the_database_refuses_an_update_even_in_raw_sql(app_ctx: Flask, db: Session) -> None:
    entry = _entry(db)
    with pytest.raises(DatabaseError, match="append-only"), db.begin_nested():
        db.execute(
            text("UPDATE audit_entries SET action = 'forged' WHERE id = :id"), {"id": entry.id}
        )


def test_the_database_refuses_a_delete_even_in_raw_sql(app_ctx: Flask, db: Session) -> None:
    entry = _entry(db)
    with pytest.raises(DatabaseError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry.id})
