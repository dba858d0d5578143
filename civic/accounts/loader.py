"""Who is signed in: Flask-Login's loader, one query per request for the person, their roles
and the figures other features asked to have beside them (the header's unread count)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from ..core.db import get_session
from .models import EndedSession, User

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
    ended = (
        exists()
        .where(EndedSession.key_hash == bindparam("key_hash"), EndedSession.user_id == User.id)
        .label("session_ended")
    )
    return (
        select(User, ended, *extra)
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.grants))
        .execution_options(populate_existing=True)
    )


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: 'id:stamp:key' -> the live user whose stamp still matches, in a
    session nobody signed out of (accounts.services.sessions)."""
    user_id, stamp, key = [*session_id.split(":"), "", ""][:3]
    if not user_id.isdigit() or len(user_id) > 10 or not stamp or not key:
        return None
    found = (
        get_session()
        .execute(
            _user_statement(), {"user_id": int(user_id), "key_hash": EndedSession.hash_of(key)}
        )
        .unique()
        .first()
    )
    if found is None:
        return None
    user: User = found[0]
    for name in sorted(_LOADED_WITH):
        setattr(g, name, getattr(found, name))
    if user.deleted_at is not None or user.security_stamp != stamp or found.session_ended:
        return None
    user.session_key = key
    return user
