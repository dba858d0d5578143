"""The schema comes only from the migrations, and they match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from civic.core.db import make_engine
from civic.core.migrate import upgrade
from civic.models import metadata
from tests.support import postgres_url_or_skip, throwaway_database


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_upgraded_from_empty_matches_the_models(tmp_path: Path) -> None:
    with throwaway_database("sqlite://", str(tmp_path)) as url:
        assert _tables(url) == set()
        upgrade(url)
        assert set(metadata.tables) <= _tables(url)
        assert _differences(url) == []


@pytest.mark.postgres
def test_postgresql_upgraded_from_empty_matches_the_models(tmp_path: Path) -> None:
    with throwaway_database(postgres_url_or_skip(), str(tmp_path)) as url:
        assert _tables(url) == set()
        upgrade(url)
        assert set(metadata.tables) <= _tables(url)
        assert _differences(url) == []


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    with throwaway_database("sqlite://", str(tmp_path)) as url:
        upgrade(url)
        upgrade(url)
        assert _differences(url) == []
