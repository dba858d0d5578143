"""The schema comes only from the migrations, and they match the models."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from civic.calls.models import CallPhase
from civic.core.db import get_database, make_engine
from civic.core.migrate import alembic_config, upgrade
from civic.core.time import to_rome, utcnow
from civic.models import metadata
from civic.residency.domain import age_on
from civic.residency.models import CensusRecord
from civic.voting.models import VoteResult
from tests.conftest import make_test_app
from tests.factories.calls import make_voting_call
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


@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_0014_counts_the_electorate_of_tallies_already_made(tmp_path: Path, engine: str) -> None:
    """Tallies made before the column existed get the census residents of their call's age on
    the vote's first day; an area without census rows stays unknown."""
    base = "sqlite://" if engine == "sqlite" else postgres_url_or_skip()
    with throwaway_database(base, str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(url, 1)
        db = get_database(app).session_factory()
        with app.test_request_context("/"):
            call, projects = make_voting_call(db, voting_open=False, min_age=18)
        first, second = sorted(projects)
        starts_at = db.scalar(
            select(CallPhase.starts_at).where(
                CallPhase.call_id == call.id, CallPhase.kind == "voting"
            )
        )
        assert starts_at is not None
        first_day = to_rome(starts_at).date()
        born = [
            first_day.replace(year=first_day.year - 18) + timedelta(days=d) for d in (-1, 0, 1, 2)
        ]
        born.append(date(1970, 1, 1))
        for n, birth_date in enumerate(born):
            db.add(
                CensusRecord(
                    fiscal_hash=f"{n:064d}", municipio_id=first, birth_date=birth_date,
                    batch="test", imported_at=utcnow(),
                )
            )  # fmt: skip
        for area in (first, second):
            db.add(
                VoteResult(
                    call_id=call.id, area_id=area, rule="greedy", budget_cents=1, winners=[],
                    explanation={}, ballots=0, voters=0, electorate=None, computed_at=utcnow(),
                )
            )  # fmt: skip
        db.commit()
        db.close()
        get_database(app).engine.dispose()
        command.downgrade(alembic_config(url), "0013_call_revision")
        upgrade(url)
        db = get_database(app).session_factory()
        stored = dict(db.execute(select(VoteResult.area_id, VoteResult.electorate)).all())
        db.close()
        get_database(app).engine.dispose()
    assert stored == {first: sum(age_on(b, first_day) >= 18 for b in born), second: None}
    assert stored[first] == 3  # born on the cutoff day or before
