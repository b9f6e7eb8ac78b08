"""cases: version (every UPDATE conditional on the version read) and submission_key (one case
per intake form, however often it is sent)

Revision ID: h1a7c2e4f6b8
Revises: h6b2c3d4e5f6
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "h1a7c2e4f6b8"
down_revision = "h6b2c3d4e5f6"
branch_labels = None
depends_on = None


def upgrade():
    # A server default fills the rows already there (and bulk inserts that bypass the ORM);
    # adding a NOT NULL column with a constant default rewrites no rows on PostgreSQL 11+.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
    # A unique index, not a constraint: SQLite adds it without copying the table. NULLs (cases
    # logged without a form key) never clash.
    op.create_index(op.f("ix_cases_submission_key"), "cases", ["submission_key"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_cases_submission_key"), table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("submission_key")
        batch_op.drop_column("version")
