"""bikes: the bike register (tag counter), bikes, owners' claims and handovers

The tables reference events.id: this revision must run after the events domain's one.

Revision ID: 55300939201b
Revises: e387c4a6f8b3
Create Date: 2026-11-26 05:31:40.527453

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "55300939201b"
down_revision = "e387c4a6f8b3"  # after events: the bike tables reference events.id
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bike_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("to_kind", sa.String(length=20), nullable=False),
        sa.Column("to_whom", sa.String(length=80), nullable=False),
        sa.Column("receiver_name", sa.String(length=40), nullable=False),
        sa.Column("handed_at", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_bike_handovers_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_bike_handovers_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bike_handovers")),
    )
    with op.batch_alter_table("bike_handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bike_handovers_event_id"), ["event_id"], unique=False)

    op.create_table(
        "bike_registers",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("last_tag", sa.Integer(), nullable=False),
        sa.Column("last_location", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_bike_registers_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_bike_registers")),
    )

    op.create_table(
        "bikes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("tag_number", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=20), nullable=False),
        sa.Column("brand", sa.String(length=40), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("claimant_phone", sa.String(length=20), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_bikes_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"], ["bike_handovers.id"], name=op.f("fk_bikes_handover_id_bike_handovers")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["users.id"], name=op.f("fk_bikes_registered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["users.id"], name=op.f("fk_bikes_released_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bikes")),
        sa.UniqueConstraint("event_id", "tag_number", name=op.f("uq_bikes_event_id")),
    )
    with op.batch_alter_table("bikes", schema=None) as batch_op:
        batch_op.create_index("ix_bikes_event_status", ["event_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_bikes_handover_id"), ["handover_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_bikes_registered_by_id"), ["registered_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bikes_released_by_id"), ["released_by_id"], unique=False
        )

    op.create_table(
        "bike_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("bike_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bike_id"], ["bikes.id"], name=op.f("fk_bike_claims_bike_id_bikes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_bike_claims_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_bike_claims_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bike_claims")),
    )
    with op.batch_alter_table("bike_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bike_claims_bike_id"), ["bike_id"], unique=False)
        batch_op.create_index("ix_bike_claims_event_status", ["event_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("bike_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_bike_claims_event_status")
        batch_op.drop_index(batch_op.f("ix_bike_claims_bike_id"))

    op.drop_table("bike_claims")
    with op.batch_alter_table("bikes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bikes_released_by_id"))
        batch_op.drop_index(batch_op.f("ix_bikes_registered_by_id"))
        batch_op.drop_index(batch_op.f("ix_bikes_handover_id"))
        batch_op.drop_index("ix_bikes_event_status")

    op.drop_table("bikes")
    op.drop_table("bike_registers")
    with op.batch_alter_table("bike_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bike_handovers_event_id"))

    op.drop_table("bike_handovers")
