"""Signing in with a link sent by e-mail: the owner's way in whatever a throttle says.

As with the password reset, the request only queues a job, for any address, so it tells
nothing; the job writes to the address if it has an account. The link works once (it names the
last sign-in, which it moves) and for ``SIGN_IN_LINK_MAX_AGE`` seconds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...core.jobs import enqueue_after_commit
from ...core.mail import queue_email
from .. import tokens
from ..domain import normalise_email
from ..models import User
from .common import AccountRefused, Links, _config, get_user_by_email


def request_sign_in_link(session: Session, *, email: str) -> None:
    """Ask for a link: the same work for any address (see the module's docstring)."""
    from ..tasks import send_sign_in_link_job

    enqueue_after_commit(session, send_sign_in_link_job, normalise_email(email))


def _last(user: User) -> str:
    return user.last_sign_in_at.isoformat() if user.last_sign_in_at else ""


def send_sign_in_link(session: Session, email: str, *, links: Links, now: datetime) -> bool:
    """The job's part: e-mail a sign-in link if the address has an account."""
    user = get_user_by_email(session, email)
    if user is None or user.email is None:
        return False
    token = tokens.make_token(
        _config("SECRET_KEY"),
        tokens.SIGN_IN_LINK,
        {"u": user.id, "s": user.security_stamp, "t": _last(user)},
    )
    queue_email(
        session,
        user.email,
        "sign_in_link",
        language=user.language,
        user=user,
        link=links.sign_in_link(token),
        minutes=_config("SIGN_IN_LINK_MAX_AGE") // 60,
    )
    return True


def sign_in_with_link(session: Session, token: str, *, now: datetime) -> User:
    """The person the link was sent to, signed in now; refused if it is old, used or forged."""
    try:
        payload = tokens.read_token(
            _config("SECRET_KEY"), tokens.SIGN_IN_LINK, token, _config("SIGN_IN_LINK_MAX_AGE")
        )
    except tokens.TokenExpired:
        raise AccountRefused("link_expired") from None
    except tokens.TokenInvalid:
        raise AccountRefused("link_invalid") from None
    user_id = payload.get("u")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None or user.security_stamp != payload.get("s"):
        raise AccountRefused("link_invalid")
    if _last(user) != payload.get("t"):
        raise AccountRefused("link_used")
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link reached the address
    user.last_sign_in_at = now
    session.flush()
    return user
