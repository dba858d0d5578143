"""areas' outlines, uploaded by staff as GeoJSON

Revision ID: 0023_area_boundaries
Revises: 0022_vote_opening_announced
Create Date: 2026-12-07 00:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_area_boundaries"
down_revision: str | None = "0022_vote_opening_announced"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("areas", sa.Column("boundary", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Not a batch: on SQLite that would copy the areas table, which others refer to.
    op.drop_column("areas", "boundary")
