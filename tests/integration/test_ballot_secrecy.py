"""The secret ballot, tested as an insider would attack it, on both databases.

Sixteen voters choose sixteen different sets of projects, each cast in its own transaction as
in production. Then someone with the database, a dump of it, the job queue's file and the logs
tries every way of pairing the voter roll with readable ballots that the issue lists: the same
transaction id, physical order, id order, times, shared values. Before the count nothing is
readable at all; after it, no attack may pair more voters with their choices than chance would
(one in sixteen on average; the bound below is half of them, far above chance and far below
the sixteen of sixteen each attack won before ballots were sealed).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey.storage import SqliteStorage
from sqlalchemy import inspect as schema_inspect
from sqlalchemy import make_url, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from civic import extensions
from civic.calls.models import CallPhase
from civic.core.db import get_database
from civic.core.jobs import try_enqueue
from civic.core.migrate import upgrade
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.tasks import tally_call_job
from tests.conftest import make_test_app
from tests.factories.calls import DAY, make_voter, make_voting_call
from tests.support import postgres_url_or_skip, throwaway_database

VOTERS = 16
CHANCE_BOUND = VOTERS // 2  # an attack that pairs this many or more has found a link


@dataclass
class Scene:
    app: Flask
    url: str
    call_id: int
    area: int
    truth: dict[int, frozenset[int]]  # user id -> the projects they chose
    receipts: list[str]
    titles: list[str]
    queue_file: Path
    queue: SqliteStorage


def _choice_sets(projects: list[int]) -> list[frozenset[int]]:
    sets = [
        frozenset(c)
        for n in range(1, len(projects) + 1)
        for c in itertools.combinations(projects, n)
    ]
    return sets[:VOTERS]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scene(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    smtp: tuple[int, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Scene]:
    base = "sqlite://" if request.param == "sqlite" else postgres_url_or_skip()
    # The real job queue on a file the attacker can read, as in a deployment without Redis.
    queue_file = tmp_path / "huey.sqlite3"
    caplog.set_level(logging.DEBUG)
    with throwaway_database(base, str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(url, smtp[0])
        # After the app is made (it turns on immediate jobs for tests): jobs are queued.
        queue = SqliteStorage("civic", filename=str(queue_file))
        monkeypatch.setattr(extensions.huey, "_immediate", False)
        monkeypatch.setattr(extensions.huey, "storage", queue)
        database = get_database(app)
        with app.test_request_context("/"):
            db = database.session_factory()
            call, projects = make_voting_call(db, projects_per_area=5)
            area = next(iter(projects))
            voters = [make_voter(db, area) for _ in range(VOTERS)]
            from civic.proposals.models import Proposal

            titles = [db.get(Proposal, p).title for p in projects[area]]  # type: ignore[union-attr]
            truth: dict[int, frozenset[int]] = {}
            receipts = []
            for voter, chosen in zip(voters, _choice_sets(projects[area]), strict=True):
                cast = services.cast_ballot(
                    db, voter, call, area, dict.fromkeys(chosen, 1), now=utcnow()
                )
                db.commit()  # one transaction per cast, as in production
                truth[voter.id] = chosen
                receipts.append(cast.receipt)
            # One voter changes their ballot: the change is sealed the same way, and e-mailed.
            first = voters[0]
            changed = frozenset(projects[area][-2:])
            services.change_ballot(
                db, first, call, area, receipts[0], dict.fromkeys(changed, 1), now=utcnow()
            )
            db.commit()
            truth[first.id] = changed
            db.close()
        yield Scene(app, url, call.id, area, truth, receipts, titles, queue_file, queue)
        database.engine.dispose()


def _count(scene: Scene) -> None:
    """Close the vote, queue the count as staff do, then run what the worker would run."""
    database = get_database(scene.app)
    with scene.app.test_request_context("/"):
        db = database.session_factory()
        now = utcnow()
        db.execute(
            update(CallPhase)
            .where(CallPhase.call_id == scene.call_id, CallPhase.kind == "voting")
            .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
        )
        db.commit()
        held = extensions.huey._immediate, extensions.huey.storage
        extensions.huey._immediate, extensions.huey.storage = False, scene.queue
        try:
            assert try_enqueue(tally_call_job, scene.call_id, None)
        finally:
            extensions.huey._immediate, extensions.huey.storage = held
        from civic.calls.queries import get_call

        services.tally_call(db, None, get_call(db, scene.call_id), now=utcnow())  # type: ignore[arg-type]
        db.commit()
        db.close()


# -- what an insider reads


def _rows(db: Session, table: str, order: str | None = None) -> list[dict[str, Any]]:
    clause = f" ORDER BY {order}" if order else ""
    return [dict(r._mapping) for r in db.execute(text(f"SELECT * FROM {table}{clause}"))]


def _readable(value: Any) -> frozenset[int] | None:
    """What an attacker makes of a stored value: a set of projects, if it reads as a ballot."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict) and value and all(str(k).isdigit() for k in value):
        return frozenset(int(k) for k in value)
    return None


