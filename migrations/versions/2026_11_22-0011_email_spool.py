"""email_spool: e-mails kept while the job queue cannot be reached

Revision ID: 0011_email_spool
Revises: 0010_grant_sessions
Create Date: 2026-11-22 05:14:45.176004+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_email_spool"
down_revision: str | None = "0010_grant_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_spool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("spooled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_spool")),
    )


def downgrade() -> None:
    op.drop_table("email_spool")
