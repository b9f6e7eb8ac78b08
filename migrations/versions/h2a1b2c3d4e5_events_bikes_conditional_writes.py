"""events and bikes: conditional writes. events.version and signups.version (the mappers'
version_id_col), one pending hours correction per sign-up, one pending claim per bike and phone

Revision ID: h2a1b2c3d4e5
Revises: h4a1b2c3d4e5
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "h2a1b2c3d4e5"
down_revision = "h4a1b2c3d4e5"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    for table in ("events", "signups"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )
    # Requests sent twice before this index existed: keep the first, close the others.
    op.execute(
        "UPDATE hours_corrections SET status = 'rejected' WHERE status = 'pending' AND id "
        "NOT IN (SELECT min(id) FROM hours_corrections WHERE status = 'pending' "
        "GROUP BY signup_id)"
    )
    op.execute(
        "UPDATE bike_claims SET status = 'rejected' WHERE status = 'pending' AND id "
        "NOT IN (SELECT min(id) FROM bike_claims WHERE status = 'pending' "
        "GROUP BY bike_id, phone)"
    )
    op.create_index(
        "uq_hours_corrections_signup_pending",
        "hours_corrections",
        ["signup_id"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index(
        "uq_bike_claims_bike_phone_pending",
        "bike_claims",
        ["bike_id", "phone"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade():
    op.drop_index("uq_bike_claims_bike_phone_pending", table_name="bike_claims")
    op.drop_index("uq_hours_corrections_signup_pending", table_name="hours_corrections")
    for table in ("signups", "events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
