"""Granting and revoking roles, each change in the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core import audit
from ...core.db import add_once
from ...core.refusals import PermissionDenied
from ..domain import Role
from ..models import RoleGrant, User
from ..permissions import can_manage_roles, can_revoke_role


def _grants_snapshot(session: Session, user_id: int) -> dict[str, Any]:
    roles = session.scalars(
        select(RoleGrant.role)
        .where(RoleGrant.user_id == user_id, RoleGrant.call_id.is_(None))
        .order_by(RoleGrant.role)
    )
    return {"roles": list(roles)}


def _find_grant(
    session: Session, target: User, role: Role, call_id: int | None
) -> RoleGrant | None:
    """The grant of ``role`` to ``target``, platform-wide or for one call."""
    return session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == target.id,
            RoleGrant.role == role.value,
            RoleGrant.call_id.is_(None) if call_id is None else RoleGrant.call_id == call_id,
        )
    )


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
    if _find_grant(session, target, role, call_id) is not None:
        return False
    before = _grants_snapshot(session, target.id)
    grant = RoleGrant(
        user_id=target.id, role=role.value, call_id=call_id, granted_by_id=actor.id, granted_at=now
    )
    if not add_once(session, grant):
        return False  # granted a moment ago by a concurrent request
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
    grant = _find_grant(session, target, role, call_id)
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
