"""notices people may turn off or gather weekly, and the digest's waiting notices

Revision ID: 0021_email_settings
Revises: 0020_money_in_64_bits
Create Date: 2026-12-06 23:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021_email_settings"
down_revision: str | None = "0020_money_in_64_bits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "email_settings",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
    op.create_table(
        "email_digest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_digest_items_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_digest_items")),
    )
    op.create_index(
        op.f("ix_email_digest_items_user_id"), "email_digest_items", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_email_digest_items_user_id"), table_name="email_digest_items")
    op.drop_table("email_digest_items")
    # Not a batch: on SQLite that copies the users table, which every other table refers to.
    op.drop_column("users", "email_settings")
