"""dashboard: the monthly figures per community (and per tier, per category), the frozen
months, and the cases' indexes the months are worked out on

Revision ID: j1a0d4b5c6e7
Revises: j0a1b2c3d4e5
Create Date: 2026-12-01 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "j1a0d4b5c6e7"
down_revision = "j0a1b2c3d4e5"
branch_labels = None
depends_on = None


def _key():
    return [
        sa.Column(
            "community_id",
            sa.Integer(),
            sa.ForeignKey("communities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("month", sa.Date(), primary_key=True),
    ]


def upgrade():
    op.create_table(
        "month_figures",
        *_key(),
        sa.Column("received", sa.Integer(), server_default="0", nullable=False),
        sa.Column("closed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("callbacks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("contacted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("solved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("score", sa.Float(), server_default="0", nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_month_figures_month", "month_figures", ["month"])
    op.create_table(
        "month_tier_figures",
        *_key(),
        sa.Column("tier", sa.String(12), primary_key=True),
        sa.Column("handled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("on_time", sa.Integer(), server_default="0", nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_month_tier_figures_month", "month_tier_figures", ["month"])
    op.create_table(
        "month_category_figures",
        *_key(),
        sa.Column("category", sa.String(20), primary_key=True),
        sa.Column("received", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handled", sa.Integer(), server_default="0", nullable=False),
        sa.Column("median_respond_hours", sa.Float(), nullable=True),
        sa.Column("median_resolve_hours", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_month_category_figures_month", "month_category_figures", ["month"])
    op.create_table(
        "frozen_months",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index("ix_cases_handled_at", "cases", ["handled_at"])
    op.create_index(
        "ix_cases_community_category_handled",
        "cases",
        ["community_id", "category", "handled_at", "created_at", "accepted_at"],
    )


def downgrade():
    op.drop_index("ix_cases_community_category_handled", table_name="cases")
    op.drop_index("ix_cases_handled_at", table_name="cases")
    op.drop_index("ix_cases_closed_at", table_name="cases")
    op.drop_table("frozen_months")
    op.drop_index("ix_month_category_figures_month", table_name="month_category_figures")
    op.drop_table("month_category_figures")
    op.drop_index("ix_month_tier_figures_month", table_name="month_tier_figures")
    op.drop_table("month_tier_figures")
    op.drop_index("ix_month_figures_month", table_name="month_figures")
    op.drop_table("month_figures")
