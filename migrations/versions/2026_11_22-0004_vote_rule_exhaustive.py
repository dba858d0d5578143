"""Calls may choose MES with exhaustive add-one; ballots may be imported from Pabulib files.

Revision ID: 0004_vote_rule_exhaustive
Revises: 0003_voting
Create Date: 2026-11-22 00:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_vote_rule_exhaustive"
down_revision: str | None = "0003_voting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "'greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-greedy'"
AFTER = (
    "'greedy', 'greedy-no-skip', 'greedy-threshold', 'mes', 'mes-add1', 'mes-add1-exhaustive', "
    "'mes-add1-greedy'"
)


def _replace_rule_check(rules: str) -> None:
    with op.batch_alter_table("vote_settings") as batch:
        batch.drop_constraint(op.f("ck_vote_settings_rule"), type_="check")
        batch.create_check_constraint("rule", f"rule IN ({rules})")


def _replace_channel_check(channels: str) -> None:
    with op.batch_alter_table("ballots") as batch:
        batch.drop_constraint(op.f("ck_ballots_channel"), type_="check")
        batch.create_check_constraint("channel", f"channel IN ({channels})")


def upgrade() -> None:
    _replace_rule_check(AFTER)
    _replace_channel_check("'online', 'paper', 'imported'")


def downgrade() -> None:
    _replace_channel_check("'online', 'paper'")
    _replace_rule_check(BEFORE)
