"""campaigns: the "make a campaign" form's one-time key (sent twice, one campaign)

Revision ID: k1a1c2d3e4f5
Revises: k0a1c2d3e4f5
Create Date: 2026-12-01 19:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "k1a1c2d3e4f5"
down_revision = "k0a1c2d3e4f5"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("submission_key", sa.String(length=32), nullable=True))
    op.create_index(
        op.f("ix_campaigns_submission_key"), "campaigns", ["submission_key"], unique=True
    )


def downgrade():
    op.drop_index(op.f("ix_campaigns_submission_key"), table_name="campaigns")
    op.drop_column("campaigns", "submission_key")
