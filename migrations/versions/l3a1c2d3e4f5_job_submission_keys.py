"""cases: one-time keys of the job page's forms (a step, a visit) sent again from a phone

Revision ID: l3a1c2d3e4f5
Revises: l2a1c2d3e4f5
Create Date: 2026-12-01 21:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "l3a1c2d3e4f5"
down_revision = "l2a1c2d3e4f5"
branch_labels = None
depends_on = None

TABLES = {
    "case_events": "uq_case_events_submission_key",
    "case_visits": "uq_case_visits_submission_key",
}


def upgrade():
    where = sa.text("submission_key IS NOT NULL")
    for table, index in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        op.create_index(
            index,
            table,
            ["submission_key"],
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade():
    for table, index in TABLES.items():
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("submission_key")
