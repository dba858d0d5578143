"""What the account use cases share: password hashing, lookups, creating accounts."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...core.db import get_session
from ...core.identity import keyed_hash
from ...core.refusals import Refused
from ..domain import LANGUAGES, normalise_email
from ..models import User

_hasher = PasswordHasher()
# Checked against when the address is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash("civic: no such account")


class Links(Protocol):
    """Absolute links to put in e-mails; the web layer provides them."""

    def verify_email(self, token: str) -> str: ...
    def reset_password(self, token: str) -> str: ...
    def sign_in(self) -> str: ...
    def forgot_password(self) -> str: ...


class AccountRefused(Refused):
    """An account change the rules refuse (a wrong current password, say); ``field`` names
    the form field it belongs beside."""


def _config(name: str) -> Any:
    return current_app.config[name]


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def _new_stamp() -> str:
    return secrets.token_hex(16)


def _throttle_key(email: str) -> str:
    return keyed_hash(_config("IDENTITY_HASH_KEY"), "sign-in", normalise_email(email))


def get_user_by_email(session: Session, email: str) -> User | None:
    """The live account with this address, or None; its roles come along (sign-in and the
    pages that follow check them)."""
    return session.scalar(
        select(User)
        .where(User.email == normalise_email(email), User.deleted_at.is_(None))
        .options(selectinload(User.grants))
    )


# Figures other features want on every signed-in page (the proposals' unread notifications
# in the header), loaded in the same query as the person: name -> column of the user's id.
_LOADED_WITH: dict[str, Callable[[Any], Any]] = {}


def load_with_person(name: str, column: Callable[[Any], Any]) -> None:
    """Load ``column(User.id)`` with the signed-in person on every request, into ``g.<name>``
    (features call this when they are set up, so accounts imports none of them)."""
    _LOADED_WITH[name] = column
    _user_statement.cache_clear()


@functools.cache
def _user_statement() -> Any:
    """The sign-in loader's query, built once (building it cost more than running it).

    One query on every signed-in request: the roles come joined, and the figures features
    asked for with ``load_with_person`` come along (kept for the request in g).
    """
    extra = [column(User.id).label(name) for name, column in sorted(_LOADED_WITH.items())]
    return (
        select(User, *extra)
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.grants))
        .execution_options(populate_existing=True)
    )


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: 'id:stamp' -> the live user whose stamp still matches."""
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    found = get_session().execute(_user_statement(), {"user_id": int(user_id)}).unique().first()
    if found is None:
        return None
    user: User = found[0]
    for name in sorted(_LOADED_WITH):
        setattr(g, name, getattr(found, name))
    if user.deleted_at is not None or user.security_stamp != stamp:
        return None
    return user


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    now: datetime,
    full_name: str | None = None,
    language: str = "it",
    verified: bool = False,
    municipio_id: int | None = None,
) -> User:
    """Insert an account (used by registration, the demo data and the tests)."""
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        full_name=full_name,
        language=language if language in LANGUAGES else "it",
        security_stamp=_new_stamp(),
        created_at=now,
        email_verified_at=now if verified else None,
        municipio_id=municipio_id,
    )
    session.add(user)
    session.flush()
    return user


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
