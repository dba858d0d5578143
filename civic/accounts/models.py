"""People, their roles and the sign-in throttle."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import Base
from .domain import GRANTABLE_ROLES

_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in GRANTABLE_ROLES)


class User(Base):
    """An account. After deletion the row stays, emptied of personal data, so that
    contributions keep a (now anonymous) author."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("language IN ('it', 'en')", name="language"),
        CheckConstraint(
            "(deleted_at IS NULL AND email IS NOT NULL)"
            " OR (deleted_at IS NOT NULL AND email IS NULL)",
            name="email_unless_deleted",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(120))
    municipio_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    language: Mapped[str] = mapped_column(String(5), default="it")
    # Rotated when the password changes: old sessions, remember-me cookies and reset links die.
    security_stamp: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    email_verified_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # From SPID/CIE sign-in. Personal data: shown to the person, and to admins who give a
    # reason (logged); never in exports; erased with the account. The keyed hash matches the
    # person on later sign-ins and against the census without comparing the number itself.
    fiscal_number: Mapped[str | None] = mapped_column(String(16))
    fiscal_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date | None]
    # Which notices come by e-mail, each as it happens, in the weekly digest or not at all
    # (accounts.notices); a kind not named here comes as it happens.
    # JSONB on PostgreSQL: queries that select people DISTINCT need a comparable type.
    email_settings: Mapped[dict[str, str]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql"), default=dict
    )

    grants: Mapped[list[RoleGrant]] = relationship(
        foreign_keys="RoleGrant.user_id",
        lazy="raise_on_sql",
        order_by="RoleGrant.id",
        viewonly=True,
    )

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return self.deleted_at is None

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    # Which signed-in session this is (not a column): set at sign-in and by the loader, it
    # rides in the session and remember-me cookies, so signing out can end this one on the
    # server (accounts.sessions).
    session_key = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.security_stamp}:{self.session_key}"

    @property
    def display_name(self) -> str:
        """The name shown to others."""
        return self.full_name or (self.email or "").split("@", 1)[0]


class RoleGrant(Base):
    """A role held by a person, across the platform (call_id NULL) or for one call."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role"),
        Index(
            "uq_role_grants_platform",
            "user_id",
            "role",
            unique=True,
            sqlite_where=text("call_id IS NULL"),
            postgresql_where=text("call_id IS NULL"),
        ),
        Index(
            "uq_role_grants_call",
            "user_id",
            "role",
            "call_id",
            unique=True,
            sqlite_where=text("call_id IS NOT NULL"),
            postgresql_where=text("call_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    # The call the role is limited to; the calls table arrives with the calls feature.
    call_id: Mapped[int | None]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime]


class EndedSession(Base):
    """A signed-in session someone signed out of: its cookies are refused from then on, even
    copied ones. Kept for as long as a remember-me cookie lives, then swept."""

    __tablename__ = "ended_sessions"

    # A hash of the session's key: the table cannot be used to forge a cookie.
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ended_at: Mapped[datetime] = mapped_column(index=True)

    @staticmethod
    def hash_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class SignInThrottle(Base):
    """Failed sign-ins per e-mail address and client together, for addresses known or not,
    so a wait reveals nothing and slows only the client that fails."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A keyed hash of the normalised address and the client's network address: the table
    # holds neither in clear.
    email_key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]


class SiteSetting(Base):
    """A switch admins set at run time (for example: citizens must sign in with SPID/CIE)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class DigestItem(Base):
    """A notice kept for the person's weekly digest (the text the e-mail would have carried)."""

    __tablename__ = "email_digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
