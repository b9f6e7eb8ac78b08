"""cases: the open cases of a place and category, however old (similar cases at intake)

Revision ID: j3c0f6d7e8a9
Revises: j2b0e5c6d7f8
Create Date: 2026-12-01 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "j3c0f6d7e8a9"
down_revision = "j2b0e5c6d7f8"
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('void', 'closed')"


def upgrade():
    for name, place in (
        ("ix_cases_open_building_category", "building_id"),
        ("ix_cases_open_compound_category", "compound_id"),
    ):
        op.create_index(
            name,
            "cases",
            [place, "category", "created_at"],
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


def downgrade():
    op.drop_index("ix_cases_open_compound_category", table_name="cases")
    op.drop_index("ix_cases_open_building_category", table_name="cases")
