"""Database: declarative base with a naming convention, UTC datetimes, one session per request."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Flask, current_app, g
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Engine,
    Integer,
    MetaData,
    bindparam,
    cast,
    create_engine,
    event,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Amounts of money in integer cents reach € 1 billion (10^11 cents) and their sums more: a
# 64-bit column on PostgreSQL; SQLite's INTEGER already holds 64 bits.
Cents = Annotated[int, mapped_column(BigInteger().with_variant(Integer(), "sqlite"))]


def sum_cents(column: Any) -> ColumnElement[int]:
    """The sum of a column of cents, 0 when there are no rows, as an integer: PostgreSQL sums
    64-bit integers as numeric, which the driver would hand back as a Decimal."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets real transactions, savepoints and foreign keys."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy issues BEGIN itself so SAVEPOINT works (pysqlite's own handling breaks it).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            # IMMEDIATE takes the write lock up front, so concurrent requests wait their turn
            # (busy_timeout) instead of failing when a reader later tries to write.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


# A connection back in the pool this recently was alive a moment ago: pinging it again costs a
# round trip on every request (a tenth of a ballot page's CPU) and tells nothing new.
IDLE_BEFORE_PING = 1.0  # seconds


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat idle; a dead one is replaced.

    This keeps the recovery from a PostgreSQL restart (SQLAlchemy's pool_pre_ping) without its
    round trip per request under load. A connection that dies within the idle window fails its
    request, which SQLAlchemy answers by discarding the whole pool, so each process loses at most
    one request after a restart (answered 503, like those during the restart).
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool opens a fresh connection and tries again.
            raise DisconnectionError(str(error)) from error


class Database:
    """The app's engine and session factory, kept in ``app.extensions['civic.db']``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory: Callable[[], Session] = sessionmaker(
            bind=engine, expire_on_commit=False
        )


def register(app: Flask) -> None:
    """Create the engine (no connection is opened) and close the session after each request."""
    app.extensions["civic.db"] = Database(make_engine(app.config["DATABASE_URL"]))
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    """The Database of the given or current app."""
    database: Database = (app or current_app).extensions["civic.db"]
    return database


def add_once(session: Session, row: Base) -> bool:
    """Insert a row that a UNIQUE constraint allows once; False if it is already there.

    The insert runs in a savepoint, so a clash (a double click, a concurrent request) leaves
    the rest of the transaction intact instead of failing the request.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def insert_once(session: Session, model: type[Base], **values: Any) -> bool:
    """Insert one row unless a UNIQUE constraint already holds one like it; False then.

    One INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite: no savepoint, and a
    concurrent insert of the same row waits for the first to commit and then inserts nothing.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return add_once(session, model(**values))
    statement = _insert_once_statement(dialect, model.__table__, tuple(sorted(values)))
    session.flush()  # what the session holds goes first, as an ORM statement would do
    return session.connection().execute(statement, values).first() is not None


def count_up(
    session: Session,
    model: type[Base],
    counter: str,
    *,
    also: dict[str, Any] | None = None,
    **key: Any,
) -> int:
    """Add one to the counter of the row with this key (made at 1 if it is not there) and
    return the new value: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so concurrent
    requests each get their own number and none is lost. ``also`` sets other columns with it
    (a last-seen time)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    # On the table, not the ORM class: SQLAlchemy builds an ORM-annotated class for a dialect's
    # insert on first use, and concurrent first uses could compile it before it is marked
    # cacheable (an SAWarning seen once in CI with failed sign-ins arriving together).
    table: Any = model.__table__
    statement = (
        insert(table)
        .values({**key, **(also or {}), counter: 1})
        .on_conflict_do_update(
            index_elements=list(key), set_={counter: table.c[counter] + 1, **(also or {})}
        )
        .returning(table.c[counter])
    )
    session.flush()
    return int(session.connection().execute(statement).scalar_one())


@functools.cache
def _insert_once_statement(dialect: str, table: Any, columns: tuple[str, ...]) -> Any:
    """Built once per table and set of columns (building costs more than running it)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return (
        insert(table)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing()
        .returning(*table.primary_key)
    )


def get_session() -> Session:
    """The session of the current request or command, created on first use."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except DBAPIError:  # the server went away mid-request: drop the connection, not the answer
        with contextlib.suppress(Exception):
            session.invalidate()
