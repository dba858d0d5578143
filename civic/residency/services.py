"""Verifying residency at a desk, and what it means for the person's data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..accounts.domain import normalise_email
from ..accounts.models import User
from ..accounts.permissions import is_staff
from ..core import audit, personal_data
from ..core.refusals import PermissionDenied, Refused
from .domain import DOCUMENTS, Method
from .models import Residency


class ResidencyRefused(Refused):
    """A residency the rules do not allow (an impossible date of birth, ...)."""


def verify_at_desk_by_email(
    session: Session,
    operator: User,
    email: str,
    *,
    municipio_id: int,
    birth_date: date,
    document_type: str,
    now: datetime,
) -> Residency:
    """The desk names the person by their account's address; see ``verify_at_desk``."""
    if not is_staff(operator):
        raise PermissionDenied
    person = session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )
    if person is None:
        raise ResidencyRefused("no_account", field="email")
    return verify_at_desk(
        session,
        operator,
        person,
        municipio_id=municipio_id,
        birth_date=birth_date,
        document_type=document_type,
        now=now,
    )


def verify_at_desk(
    session: Session,
    operator: User,
    person: User,
    *,
    municipio_id: int,
    birth_date: date,
    document_type: str,
    now: datetime,
) -> Residency:
    """Staff record that they saw a document proving the person lives in a Municipio."""
    if not is_staff(operator):
        raise PermissionDenied
    if document_type not in DOCUMENTS:
        raise ResidencyRefused("unknown_document")
    if birth_date >= now.date() or birth_date.year < 1900:
        raise ResidencyRefused("bad_birth_date")
    residency = session.get(Residency, person.id) or Residency(user_id=person.id)
    residency.municipio_id = municipio_id
    residency.birth_date = birth_date
    residency.method = Method.DESK.value
    residency.document_type = document_type
    residency.verified_by_id = operator.id
    residency.verified_at = now
    session.add(residency)
    person.municipio_id = municipio_id
    session.flush()
    # The log keeps who verified whom, where and with which document; not the birth date.
    audit.record(
        session,
        actor_id=operator.id,
        action="residency.desk",
        target_type="user",
        target_id=person.id,
        after={"municipio_id": municipio_id, "document_type": document_type},
        now=now,
    )
    return residency


def _export(session: Session, user: Any) -> dict[str, Any] | None:
    residency = session.get(Residency, user.id)
    if residency is None:
        return None
    return {
        "municipio_id": residency.municipio_id,
        "birth_date": residency.birth_date.isoformat(),
        "method": residency.method,
        "document_type": residency.document_type,
        "verified_at": residency.verified_at.isoformat(),
    }


def _erase(session: Session, user: Any, now: datetime) -> None:
    session.execute(delete(Residency).where(Residency.user_id == user.id))


personal_data.register("residency", _export, _erase)
