"""grant_sessions: a rolling call publishes one ranking per evaluation session

Revision ID: 0010_grant_sessions
Revises: 0009_grants
Create Date: 2026-11-22 04:46:53.552181+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_grant_sessions"
down_revision: str | None = "0009_grants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grant_rankings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grant_rankings", schema=None) as batch_op:
        batch_op.drop_column("session_on")
