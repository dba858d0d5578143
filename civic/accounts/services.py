"""Account use cases. Each takes the session and the clock, flushes, and never commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..core import audit, personal_data
from ..core.db import get_session
from ..core.identity import keyed_hash
from ..core.mail import queue_email
from . import tokens
from .domain import LANGUAGES, Role, lock_until, normalise_email
from .models import RoleGrant, SignInThrottle, User
from .permissions import can_manage_roles, can_revoke_role

_hasher = PasswordHasher()
# Checked against when the address is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash("civic: no such account")


class Links(Protocol):
    """Absolute links to put in e-mails; the web layer provides them."""

    def verify_email(self, token: str) -> str: ...
    def reset_password(self, token: str) -> str: ...
    def sign_in(self) -> str: ...
    def forgot_password(self) -> str: ...


class PermissionDenied(Exception):
    """The actor may not do this."""


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
    """The live account with this address, or None."""
    return session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: 'id:stamp' -> the live user whose stamp still matches."""
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    user = get_session().scalar(
        select(User)
        .where(User.id == int(user_id))
        .options(selectinload(User.grants))
        .execution_options(populate_existing=True)
    )
    if user is None or user.deleted_at is not None or user.security_stamp != stamp:
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


class SignInOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    retry_after: datetime | None = None


def sign_in(
    session: Session, *, email: str, password: str, links: Links, now: datetime
) -> SignInResult:
    """Check a password, with a growing lock after repeated failures on the same address."""
    key = _throttle_key(email)
    throttle = session.scalar(
        select(SignInThrottle)
        .where(SignInThrottle.email_key == key)
        .execution_options(populate_existing=True)
    )
    if throttle is not None:
        until = lock_until(
            throttle.failures,
            throttle.last_failure_at,
            _config("SIGN_IN_FREE_FAILURES"),
            _config("SIGN_IN_MAX_LOCK_MINUTES"),
        )
        if until is not None and now < until:
            return SignInResult(SignInOutcome.LOCKED, retry_after=until)

    user = get_user_by_email(session, email)
    if user is None or user.password_hash is None or len(password) > 1024:
        _verify_quietly(_DUMMY_HASH, password[:1024])
        _count_failure(session, key, now)
        return SignInResult(SignInOutcome.INVALID)
    if not _verify_quietly(user.password_hash, password):
        _count_failure(session, key, now)
        return SignInResult(SignInOutcome.INVALID)

    if throttle is not None:
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


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, key: str, now: datetime) -> None:
    """Add one failure atomically: concurrent attempts neither collide nor lose a count."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(SignInThrottle).values(email_key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[SignInThrottle.email_key],
        set_={"failures": SignInThrottle.failures + 1, "last_failure_at": now},
    )
    session.execute(statement)


def request_password_reset(session: Session, *, email: str, links: Links, now: datetime) -> None:
    """E-mail a reset link if the address has an account; say nothing either way."""
    user = get_user_by_email(session, email)
    if user is None:
        return
    assert user.email is not None
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
    session.execute(
        delete(SignInThrottle).where(SignInThrottle.email_key == _throttle_key(user.email or ""))
    )
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
        return False
    _set_password(user, new_password)
    session.flush()
    return True


def update_profile(
    session: Session,
    user: User,
    *,
    full_name: str | None,
    municipio_id: int | None,
    language: str,
    now: datetime,
) -> None:
    """Change name, Municipio of residence and language."""
    user.full_name = (full_name or "").strip() or None
    user.municipio_id = municipio_id
    if language in LANGUAGES:
        user.language = language
    session.flush()


def set_language(session: Session, user: User, language: str) -> None:
    """Remember the language a person reads the site and the e-mails in."""
    if language in LANGUAGES and user.language != language:
        user.language = language
        session.flush()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_personal_data(session: Session, user: User, *, now: datetime) -> dict[str, Any]:
    """Everything the platform holds on a person, as JSON-ready data."""
    data: dict[str, Any] = {"exported_at": now.isoformat(), "format": "civic-personal-data/1"}
    for name, exporter in personal_data.exporters.items():
        data[name] = exporter(session, user)
    return data


def delete_account(session: Session, user: User, *, password: str, now: datetime) -> bool:
    """Erase a person's data after checking the password; contributions stay, anonymised."""
    if user.password_hash is None or not _verify_quietly(user.password_hash, password):
        return False
    for eraser in personal_data.erasers.values():
        eraser(session, user, now)
    audit.record(
        session,
        actor_id=user.id,
        action="account.delete",
        target_type="user",
        target_id=user.id,
        now=now,
    )
    session.flush()
    return True


