"""Signing in, with a growing wait after repeated failures on one address from one client, and
a higher ceiling on one address from every client together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...core.db import count_up
from ..domain import lock_until
from ..models import SignInThrottle, User
from .common import (
    _DUMMY_HASH,
    Links,
    _account_throttle_key,
    _config,
    _hasher,
    _throttle_key,
    _verify_quietly,
    get_user_by_email,
    hash_password,
)
from .registration import _send_verification

DAY = timedelta(days=1)


class SignInOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    LOCKED_EVERYWHERE = "locked_everywhere"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    retry_after: datetime | None = None


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    links: Links,
    now: datetime,
    client: str | None = None,
) -> SignInResult:
    """Check a password, with a growing wait after repeated failures on the same address from
    the same client (its network address), and one for every client once the address's
    failures from everywhere pass a higher ceiling. Unknown addresses count the same."""
    key, everywhere = _throttle_key(email, client), _account_throttle_key(email)
    throttles = {
        t.email_key: t
        for t in session.scalars(
            select(SignInThrottle)
            .where(SignInThrottle.email_key.in_((key, everywhere)))
            .execution_options(populate_existing=True)
        )
    }
    for scope, free, outcome in (
        (key, "SIGN_IN_FREE_FAILURES", SignInOutcome.LOCKED),
        (everywhere, "SIGN_IN_ACCOUNT_FREE_FAILURES", SignInOutcome.LOCKED_EVERYWHERE),
    ):
        throttle = throttles.get(scope)
        if throttle is None:
            continue
        until = lock_until(
            throttle.failures,
            throttle.last_failure_at,
            _config(free),
            _config("SIGN_IN_MAX_LOCK_MINUTES"),
        )
        if until is not None and now < until:
            return SignInResult(outcome, retry_after=until)

    user = get_user_by_email(session, email)
    if user is None or user.password_hash is None or len(password) > 1024:
        _verify_quietly(_DUMMY_HASH, password[:1024])
        _count_failure(session, (key, everywhere), now)
        return SignInResult(SignInOutcome.INVALID)
    if not _verify_quietly(user.password_hash, password):
        _count_failure(session, (key, everywhere), now)
        return SignInResult(SignInOutcome.INVALID)

    # The client's own count starts again; the count from everywhere only ages out, so that
    # the owner signing in does not hand a guesser spread over many addresses a fresh ceiling.
    if key in throttles:
        session.execute(delete(SignInThrottle).where(SignInThrottle.email_key == key))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        _send_verification(session, user, links)
        session.flush()
        return SignInResult(SignInOutcome.UNVERIFIED, user=user)
    user.last_sign_in_at = now
    session.flush()
    return SignInResult(SignInOutcome.OK, user=user)


def _count_failure(session: Session, keys: tuple[str, ...], now: datetime) -> None:
    """Add one failure to each count atomically: concurrent attempts neither collide nor lose a
    count. Counts idle for a day are swept on the way (the longest wait is far shorter)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - DAY))
    for key in keys:  # in one order everywhere: concurrent failures wait, never deadlock
        count_up(session, SignInThrottle, "failures", also={"last_failure_at": now}, email_key=key)
