"""sealed ballot box: election keys, trustees, sealed and counted ballots, a roll by person

Revision ID: 0016_sealed_ballot_box
Revises: 0015_follower_notices
Create Date: 2026-12-03 17:40:00+00:00

Ballots already in the old ``ballots`` table were readable; they move to ``counted_ballots``
in shuffled order with new ids and without channel, day or receipt (a vote still open while
this runs keeps its ballots counted, but they can no longer be changed by receipt). The roll
gets random ids in place of its sequence, in shuffled order too.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_sealed_ballot_box"
down_revision: str | None = "0015_follower_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _shuffled(rows: list) -> list:
    rows = list(rows)
    secrets.SystemRandom().shuffle(rows)
    return rows


def _roll_table() -> list:
    return [
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("desk", sa.String(length=80), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("voted_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("residency_method", sa.String(length=10), nullable=True),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "channel = 'online' OR (desk IS NOT NULL AND operator_id IS NOT NULL)",
            name=op.f("ck_voter_roll_paper_has_desk"),
        ),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_voter_roll_channel")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_voter_roll_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_voter_roll_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["users.id"], name=op.f("fk_voter_roll_operator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voter_roll_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_roll")),
        sa.UniqueConstraint(
            "call_id",
            "area_id",
            "person_hash",
            name=op.f("uq_voter_roll_call_id_area_id_person_hash"),
        ),
        sa.UniqueConstraint(
            "call_id", "area_id", "user_id", name=op.f("uq_voter_roll_call_id_area_id_user_id")
        ),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    # Typed reads, so the values come back as Python objects on both databases.
    ballots = sa.table(
        "ballots",
        sa.column("call_id", sa.Integer()),
        sa.column("area_id", sa.Integer()),
        sa.column("choices", sa.JSON()),
    )
    old_ballots = bind.execute(sa.select(ballots)).all()
    roll_columns = [c for c in _roll_table() if isinstance(c, sa.Column)][1:-1]
    old_roll = bind.execute(
        sa.select(sa.table("voter_roll", *(sa.column(c.name, c.type) for c in roll_columns)))
    ).all()

    with op.batch_alter_table("vote_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secrecy", sa.String(length=10), server_default="server", nullable=False)
        )

    op.create_table(
        "election_keys",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("trustees", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=True),
        sa.Column("fingerprint", sa.String(length=40), nullable=True),
        sa.Column("salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("box", sa.JSON(), nullable=False),
        sa.CheckConstraint("mode IN ('server', 'trustees')", name=op.f("ck_election_keys_mode")),
        sa.CheckConstraint(
            "threshold >= 1 AND trustees >= threshold", name=op.f("ck_election_keys_threshold")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_election_keys_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_election_keys")),
    )
    op.create_table(
        "election_trustees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pickup_key", sa.LargeBinary(length=32), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed_share", sa.LargeBinary(), nullable=True),
        sa.Column("commitment_salt", sa.LargeBinary(length=16), nullable=True),
        sa.Column("commitment", sa.String(length=64), nullable=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_share", sa.LargeBinary(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_election_trustees_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_election_trustees_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election_trustees")),
        sa.UniqueConstraint(
            "call_id", "position", name=op.f("uq_election_trustees_call_id_position")
        ),
        sa.UniqueConstraint(
            "call_id", "user_id", name=op.f("uq_election_trustees_call_id_user_id")
        ),
    )
    with op.batch_alter_table("election_trustees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_election_trustees_call_id"), ["call_id"], unique=False)

    op.create_table(
        "sealed_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("tracking_code", sa.String(length=20), nullable=False),
        sa.Column("cast_on", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('online', 'paper')", name=op.f("ck_sealed_ballots_channel")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_sealed_ballots_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_sealed_ballots_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_ballots")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_sealed_ballots_receipt_hash")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("sealed_ballots", schema=None) as batch_op:
        batch_op.create_index("ix_sealed_ballots_call_area", ["call_id", "area_id"], unique=False)

    counted = op.create_table(
        "counted_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_counted_ballots_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_counted_ballots_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counted_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("counted_ballots", schema=None) as batch_op:
        batch_op.create_index("ix_counted_ballots_call_area", ["call_id", "area_id"], unique=False)
    op.create_table(
        "ballot_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_ballot_amendments_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_ballot_amendments_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_ballot_amendments_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_amendments")),
    )
    with op.batch_alter_table("ballot_amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_amendments_call_id"), ["call_id"], unique=False)

    if old_ballots:
        op.bulk_insert(
            counted,
            [
                {"id": secrets.token_hex(16), "call_id": c, "area_id": a, "choices": ch}
                for c, a, ch in _shuffled(old_ballots)
            ],
        )
    op.drop_table("ballots")

    with op.batch_alter_table("voter_roll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_roll_user_id"))
    op.drop_table("voter_roll")
    roll = op.create_table("voter_roll", *_roll_table(), sqlite_with_rowid=False)
    with op.batch_alter_table("voter_roll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voter_roll_user_id"), ["user_id"], unique=False)
    if old_roll:
        op.bulk_insert(
            roll,
            [
                {"id": secrets.token_hex(16), **row._asdict(), "person_hash": None}
                for row in _shuffled(old_roll)
            ],
        )


def downgrade() -> None:
    """Back to readable ballots: counted ones return as imported; sealed ones, which this
    schema cannot hold, are dropped (count a vote before downgrading)."""
    from datetime import UTC, datetime

    bind = op.get_bind()
    counted = sa.table(
        "counted_ballots",
        sa.column("call_id", sa.Integer()),
        sa.column("area_id", sa.Integer()),
        sa.column("choices", sa.JSON()),
    )
    kept_ballots = bind.execute(sa.select(counted)).all()
    roll_columns = [c for c in _roll_table() if isinstance(c, sa.Column)][1:-1]
    kept_roll = bind.execute(
        sa.select(sa.table("voter_roll", *(sa.column(c.name, c.type) for c in roll_columns)))
    ).all()
    for table in ("ballot_amendments", "counted_ballots", "sealed_ballots", "election_trustees"):
        op.drop_table(table)
    op.drop_table("election_keys")
    with op.batch_alter_table("vote_settings", schema=None) as batch_op:
        batch_op.drop_column("secrecy")
    ballots = op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("cast_on", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('online', 'paper', 'imported')", name=op.f("ck_ballots_channel")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_ballots_area_id_areas")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_ballots_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_ballots_receipt_hash")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.create_index("ix_ballots_call_area", ["call_id", "area_id"], unique=False)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if kept_ballots:
        op.bulk_insert(
            ballots,
            [
                {"id": secrets.token_hex(16), "call_id": c, "area_id": a, "channel": "imported",
                 "receipt_hash": None, "choices": ch, "cast_on": today}
                for c, a, ch in kept_ballots
            ],
        )  # fmt: skip
    with op.batch_alter_table("voter_roll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_roll_user_id"))
    op.drop_table("voter_roll")
    columns = [c for c in _roll_table() if isinstance(c, sa.Column)][1:-1]
    roll = op.create_table(
        "voter_roll",
        sa.Column("id", sa.Integer(), nullable=False),
        *columns,
        sa.CheckConstraint(
            "channel = 'online' OR (desk IS NOT NULL AND operator_id IS NOT NULL)",
            name=op.f("ck_voter_roll_paper_has_desk"),
        ),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_voter_roll_channel")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_voter_roll_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_voter_roll_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["users.id"], name=op.f("fk_voter_roll_operator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voter_roll_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_roll")),
        sa.UniqueConstraint(
            "call_id", "area_id", "user_id", name=op.f("uq_voter_roll_call_id_area_id_user_id")
        ),
    )
    with op.batch_alter_table("voter_roll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voter_roll_user_id"), ["user_id"], unique=False)
    if kept_roll:
        op.bulk_insert(roll, [row._asdict() for row in kept_roll])
