"""pledges not confirmed in time expire and free their reward place

Revision ID: 0018_pledge_expired
Revises: 0017_ended_sessions
Create Date: 2026-12-06 18:05:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_pledge_expired"
down_revision: str | None = "0017_ended_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = (
    "'pending', 'active', 'cancelled', 'charged', 'action_needed', 'lapsed', 'released', 'refunded'"
)
AFTER = BEFORE + ", 'expired'"


def _replace_state_check(states: str) -> None:
    with op.batch_alter_table("crowdfunding_pledges") as batch:
        batch.drop_constraint(op.f("ck_crowdfunding_pledges_state"), type_="check")
        batch.create_check_constraint("state", f"state IN ({states})")


def upgrade() -> None:
    _replace_state_check(AFTER)


def downgrade() -> None:
    # An expired pledge was never confirmed: as a cancelled one, it holds nothing.
    op.execute(
        sa.text("UPDATE crowdfunding_pledges SET state = 'cancelled' WHERE state = 'expired'")
    )
    _replace_state_check(BEFORE)
