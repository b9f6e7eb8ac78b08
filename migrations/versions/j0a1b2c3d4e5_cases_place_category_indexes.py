"""cases: a place's cases of one category, newest first (similar cases at intake, repeats in
one building, the hot spots' drill-down)

Revision ID: j0a1b2c3d4e5
Revises: h2a1b2c3d4e5
Create Date: 2026-12-01 16:00:00

"""

from alembic import op

revision = "j0a1b2c3d4e5"
down_revision = "h2a1b2c3d4e5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cases_building_category_created", "cases", ["building_id", "category", "created_at"]
    )
    op.create_index(
        "ix_cases_compound_category_created", "cases", ["compound_id", "category", "created_at"]
    )


def downgrade():
    op.drop_index("ix_cases_compound_category_created", table_name="cases")
    op.drop_index("ix_cases_building_category_created", table_name="cases")
