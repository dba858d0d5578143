"""What the account use cases share: password hashing, lookups, creating accounts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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
    def sign_in_link(self, token: str) -> str: ...


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


def _throttle_key(email: str, client: str | None = None) -> str:
    """Failures count per address and client together: someone guessing from one place slows
    only themselves, and the owner signing in from elsewhere is never locked out."""
    who = f"{normalise_email(email)}|{client or ''}"
    return keyed_hash(_config("IDENTITY_HASH_KEY"), "sign-in", who)


def _account_throttle_key(email: str) -> str:
    """Failures count per address from every client too: guessing spread over many network
    addresses (a botnet) meets a ceiling; its own scope, so it never equals a client's key."""
    return keyed_hash(_config("IDENTITY_HASH_KEY"), "sign-in-account", normalise_email(email))


def get_user_by_email(session: Session, email: str) -> User | None:
    """The live account with this address, or None; its roles come along (sign-in and the
    pages that follow check them)."""
    return session.scalar(
        select(User)
        .where(User.email == normalise_email(email), User.deleted_at.is_(None))
        .options(selectinload(User.grants))
    )


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
