"""residents are told once that their vote opened: how far the announcement got

Revision ID: 0022_vote_opening_announced
Revises: 0021_email_settings
Create Date: 2026-12-06 23:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_vote_opening_announced"
down_revision: str | None = "0021_email_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vote_settings") as batch:
        batch.add_column(
            sa.Column("announced_through", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
    # A vote already open or over when this runs is not announced again.
    op.execute("UPDATE vote_settings SET announced_at = CURRENT_TIMESTAMP")


def downgrade() -> None:
    with op.batch_alter_table("vote_settings") as batch:
        batch.drop_column("announced_at")
        batch.drop_column("announced_through")
