"""events: covering indexes for the event list (ix_events_open by end time, ix_events_list by
start time) replace ix_events_ends_at and ix_events_starts_at; event_roles.waitlist_left (how
many have left each waitlist, for a new sign-up's place without a count)

Revision ID: d4e6f8a0b2c4
Revises: 9965d555618e
Create Date: 2026-11-26 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4e6f8a0b2c4"
down_revision = "9965d555618e"
branch_labels = None
depends_on = None

COLUMNS = ["id", "status", "organiser_id", "kind", "community_id"]


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_open", ["ends_at", "starts_at", *COLUMNS], unique=False)
        batch_op.create_index(
            "ix_events_list", ["starts_at", "id", "ends_at", *COLUMNS[1:]], unique=False
        )
        batch_op.drop_index("ix_events_ends_at")
        batch_op.drop_index("ix_events_starts_at")
    with op.batch_alter_table("event_roles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waitlist_left", sa.Integer(), server_default="0", nullable=False)
        )
    # Everyone ever given a position either waits still or has left.
    op.execute(
        "UPDATE event_roles SET waitlist_left = waitlist_seq - (SELECT count(*) FROM "
        "signups WHERE signups.role_id = event_roles.id AND signups.status = 'waitlisted')"
    )


def downgrade():
    with op.batch_alter_table("event_roles", schema=None) as batch_op:
        batch_op.drop_column("waitlist_left")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_starts_at", ["starts_at"], unique=False)
        batch_op.create_index("ix_events_ends_at", ["ends_at"], unique=False)
        batch_op.drop_index("ix_events_list")
        batch_op.drop_index("ix_events_open")
