"""Profile, language, my data and deleting the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...core import audit, personal_data
from ...core.personal_data import iso
from ..domain import LANGUAGES
from ..models import DigestItem, RoleGrant, User
from .common import AccountRefused, _new_stamp, _verify_quietly


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


def export_personal_data(session: Session, user: User, *, now: datetime) -> dict[str, Any]:
    """Everything the platform holds on a person, as JSON-ready data."""
    data: dict[str, Any] = {"exported_at": now.isoformat(), "format": "civic-personal-data/1"}
    for name, exporter in personal_data.exporters.items():
        data[name] = exporter(session, user)
    return data


def delete_account(session: Session, user: User, *, password: str, now: datetime) -> bool:
    """Erase a person's data after checking the password; contributions stay, anonymised.
    A wrong password (or, for SPID/CIE accounts, a wrong address) is refused."""
    if user.password_hash is None:
        # SPID/CIE accounts have no password: the person confirms by typing their address.
        if not user.email or password.strip().lower() != user.email.lower():
            raise AccountRefused("wrong_password", field="password")
    elif not _verify_quietly(user.password_hash, password):
        raise AccountRefused("wrong_password", field="password")
    # The account's own eraser goes last: the others may still need the person's address.
    for _name, eraser in sorted(
        personal_data.erasers.items(), key=lambda item: item[0] == "account"
    ):
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
        "email_settings": user.email_settings,
        "fiscal_number": user.fiscal_number,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "created_at": iso(user.created_at),
        "email_verified_at": iso(user.email_verified_at),
        "last_sign_in_at": iso(user.last_sign_in_at),
        "roles": [
            {"role": g.role, "call_id": g.call_id, "granted_at": iso(g.granted_at)} for g in grants
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
        {"at": iso(e.at), "action": e.action, "target": f"{e.target_type}:{e.target_id}"}
        for e in entries
    ]


def _erase_account(session: Session, user: User, now: datetime) -> None:
    # Sign-in waits hold keyed hashes only and are swept within a day (services.signin).
    session.execute(delete(RoleGrant).where(RoleGrant.user_id == user.id))
    session.execute(delete(DigestItem).where(DigestItem.user_id == user.id))
    user.email_settings = {}
    user.email = None
    user.password_hash = None
    user.full_name = None
    user.municipio_id = None
    user.fiscal_number = user.fiscal_number_hash = None
    user.birth_date = None
    user.email_verified_at = None
    user.last_sign_in_at = None
    user.security_stamp = _new_stamp()
    user.deleted_at = now


personal_data.register("account", _export_account, _erase_account)
personal_data.register("audit_log", _export_audit)
