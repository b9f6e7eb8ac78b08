"""hot spots: cases per local month, place and category (place_month_counts), and repeat
spots (the same building and category three times in 90 days)

Revision ID: j2b0e5c6d7f8
Revises: j1a0d4b5c6e7
Create Date: 2026-12-01 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "j2b0e5c6d7f8"
down_revision = "j1a0d4b5c6e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "place_month_counts",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "community_id", "compound_id", "building_id", "category"),
    )
    op.create_index(
        "ix_place_month_counts_level",
        "place_month_counts",
        ["building_id", "month", "community_id", "compound_id", "category", "cases"],
    )
    op.create_index(
        "ix_place_month_counts_compound", "place_month_counts", ["compound_id", "month"]
    )
    op.create_table(
        "repeat_spots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("first_case_id", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("dates", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("building_id", "category", "first_case_id"),
    )
    op.create_index("ix_repeat_spots_last", "repeat_spots", ["last_at"])
    op.create_index("ix_repeat_spots_community_last", "repeat_spots", ["community_id", "last_at"])
    op.create_index("ix_repeat_spots_place", "repeat_spots", ["building_id", "category", "last_at"])


def downgrade():
    op.drop_index("ix_repeat_spots_place", table_name="repeat_spots")
    op.drop_index("ix_repeat_spots_community_last", table_name="repeat_spots")
    op.drop_index("ix_repeat_spots_last", table_name="repeat_spots")
    op.drop_table("repeat_spots")
    op.drop_index("ix_place_month_counts_compound", table_name="place_month_counts")
    op.drop_index("ix_place_month_counts_level", table_name="place_month_counts")
    op.drop_table("place_month_counts")