def _ballot_of(row: dict[str, Any]) -> frozenset[int] | None:
    for value in row.values():
        found = _readable(value)
        if found is not None:
            return found
    return None


def _paired(scene: Scene, roll: list[dict[str, Any]], ballots: list[dict[str, Any]]) -> int:
    """How many voters a pairing of roll rows with ballot rows in the same order gets right, at
    the best offset between the two lists (a changed ballot moves one row along)."""
    best = 0
    for offset in range(-len(ballots), len(roll) + 1):
        shifted = ballots[max(-offset, 0) :]
        entries = roll[max(offset, 0) :]
        hits = sum(
            1
            for entry, ballot in zip(entries, shifted, strict=False)
            if _ballot_of(ballot) == scene.truth.get(entry["user_id"])
        )
        best = max(best, hits)
    return best


def _every_table(db: Session) -> list[str]:
    return schema_inspect(db.get_bind()).get_table_names()


def _all_readable_ballots(db: Session) -> list[frozenset[int]]:
    found = []
    for table in _every_table(db):
        for row in _rows(db, table):
            ballot = _ballot_of(row)
            if ballot is not None:
                found.append(ballot)
    return found


def _orderings(db: Session, dialect: str) -> dict[str, str | None]:
    orders: dict[str, str | None] = {"as stored": None, "by id": "id"}
    if dialect == "postgresql":
        orders["physical (ctid)"] = "ctid"
    return orders


def _attack(scene: Scene) -> dict[str, int]:
    """Every pairing the insider tries, with how many voters each gets right."""
    database = get_database(scene.app)
    db = database.session_factory()
    dialect = db.get_bind().dialect.name
    won: dict[str, int] = {}
    tables = [t for t in _every_table(db) if t != "voter_roll"]
    for name, order in _orderings(db, dialect).items():
        roll = _rows(db, "voter_roll", order)
        for table in tables:
            try:
                ballots = _rows(db, table, order)
            except DBAPIError:  # a table with no column to order by: nothing to try
                db.rollback()
                continue
            won[f"{table} {name}"] = _paired(scene, roll, ballots)
    if dialect == "sqlite":
        for table in ("voter_roll", "counted_ballots", "sealed_ballots"):
            with pytest.raises(OperationalError, match="rowid"):
                db.execute(text(f"SELECT rowid FROM {table}"))
            db.rollback()
    if dialect == "postgresql":
        # Same transaction: the roll entry and anything written with it.
        roll = _rows(db, "voter_roll")
        by_xmin: dict[str, Any] = {}
        for table in tables:
            for row in db.execute(text(f"SELECT xmin::text AS x, t.* FROM {table} t")):
                by_xmin.setdefault(row.x, []).append(dict(row._mapping))
        hits = 0
        for row in db.execute(text("SELECT xmin::text AS x, user_id FROM voter_roll")):
            for candidate in by_xmin.get(row.x, []):
                if _ballot_of(candidate) == scene.truth.get(row.user_id):
                    hits += 1
        won["same transaction (xmin)"] = hits
        # Every value a roll row shares with a readable ballot row (ids, days, hashes).
        counted = _rows(db, "counted_ballots")
        shared = 0
        for entry in roll:
            values = {str(v) for k, v in entry.items() if k not in ("call_id", "area_id")}
            for ballot in counted:
                theirs = {str(v) for k, v in ballot.items() if k not in ("call_id", "area_id")}
                if values & theirs:
                    shared += _ballot_of(ballot) == scene.truth.get(entry["user_id"])
        won["a shared value"] = shared
    db.close()
    return won


