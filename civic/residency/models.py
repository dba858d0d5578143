"""A person's verified residency. Birth dates are personal data: shown to the person and admins."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class Residency(Base):
    """The latest verification of where a person lives and when they were born."""

    __tablename__ = "residencies"
    __table_args__ = (CheckConstraint("method IN ('desk', 'census', 'self')", name="method"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    municipio_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    birth_date: Mapped[date]
    method: Mapped[str] = mapped_column(String(10))
    document_type: Mapped[str | None] = mapped_column(String(40))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime]


class CensusRecord(Base):
    """One resident from the census file the city imports: only a keyed hash of the fiscal
    number is kept, with the Municipio and the date of birth."""

    __tablename__ = "census_records"

    fiscal_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    municipio_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    birth_date: Mapped[date]
    batch: Mapped[str] = mapped_column(String(40))
    imported_at: Mapped[datetime]
