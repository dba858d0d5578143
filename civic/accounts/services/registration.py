"""Registering and verifying the e-mail address."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...core.mail import queue_email
from .. import tokens
from ..models import User
from .common import Links, _config, create_user, get_user_by_email


def _verification_token(user: User) -> str:
    return tokens.make_token(
        _config("SECRET_KEY"), tokens.VERIFY_EMAIL, {"u": user.id, "e": user.email}
    )


def _send_verification(session: Session, user: User, links: Links) -> None:
    assert user.email is not None
    queue_email(
        session,
        user.email,
        "verify_email",
        language=user.language,
        user=user,
        link=links.verify_email(_verification_token(user)),
        hours=_config("EMAIL_VERIFICATION_MAX_AGE") // 3600,
    )


def register_user(
    session: Session,
    *,
    email: str,
    password: str,
    full_name: str | None,
    language: str,
    links: Links,
    now: datetime,
) -> User | None:
    """Open an account and e-mail a verification link.

    If the address is taken, nothing is created and its owner is told by e-mail instead, so
    the person registering learns nothing about who is registered.
    """
    existing = get_user_by_email(session, email)
    if existing is not None:
        assert existing.email is not None
        queue_email(
            session,
            existing.email,
            "already_registered",
            language=existing.language,
            user=existing,
            sign_in_link=links.sign_in(),
            reset_link=links.forgot_password(),
        )
        return None
    try:
        with session.begin_nested():
            user = create_user(
                session,
                email=email,
                password=password,
                full_name=full_name,
                language=language,
                now=now,
            )
    except IntegrityError:
        # Registered a moment ago by a concurrent request: answer as for any taken address.
        return None
    _send_verification(session, user, links)
    return user


class VerifyOutcome(StrEnum):
    VERIFIED = "verified"
    ALREADY = "already"
    INVALID = "invalid"
    EXPIRED = "expired"


def verify_email(session: Session, *, token: str, now: datetime) -> VerifyOutcome:
    """Mark the address in a verification link as verified."""
    try:
        payload = tokens.read_token(
            _config("SECRET_KEY"),
            tokens.VERIFY_EMAIL,
            token,
            _config("EMAIL_VERIFICATION_MAX_AGE"),
        )
    except tokens.TokenExpired:
        return VerifyOutcome.EXPIRED
    except tokens.TokenInvalid:
        return VerifyOutcome.INVALID
    user_id = payload.get("u")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None or user.email != payload.get("e"):
        return VerifyOutcome.INVALID
    if user.email_verified_at is not None:
        return VerifyOutcome.ALREADY
    user.email_verified_at = now
    session.flush()
    return VerifyOutcome.VERIFIED
