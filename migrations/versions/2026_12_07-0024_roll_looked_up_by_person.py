"""the voter roll's unique keys start with the person, so a cast's check is a lookup

Every cast asks whether the account or the person is already on the call's roll
(`user_id = ? OR person_hash = ?` within the call). With the call first in both keys that
was a scan of the call's whole roll on PostgreSQL, longer with every ballot. The separate
index on user_id is then covered by the first key and goes.

Revision ID: 0024_roll_looked_up_by_person
Revises: 0023_area_boundaries
Create Date: 2026-12-07 04:45:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024_roll_looked_up_by_person"
down_revision: str | None = "0023_area_boundaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The roll has no rowid on SQLite (its physical order must not follow cast order): the copy a
# batch makes there keeps it so.
_TABLE = {"sqlite_with_rowid": False}


def upgrade() -> None:
    with op.batch_alter_table("voter_roll", table_kwargs=_TABLE) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_roll_user_id"))
        batch_op.drop_constraint("uq_voter_roll_call_id_area_id_user_id", type_="unique")
        batch_op.drop_constraint("uq_voter_roll_call_id_area_id_person_hash", type_="unique")
        batch_op.create_unique_constraint(
            "uq_voter_roll_user_id_call_id_area_id", ["user_id", "call_id", "area_id"]
        )
        batch_op.create_unique_constraint(
            "uq_voter_roll_person_hash_call_id_area_id", ["person_hash", "call_id", "area_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("voter_roll", table_kwargs=_TABLE) as batch_op:
        batch_op.drop_constraint("uq_voter_roll_person_hash_call_id_area_id", type_="unique")
        batch_op.drop_constraint("uq_voter_roll_user_id_call_id_area_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_voter_roll_call_id_area_id_person_hash", ["call_id", "area_id", "person_hash"]
        )
        batch_op.create_unique_constraint(
            "uq_voter_roll_call_id_area_id_user_id", ["call_id", "area_id", "user_id"]
        )
        batch_op.create_index(batch_op.f("ix_voter_roll_user_id"), ["user_id"], unique=False)
