"""call_revision: a stamp that changes with anything a ballot shows of a call

Revision ID: 0013_call_revision
Revises: 0012_execution
Create Date: 2026-11-30 10:30:00+00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_call_revision"
down_revision: str | None = "0012_execution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("revision", sa.String(16), nullable=False, server_default="0"))
    calls = sa.table("calls", sa.column("id", sa.Integer), sa.column("revision", sa.String))
    connection = op.get_bind()
    for (call_id,) in connection.execute(sa.select(calls.c.id)).all():
        connection.execute(
            calls.update().where(calls.c.id == call_id).values(revision=secrets.token_hex(8))
        )


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("revision")