def _pg_dump(scene: Scene) -> dict[str, list[list[str]]]:
    """The backup an operator keeps: pg_dump's data, table by table, in the order it writes."""
    parsed = make_url(scene.url)
    out = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            parsed.host or "127.0.0.1",
            "-p",
            str(parsed.port or 5432),
            "-U",
            parsed.username or "postgres",
            parsed.database or "",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
    ).stdout
    tables: dict[str, list[list[str]]] = {}
    copy = r"^COPY public\.(\w+) \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$"
    for block in re.finditer(copy, out, re.S | re.M):
        columns = [c.strip().strip('"') for c in block.group(2).split(",")]
        tables[block.group(1)] = [
            columns,
            *(line.split("\t") for line in block.group(3).splitlines()),
        ]
    return tables


# -- the tests


def test_before_the_count_no_ballot_can_be_read_anywhere(scene: Scene) -> None:
    db = get_database(scene.app).session_factory()
    assert _all_readable_ballots(db) == []  # every table, every row, every column
    sealed = _rows(db, "sealed_ballots")
    assert len(sealed) == VOTERS
    assert len({len(r["ciphertext"]) for r in sealed}) == 1  # one size whatever was chosen
    db.close()
    assert all(hits == 0 for hits in _attack(scene).values())


def test_after_the_count_no_attack_pairs_more_voters_than_chance(scene: Scene) -> None:
    _count(scene)
    db = get_database(scene.app).session_factory()
    readable = [_ballot_of(r) for r in _rows(db, "counted_ballots")]
    assert sorted(map(sorted, readable)) == sorted(map(sorted, scene.truth.values()))
    counted = _rows(db, "counted_ballots")
    assert set(counted[0]) == {"id", "call_id", "area_id", "choices"}  # no day, channel, receipt
    db.close()
    won = _attack(scene)
    assert won, "the attacks ran"
    beaten = {attack: hits for attack, hits in won.items() if hits >= CHANCE_BOUND}
    assert beaten == {}


@pytest.mark.postgres
def test_a_pg_dump_pairs_no_more_voters_than_chance(scene: Scene) -> None:
    if not scene.url.startswith("postgresql"):
        pytest.skip("pg_dump reads PostgreSQL")
    before = _pg_dump(scene)
    assert "counted_ballots" not in before or len(before["counted_ballots"]) == 1  # header only
    _count(scene)
    dump = _pg_dump(scene)
    roll_columns, *roll = dump["voter_roll"]
    ballot_columns, *ballots = dump["counted_ballots"]
    entries = [
        {
            **dict(zip(roll_columns, r, strict=True)),
            "user_id": int(r[roll_columns.index("user_id")]),
        }
        for r in roll
    ]
    rows = [dict(zip(ballot_columns, b, strict=True)) for b in ballots]
    hits = _paired(scene, entries, rows)  # in the order the dump writes them
    assert len(ballots) == VOTERS
    assert hits < CHANCE_BOUND


def test_the_job_queue_and_the_logs_hold_no_choice_and_no_receipt(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    _count(scene)
    raw = scene.queue_file.read_bytes()
    pending = [extensions.huey.deserialize_task(item) for item in scene.queue.enqueued_items()]
    names = sorted({task.name.rsplit(".", 1)[-1] for task in pending})
    assert names == ["send_email", "tally_call_job"]  # the change's e-mail, the count
    for task in pending:
        if task.name.endswith("tally_call_job"):
            assert task.args[0] == scene.call_id  # ids only: the job needs no key and no ballot
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in scene.receipts:
        assert secret.encode() not in raw
        assert secret not in logged
    for title in scene.titles:
        assert title.encode() not in raw
        assert title not in logged
    for chosen in scene.truth.values():
        as_json = json.dumps({str(p): 1 for p in sorted(chosen)})
        assert as_json not in logged
        assert as_json.encode() not in raw
