"""Accounts made for tests through the same service the app uses."""

from __future__ import annotations

import itertools

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant, User
from civic.accounts.queries import get_user
from civic.accounts.services import begin_session, create_user
from civic.core.time import utcnow

PASSWORD = "Tall-Lantern-Mist-42"
_numbers = itertools.count(1)


def make_user(
    db: Session,
    *,
    email: str | None = None,
    roles: tuple[Role, ...] = (),
    verified: bool = True,
    language: str = "it",
    full_name: str | None = "Test Person",
    password: str = PASSWORD,
) -> User:
    """A committed (savepoint) account holding the given roles."""
    now = utcnow()
    user = create_user(
        db,
        email=email or f"person{next(_numbers)}@example.org",
        password=password,
        full_name=full_name,
        language=language,
        verified=verified,
        now=now,
    )
    for role in roles:
        db.add(RoleGrant(user_id=user.id, role=role.value, granted_at=now))
    db.commit()
    loaded = get_user(db, user.id)  # as the app's loader has it: with its role grants
    assert loaded is not None
    return loaded


def log_in(client: FlaskClient, user: User) -> None:
    """Sign the test client in as ``user`` without the form (the form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = begin_session(user).get_id()
        session["_fresh"] = True
