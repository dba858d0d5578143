"""a vote for one project, the minimum score and the reserve step on live calls

Revision ID: 0019_vote_for_one_and_reserve
Revises: 0018_pledge_expired
Create Date: 2026-12-06 20:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_vote_for_one_and_reserve"
down_revision: str | None = "0018_pledge_expired"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = "'approval', 'knapsack', 'cumulative', 'ranked'"
KINDS_AFTER = KINDS_BEFORE + ", 'single'"
RULES_BEFORE = (
    "'greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-exhaustive', "
    "'mes-add1-greedy'"
)
RULES_AFTER = RULES_BEFORE + ", 'greedy-custom', 'mes-add1-comparison'"


def _checks(kinds: str, rules: str) -> None:
    with op.batch_alter_table("vote_settings") as batch:
        batch.drop_constraint(op.f("ck_vote_settings_ballot_kind"), type_="check")
        batch.drop_constraint(op.f("ck_vote_settings_rule"), type_="check")
        batch.create_check_constraint("ballot_kind", f"ballot_kind IN ({kinds})")
        batch.create_check_constraint("rule", f"rule IN ({rules})")


def upgrade() -> None:
    with op.batch_alter_table("vote_settings") as batch:
        batch.add_column(sa.Column("min_score", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("reserve_percent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_check_constraint(
            "steps", "min_score >= 0 AND reserve_percent >= 0 AND reserve_percent <= 100"
        )
    _checks(KINDS_AFTER, RULES_AFTER)


def downgrade() -> None:
    # The nearest earlier settings: a vote for one is an approval of exactly one; the new rules
    # become the greedy they extend.
    op.execute(
        sa.text(
            "UPDATE vote_settings SET ballot_kind = 'approval', min_choices = 1, max_choices = 1 "
            "WHERE ballot_kind = 'single'"
        )
    )
    op.execute(
        sa.text("UPDATE vote_settings SET rule = 'greedy-no-skip' WHERE rule = 'greedy-custom'")
    )
    op.execute(
        sa.text("UPDATE vote_settings SET rule = 'mes-add1' WHERE rule = 'mes-add1-comparison'")
    )
    _checks(KINDS_BEFORE, RULES_BEFORE)
    with op.batch_alter_table("vote_settings") as batch:
        batch.drop_constraint(op.f("ck_vote_settings_steps"), type_="check")
        batch.drop_column("reserve_percent")
        batch.drop_column("min_score")
