"""Reads of accounts."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..core.pagination import Page, paginate
from .domain import Role
from .models import RoleGrant, User


def get_user(session: Session, user_id: int) -> User | None:
    """A live account with its role grants, or None."""
    return session.scalar(
        select(User)
        .where(User.id == user_id, User.deleted_at.is_(None))
        .options(selectinload(User.grants))
        .execution_options(populate_existing=True)
    )


def search_users(
    session: Session, text: str, role: Role | None, page: int, per_page: int = 25
) -> Page[User]:
    """Live accounts whose e-mail or name contains ``text``, optionally holding ``role``."""
    statement = (
        select(User)
        .where(User.deleted_at.is_(None))
        .options(selectinload(User.grants))
        .order_by(User.id)
    )
    text = text.strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(User.email.like(pattern, escape="\\"), User.full_name.ilike(pattern, escape="\\"))
        )
    if role is not None and role is not Role.CITIZEN:
        statement = statement.where(
            User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role.value))
        )
    return paginate(session, statement, page, per_page)


def list_staff(session: Session) -> list[User]:
    """The live accounts with the staff or admin role (reviewers are chosen among them)."""
    return list(
        session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role.in_(["staff", "admin"]), User.deleted_at.is_(None))
            .distinct()
        )
    )
