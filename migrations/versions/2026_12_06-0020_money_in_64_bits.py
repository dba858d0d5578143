"""money columns in 64-bit integers, so any amount up to € 1 billion fits

Revision ID: 0020_money_in_64_bits
Revises: 0019_vote_for_one_and_reserve
Create Date: 2026-12-06 23:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_money_in_64_bits"
down_revision: str | None = "0019_vote_for_one_and_reserve"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTS = {
    "calls": ["total_budget_cents"],
    "call_areas": ["budget_cents"],
    "crowdfunding_applications": ["total_cost_cents"],
    "crowdfunding_settings": ["city_cap_cents", "min_cost_cents", "max_cost_cents"],
    "crowdfunding_campaigns": ["approved_cost_cents", "goal_cents", "city_match_cents"],
    "crowdfunding_reward_tiers": ["min_amount_cents"],
    "crowdfunding_pledges": ["amount_cents"],
    "crowdfunding_ledger": ["amount_cents"],
    "grant_applications": ["cofunding_cents", "total_cents"],
    "grant_settings": ["max_grant_cents"],
    "grant_instalments": ["amount_cents"],
    "proposals": ["cost_cents"],
    "proposal_revisions": ["cost_cents"],
    "feasibility_reviews": ["cost_estimate_cents", "running_cost_cents"],
    "tracked_projects": ["funded_cents", "committed_cents", "spent_cents"],
    "vote_results": ["budget_cents"],
}


def _retype(before: sa.types.TypeEngine, after: sa.types.TypeEngine) -> None:
    # SQLite's INTEGER is already 64 bits wide: only PostgreSQL's columns change.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in CENTS.items():
        for column in columns:
            op.alter_column(table, column, type_=after, existing_type=before)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())
