"""follower_notices: where a job resumes telling the followers of a project with many

Revision ID: 0015_follower_notices
Revises: 0014_vote_electorate
Create Date: 2026-11-30 13:11:35.175176+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_follower_notices"
down_revision: str | None = "0014_vote_electorate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("photos", sa.Integer(), nullable=False),
        sa.Column("told_up_to", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["tracked_milestones.id"],
            name=op.f("fk_tracked_notices_milestone_id_tracked_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["tracked_projects.id"],
            name=op.f("fk_tracked_notices_project_id_tracked_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["tracked_updates.id"],
            name=op.f("fk_tracked_notices_update_id_tracked_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_notices")),
    )
    with op.batch_alter_table("tracked_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracked_notices_done_at"), ["done_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tracked_notices_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracked_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_notices_project_id"))
        batch_op.drop_index(batch_op.f("ix_tracked_notices_done_at"))

    op.drop_table("tracked_notices")
