"""events: index on ends_at (the event list's default "not over yet")

Revision ID: a9e1c0d4b7f2
Revises: 55300939201b
Create Date: 2026-11-26 07:00:00

"""

from alembic import op

revision = "a9e1c0d4b7f2"
down_revision = "55300939201b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_ends_at", ["ends_at"], unique=False)


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_ends_at")
