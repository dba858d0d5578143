"""Resetting and changing passwords."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from ...core.jobs import enqueue_after_commit
from ...core.mail import queue_email
from .. import tokens
from ..domain import normalise_email
from ..models import User
from .common import (
    AccountRefused,
    Links,
    _config,
    _new_stamp,
    _verify_quietly,
    get_user_by_email,
    hash_password,
)


def request_password_reset(session: Session, *, email: str) -> None:
    """Ask for a reset link: the same work whether or not the address has an account (a job
    is queued in both cases, after the commit), so neither the answer nor its time tells."""
    from ..tasks import send_reset_link_job

    enqueue_after_commit(session, send_reset_link_job, normalise_email(email))


def send_reset_link(session: Session, email: str, *, links: Links, now: datetime) -> bool:
    """The job's part: e-mail a reset link if the address has an account."""
    user = get_user_by_email(session, email)
    if user is None or user.email is None:
        return False
    token = tokens.make_token(
        _config("SECRET_KEY"), tokens.RESET_PASSWORD, {"u": user.id, "s": user.security_stamp}
    )
    queue_email(
        session,
        user.email,
        "reset_password",
        language=user.language,
        user=user,
        link=links.reset_password(token),
        minutes=_config("PASSWORD_RESET_MAX_AGE") // 60,
    )
    return True


class ResetOutcome(StrEnum):
    RESET = "reset"
    INVALID = "invalid"
    EXPIRED = "expired"


def user_for_reset_token(session: Session, token: str) -> tuple[ResetOutcome, User | None]:
    """The account a reset link is for, while the link is still usable."""
    try:
        payload = tokens.read_token(
            _config("SECRET_KEY"), tokens.RESET_PASSWORD, token, _config("PASSWORD_RESET_MAX_AGE")
        )
    except tokens.TokenExpired:
        return ResetOutcome.EXPIRED, None
    except tokens.TokenInvalid:
        return ResetOutcome.INVALID, None
    user_id = payload.get("u")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    # The stamp changes with every new password, so a link works once.
    if user is None or user.deleted_at is not None or user.security_stamp != payload.get("s"):
        return ResetOutcome.INVALID, None
    return ResetOutcome.RESET, user


def reset_password(
    session: Session, *, token: str, new_password: str, now: datetime
) -> ResetOutcome:
    """Set a new password from a reset link; the link then stops working."""
    outcome, user = user_for_reset_token(session, token)
    if user is None:
        return outcome
    _set_password(user, new_password)
    # Following the link proves the address works.
    if user.email_verified_at is None:
        user.email_verified_at = now
    # Waits stay: they slow clients that guessed wrong, and the owner's own is not among them.
    session.flush()
    return ResetOutcome.RESET


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.security_stamp = _new_stamp()


def change_password(
    session: Session, user: User, *, current_password: str, new_password: str, now: datetime
) -> bool:
    """Replace the password after checking the current one; other sessions are signed out."""
    if user.password_hash is None or not _verify_quietly(user.password_hash, current_password):
        raise AccountRefused("wrong_password", field="current")
    _set_password(user, new_password)
    session.flush()
    return True
