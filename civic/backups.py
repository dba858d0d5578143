"""Backups of the PostgreSQL database: ``flask civic backup FILE`` writes one with pg_dump, and
``flask civic restore-check FILE`` restores it into a new empty database and compares the row
count of every table with the live database (then drops the copy)."""

from __future__ import annotations

import os
import shutil
import subprocess  # pg_dump and pg_restore, called with argument lists  # nosec B404
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    pass


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments and environment for a SQLAlchemy URL."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _postgres(database_url: str) -> URL:
    url = make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise BackupError("backups are made of the PostgreSQL database (DATABASE_URL)")
    return url


def backup(database_url: str, target: Path) -> Path:
    """pg_dump in the custom format (compressed; restored with pg_restore)."""
    url = _postgres(database_url)
    args, env = _libpq(url)
    command = [_program("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(target)]
    done = subprocess.run(  # noqa: S603 (fixed program, our own settings)  # nosec B603
        [*command, str(url.database)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or "pg_dump failed")
    return target


def row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {
                name: int(
                    connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                )
                for name in sorted(tables)
            }
    finally:
        engine.dispose()


def restore_check(database_url: str, source: Path) -> dict[str, tuple[int, int]]:
    """Restore ``source`` into a new database next to the live one; return the tables whose
    counts differ (live, restored). The copy is dropped afterwards."""
    url = _postgres(database_url)
    name = f"civic_restore_check_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    copy = url.set(database=name)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        args, env = _libpq(url)
        done = subprocess.run(  # noqa: S603 (fixed program, our own settings)  # nosec B603
            [_program("pg_restore"), *args, "--no-owner", "--dbname", name, str(source)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(done.stderr.strip() or "pg_restore failed")
        live = row_counts(database_url)
        restored = row_counts(copy.render_as_string(hide_password=False))
        return {
            table: (live.get(table, -1), restored.get(table, -1))
            for table in sorted(set(live) | set(restored))
            if live.get(table) != restored.get(table)
        }
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
