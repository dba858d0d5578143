"""Every cast asks the roll whether this account or this person has voted in the call. That
must be an index lookup on both databases: a scan of the call's roll grows with every ballot
(at 100,000 entries on PostgreSQL it took 11 ms a cast instead of 0.07 ms)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from civic.voting.models import VoterRoll
from civic.voting.services.common import _VOTED

# PostgreSQL plans by the table's size: a roll as large as a Municipio's vote, made in the
# test's transaction (foreign keys paused for it) and rolled back after.
_FILL = """
SET LOCAL session_replication_role = replica;
INSERT INTO voter_roll (id, call_id, area_id, user_id, channel, voted_on, person_hash)
SELECT md5(g::text), 1, 1 + g % 9, 1000000 + g, 'online', now(), md5(g::text) || md5(g::text)
FROM generate_series(1, 20000) AS g;
ANALYZE voter_roll;
"""


def _plan(db: Session, statement: Any, params: dict[str, object]) -> str:
    """The database's own plan for a statement."""
    connection = db.connection()
    compiled = statement.compile(dialect=connection.dialect)
    sql = str(compiled)
    values = {**compiled.params, **params}
    if connection.dialect.name == "postgresql":
        for part in filter(str.strip, _FILL.split(";")):
            connection.execute(text(part))
        rows = connection.exec_driver_sql("EXPLAIN " + sql, values)
        return "\n".join(row[0] for row in rows)
    ordered = tuple(values[name] for name in compiled.positiontup or ())
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, ordered)
    return "\n".join(str(row[-1]) for row in rows)


def _looked_up_by(plan: str) -> set[str]:
    """The columns an index is searched by: PostgreSQL's "Index Cond" lines, SQLite's
    "SEARCH ... USING INDEX ... (a=? AND b=?)". An index searched by the call alone, with the
    rest filtered, still reads the call's whole roll, so it does not count."""
    found: set[str] = set()
    for line in plan.splitlines():
        if "Index Cond" in line or ("SEARCH" in line and "INDEX" in line):
            found |= {c for c in ("user_id", "person_hash") if c in line}
    return found


def test_the_casts_roll_check_is_a_lookup(db: Session) -> None:
    plan = _plan(db, _VOTED, {"call_id": 1, "user_id": 2, "person": "0" * 64})
    assert _looked_up_by(plan) == {"user_id", "person_hash"}, plan
    db.rollback()


def test_a_persons_own_roll_entries_are_a_lookup(db: Session) -> None:
    """The activity page and the data export ask by account alone."""
    plan = _plan(db, select(VoterRoll.area_id).where(VoterRoll.user_id == 2), {})
    assert _looked_up_by(plan) == {"user_id"}, plan
    db.rollback()
