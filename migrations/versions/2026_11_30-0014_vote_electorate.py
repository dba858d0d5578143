"""vote_electorate: the census residents old enough to vote, counted with each tally

Revision ID: 0014_vote_electorate
Revises: 0013_call_revision
Create Date: 2026-11-30 13:00:00+00:00

Existing tallies get it from the census held now (the best there is), each with its call's
minimum age on the vote's first day in Rome; areas without census rows stay NULL.
"""

from collections.abc import Sequence
from datetime import UTC, date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0014_vote_electorate"
down_revision: str | None = "0013_call_revision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_MIN_AGE = 16


def _latest_birth_date(day: date, min_age: int) -> date:
    try:
        return day.replace(year=day.year - min_age)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - min_age, day=28)


def upgrade() -> None:
    with op.batch_alter_table("vote_results") as batch:
        batch.add_column(sa.Column("electorate", sa.Integer(), nullable=True))
    results = sa.table(
        "vote_results",
        sa.column("id", sa.Integer),
        sa.column("call_id", sa.Integer),
        sa.column("area_id", sa.Integer),
        sa.column("electorate", sa.Integer),
    )
    phases = sa.table(
        "call_phases",
        sa.column("call_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("starts_at", sa.DateTime(timezone=True)),
    )
    settings = sa.table("vote_settings", sa.column("call_id", sa.Integer), sa.column("min_age"))
    census = sa.table(
        "census_records", sa.column("municipio_id", sa.Integer), sa.column("birth_date", sa.Date)
    )
    connection = op.get_bind()
    held = connection.execute(
        sa.select(results.c.id, results.c.area_id, phases.c.starts_at, settings.c.min_age)
        .select_from(results)
        .outerjoin(phases, (phases.c.call_id == results.c.call_id) & (phases.c.kind == "voting"))
        .outerjoin(settings, settings.c.call_id == results.c.call_id)
    ).all()
    rome = ZoneInfo("Europe/Rome")
    for result_id, area_id, starts_at, min_age in held:
        if starts_at is None:
            continue
        if isinstance(starts_at, str):  # SQLite without the app's column type
            from datetime import datetime

            starts_at = datetime.fromisoformat(starts_at)
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=UTC)
        cutoff = _latest_birth_date(
            starts_at.astimezone(rome).date(),
            DEFAULT_MIN_AGE if min_age is None else int(min_age),
        )
        everyone, old_enough = connection.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(
                    sa.func.sum(sa.case((census.c.birth_date <= cutoff, 1), else_=0)), 0
                ),
            ).where(census.c.municipio_id == area_id)
        ).one()
        if everyone:
            connection.execute(
                results.update().where(results.c.id == result_id).values(electorate=int(old_enough))
            )


def downgrade() -> None:
    with op.batch_alter_table("vote_results") as batch:
        batch.drop_column("electorate")
