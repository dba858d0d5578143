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


def test_add_once_inserts_a_unique_row_once_and_keeps_the_transaction(
    app_ctx: Flask, db: Session
) -> None:
    from civic.accounts.models import RoleGrant
    from civic.core.db import add_once
    from tests.factories.accounts import make_user

    person = make_user(db)
    first = RoleGrant(user_id=person.id, role="juror", granted_at=utcnow())
    again = RoleGrant(user_id=person.id, role="juror", granted_at=utcnow())
    assert add_once(db, first) is True
    assert add_once(db, again) is False  # the UNIQUE index said no; nothing raised
    db.commit()  # the transaction is still usable
    assert db.scalar(text("SELECT count(*) FROM role_grants")) == 1


def test_a_grant_racing_another_reports_held_instead_of_failing(
    app_ctx: Flask, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins grant one role at once: both lookups miss, the second insert must not 500."""
    from civic.accounts.domain import Role
    from civic.accounts.services import grant_role, roles
    from tests.factories.accounts import make_user

    admin = make_user(db, roles=(Role.ADMIN,))
    target = make_user(db)
    assert grant_role(db, admin, target, Role.JUROR, now=utcnow()) is True
    monkeypatch.setattr(roles, "_find_grant", lambda *args: None)  # the other grant not yet seen
    assert grant_role(db, admin, target, Role.JUROR, now=utcnow()) is False
    db.commit()
    assert (
        db.scalar(text("SELECT count(*) FROM role_grants WHERE user_id = :u"), {"u": target.id})
        == 1
    )
