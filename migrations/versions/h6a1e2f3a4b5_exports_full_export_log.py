"""exports: full_exports, the log of exports with ID numbers in full (who, when, purpose, filter)

Revision ID: h6a1e2f3a4b5
Revises: d4e6f8a0b2c4
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "h6a1e2f3a4b5"
down_revision = "d4e6f8a0b2c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "full_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("export", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_full_exports_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_full_exports")),
    )
    with op.batch_alter_table("full_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_full_exports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_full_exports_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("full_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_full_exports_user_id"))
        batch_op.drop_index(batch_op.f("ix_full_exports_created_at"))
    op.drop_table("full_exports")
