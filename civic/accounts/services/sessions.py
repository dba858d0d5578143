"""Signed-in sessions that end on the server.

Cookies are signed, not stored, so before this a session cookie copied before sign-out kept
opening the account until it expired. Each sign-in now gets a random key that rides in the
session and remember-me cookies (``User.get_id``); signing out records a hash of that key as
ended, and the loader refuses it. "Sign out on every device" changes the account's security
stamp, which every cookie carries, so all of them stop at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from ...core import audit
from ..models import EndedSession, User
from .common import _new_stamp


def begin_session(user: User) -> User:
    """Give ``user`` a fresh session key, just before Flask-Login signs them in."""
    user.session_key = secrets.token_urlsafe(18)
    return user


def end_session(session: Session, user: User, *, now: datetime, keep_for: timedelta) -> None:
    """Sign-out: this session's cookies are refused from now on. Records older than
    ``keep_for`` (the longest a cookie lives) are swept at the same time."""
    if user.session_key:
        session.execute(
            insert(EndedSession).values(
                key_hash=EndedSession.hash_of(user.session_key), user_id=user.id, ended_at=now
            )
        )
    session.execute(delete(EndedSession).where(EndedSession.ended_at < now - keep_for))
    session.flush()


def end_sessions_everywhere(session: Session, user: User, *, now: datetime) -> None:
    """Every session of this account ends, on every device."""
    user.security_stamp = _new_stamp()
    audit.record(
        session,
        actor_id=user.id,
        action="account.signed_out_everywhere",
        target_type="user",
        target_id=user.id,
        now=now,
    )
    session.flush()
