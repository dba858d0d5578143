"""execution: funded projects tracked in public, with milestones, updates, photos, followers

Revision ID: 0012_execution
Revises: 0011_email_spool
Create Date: 2026-11-22 08:07:47.481191+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_execution"
down_revision: str | None = "0011_email_spool"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("funded_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("committed_cents", sa.Integer(), nullable=False),
        sa.Column("spent_cents", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('budget', 'campaign', 'grant')", name=op.f("ck_tracked_projects_source")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed', 'cancelled')",
            name=op.f("ck_tracked_projects_status"),
        ),
        sa.CheckConstraint(
            "committed_cents >= 0 AND spent_cents >= 0 AND funded_cents >= 0",
            name=op.f("ck_tracked_projects_amounts_not_negative"),
        ),
        sa.CheckConstraint(
            "percent >= 0 AND percent <= 100", name=op.f("ck_tracked_projects_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_tracked_projects_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_tracked_projects_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_tracked_projects_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_projects")),
        sa.UniqueConstraint(
            "source", "source_id", name=op.f("uq_tracked_projects_source_source_id")
        ),
    )
    with op.batch_alter_table("tracked_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracked_projects_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracked_projects_call_id"), ["call_id"], unique=False)

    op.create_table(
        "tracked_followers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["tracked_projects.id"],
            name=op.f("fk_tracked_followers_project_id_tracked_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tracked_followers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "project_id", name=op.f("pk_tracked_followers")),
    )
    with op.batch_alter_table("tracked_followers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_followers_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "tracked_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["tracked_projects.id"],
            name=op.f("fk_tracked_milestones_project_id_tracked_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_milestones")),
    )
    with op.batch_alter_table("tracked_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_milestones_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "tracked_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_tracked_updates_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["tracked_projects.id"],
            name=op.f("fk_tracked_updates_project_id_tracked_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_updates")),
    )
    with op.batch_alter_table("tracked_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_updates_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "tracked_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("mimetype", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["tracked_updates.id"],
            name=op.f("fk_tracked_photos_update_id_tracked_updates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_tracked_photos_stored_name")),
    )
    with op.batch_alter_table("tracked_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_photos_update_id"), ["update_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracked_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_photos_update_id"))

    op.drop_table("tracked_photos")
    with op.batch_alter_table("tracked_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_updates_project_id"))

    op.drop_table("tracked_updates")
    with op.batch_alter_table("tracked_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_milestones_project_id"))

    op.drop_table("tracked_milestones")
    with op.batch_alter_table("tracked_followers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_followers_project_id"))

    op.drop_table("tracked_followers")
    with op.batch_alter_table("tracked_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_projects_call_id"))
        batch_op.drop_index(batch_op.f("ix_tracked_projects_area_id"))

    op.drop_table("tracked_projects")
