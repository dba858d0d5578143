"""The census file: fiscal number, Municipio, date of birth. Only keyed hashes are kept."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import is_staff
from ..core import audit
from ..core.identity import fiscal_hash, normalise_fiscal_number
from ..core.refusals import PermissionDenied, Refused
from ..places.queries import list_municipi
from .domain import Method, latest_birth_date
from .models import CensusRecord, Residency

MAX_ROWS = 2_000_000


@dataclass
class ImportReport:
    imported: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason code)


class CensusRefused(Refused):
    """The census file has wrong lines; ``problems`` lists them (line, reason code)."""


def import_census_file(
    session: Session, operator: User, text: str, *, now: datetime
) -> ImportReport:
    """As ``import_census``, but a file with any wrong line is refused as a whole."""
    report = import_census(session, operator, text, now=now)
    if report.problems:
        raise CensusRefused("census_problems", problems=report.problems)
    return report


def import_census(session: Session, operator: User, text: str, *, now: datetime) -> ImportReport:
    """Replace the census with a CSV of ``fiscal_number,municipio,birth_date`` (YYYY-MM-DD).
    Nothing is imported if any line is wrong: the report lists every wrong line."""
    if not is_staff(operator):
        raise PermissionDenied
    municipi = {area.number: area.id for area in list_municipi(session)}
    report = ImportReport()
    rows: dict[str, tuple[int, date]] = {}
    reader = csv.reader(io.StringIO(text))
    for line, row in enumerate(reader, start=1):
        if not row or (line == 1 and row[0].strip().lower() in ("fiscal_number", "codice_fiscale")):
            continue
        if line > MAX_ROWS:
            report.problems.append((line, "too_many_rows"))
            break
        if len(row) != 3:
            report.problems.append((line, "columns"))
            continue
        number = normalise_fiscal_number(row[0])
        if number is None:
            report.problems.append((line, "fiscal_number"))
            continue
        try:
            municipio = municipi[int(row[1].strip())]
        except (ValueError, KeyError):
            report.problems.append((line, "municipio"))
            continue
        try:
            born = date.fromisoformat(row[2].strip())
        except ValueError:
            report.problems.append((line, "birth_date"))
            continue
        key = fiscal_hash(number)
        if key in rows:
            report.problems.append((line, "duplicate"))
            continue
        rows[key] = (municipio, born)
    if report.problems or not rows:
        if not rows and not report.problems:
            report.problems.append((0, "empty"))
        return report
    batch = f"{now:%Y%m%d%H%M}-{secrets.token_hex(3)}"
    session.execute(delete(CensusRecord))
    session.add_all(
        CensusRecord(
            fiscal_hash=key, municipio_id=municipio, birth_date=born, batch=batch, imported_at=now
        )
        for key, (municipio, born) in rows.items()
    )
    session.flush()
    report.imported = len(rows)
    audit.record(
        session,
        actor_id=operator.id,
        action="residency.census_import",
        target_type="census",
        target_id=batch,
        now=now,
        after={"rows": len(rows)},
    )
    return report


def electorate(session: Session, municipio_id: int, day: date, min_age: int) -> int | None:
    """The census residents of a Municipio at least ``min_age`` on ``day``, the rule the ballot
    box applies (``age_on``); None when the census holds nobody there. One query."""
    cutoff = latest_birth_date(day, min_age)
    everyone, old_enough = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((CensusRecord.birth_date <= cutoff, 1), else_=0)), 0),
        ).where(CensusRecord.municipio_id == municipio_id)
    ).one()
    return int(old_enough) if everyone else None


def verify_from_census(session: Session, person: User, *, now: datetime) -> Residency | None:
    """A signed-in person whose fiscal number is in the census is verified for its Municipio.
    A desk verification is kept (staff saw a document)."""
    if not person.fiscal_number_hash:
        return None
    record = session.get(CensusRecord, person.fiscal_number_hash)
    if record is None:
        return None
    residency = session.get(Residency, person.id)
    if residency is not None and residency.method == Method.DESK.value:
        return residency
    residency = residency or Residency(user_id=person.id)
    residency.municipio_id = record.municipio_id
    residency.birth_date = record.birth_date
    residency.method = Method.CENSUS.value
    residency.document_type = None
    residency.verified_by_id = None
    residency.verified_at = now
    session.add(residency)
    person.municipio_id = record.municipio_id
    session.flush()
    audit.record(
        session,
        actor_id=None,
        action="residency.census",
        target_type="user",
        target_id=person.id,
        now=now,
        after={"municipio_id": record.municipio_id, "batch": record.batch},
    )
    return residency


def declare(
    session: Session, person: User, *, municipio_id: int, birth_date: date, now: datetime
) -> Residency:
    """Self-declared residency, for calls that accept it; never replaces a verified one."""
    residency = session.get(Residency, person.id)
    if residency is not None and residency.method != Method.SELF.value:
        return residency
    if birth_date >= now.date() or birth_date.year < 1900:
        from .services import ResidencyRefused

        raise ResidencyRefused("bad_birth_date")
    residency = residency or Residency(user_id=person.id)
    residency.municipio_id = municipio_id
    residency.birth_date = birth_date
    residency.method = Method.SELF.value
    residency.document_type = None
    residency.verified_by_id = None
    residency.verified_at = now
    session.add(residency)
    person.municipio_id = municipio_id
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="residency.declared",
        target_type="user",
        target_id=person.id,
        now=now,
        after={"municipio_id": municipio_id},
    )
    return residency
