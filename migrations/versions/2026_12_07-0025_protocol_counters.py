"""protocol numbers counted per prefix and year across calls, not per call

Two calls with the same prefix (every edition of La Scuola dei Quartieri has "SDQ") each
counted from 1, so the second call's first submission in a year clashed with the first
call's on the unique protocol number and could not be submitted. The counter now lives in
its own table, keyed by prefix and year, seeded from the numbers already given.

Revision ID: 0025_protocol_counters
Revises: 0024_roll_looked_up_by_person
Create Date: 2026-12-07 05:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_protocol_counters"
down_revision: str | None = "0024_roll_looked_up_by_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counters = op.create_table(
        "protocol_counters",
        sa.Column("prefix", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_protocol_counters")),
    )
    last: dict[tuple[str, int], int] = {}
    given = sa.table("grant_applications", sa.column("protocol_number", sa.String))
    for (number,) in op.get_bind().execute(
        sa.select(given.c.protocol_number).where(given.c.protocol_number.is_not(None))
    ):
        prefix, year, sequence = str(number).rsplit("-", 2)  # "SDQ-2026-000042"
        if year.isdigit() and sequence.isdigit():
            key = (prefix, int(year))
            last[key] = max(last.get(key, 0), int(sequence))
    if last:
        op.bulk_insert(
            counters, [{"prefix": p, "year": y, "last": n} for (p, y), n in sorted(last.items())]
        )
    op.drop_column("grant_settings", "next_protocol")  # SQLite drops a plain column in place


def downgrade() -> None:
    op.add_column(
        "grant_settings",
        sa.Column("next_protocol", sa.Integer(), nullable=False, server_default="1"),
    )
    op.drop_table("protocol_counters")