def _export_account(session: Session, user: User) -> dict[str, Any]:
    grants = session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
    municipio = user.municipio_id
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "municipio_id": municipio,
        "language": user.language,
        "created_at": _iso(user.created_at),
        "email_verified_at": _iso(user.email_verified_at),
        "last_sign_in_at": _iso(user.last_sign_in_at),
        "roles": [
            {"role": g.role, "call_id": g.call_id, "granted_at": _iso(g.granted_at)} for g in grants
        ],
    }


def _export_audit(session: Session, user: User) -> list[dict[str, Any]]:
    entries = session.scalars(
        select(audit.AuditEntry)
        .where(
            (audit.AuditEntry.actor_id == user.id)
            | (
                (audit.AuditEntry.target_type == "user")
                & (audit.AuditEntry.target_id == str(user.id))
            )
        )
        .order_by(audit.AuditEntry.id)
    )
    return [
        {"at": _iso(e.at), "action": e.action, "target": f"{e.target_type}:{e.target_id}"}
        for e in entries
    ]


def _erase_account(session: Session, user: User, now: datetime) -> None:
    if user.email:
        session.execute(
            delete(SignInThrottle).where(SignInThrottle.email_key == _throttle_key(user.email))
        )
    session.execute(delete(RoleGrant).where(RoleGrant.user_id == user.id))
    user.email = None
    user.password_hash = None
    user.full_name = None
    user.municipio_id = None
    user.email_verified_at = None
    user.last_sign_in_at = None
    user.security_stamp = _new_stamp()
    user.deleted_at = now


personal_data.register("account", _export_account, _erase_account)
personal_data.register("audit_log", _export_audit)


def _grants_snapshot(session: Session, user_id: int) -> dict[str, Any]:
    roles = session.scalars(
        select(RoleGrant.role)
        .where(RoleGrant.user_id == user_id, RoleGrant.call_id.is_(None))
        .order_by(RoleGrant.role)
    )
    return {"roles": list(roles)}


def grant_role(
    session: Session,
    actor: User,
    target: User,
    role: Role,
    *,
    now: datetime,
    call_id: int | None = None,
    ip: str | None = None,
) -> bool:
    """Give a role; False if the person already holds it."""
    if not can_manage_roles(actor):
        raise PermissionDenied
    if role is Role.CITIZEN or target.deleted_at is not None:
        raise ValueError("this role cannot be granted to this account")
    held = session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == target.id,
            RoleGrant.role == role.value,
            RoleGrant.call_id.is_(None) if call_id is None else RoleGrant.call_id == call_id,
        )
    )
    if held is not None:
        return False
    before = _grants_snapshot(session, target.id)
    session.add(
        RoleGrant(
            user_id=target.id,
            role=role.value,
            call_id=call_id,
            granted_by_id=actor.id,
            granted_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="role.grant",
        target_type="user",
        target_id=target.id,
        before=before,
        after=_grants_snapshot(session, target.id) | {"granted": role.value, "call_id": call_id},
        now=now,
        ip=ip,
    )
    return True


def revoke_role(
    session: Session,
    actor: User,
    target: User,
    role: Role,
    *,
    now: datetime,
    call_id: int | None = None,
    ip: str | None = None,
) -> bool:
    """Take a role away; False if the person did not hold it."""
    if not can_revoke_role(actor, target, role):
        raise PermissionDenied
    grant = session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == target.id,
            RoleGrant.role == role.value,
            RoleGrant.call_id.is_(None) if call_id is None else RoleGrant.call_id == call_id,
        )
    )
    if grant is None:
        return False
    before = _grants_snapshot(session, target.id)
    session.delete(grant)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="role.revoke",
        target_type="user",
        target_id=target.id,
        before=before,
        after=_grants_snapshot(session, target.id) | {"revoked": role.value, "call_id": call_id},
        now=now,
        ip=ip,
    )
    return True
