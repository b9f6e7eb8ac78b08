"""team_members: one phone number once per team (unique team_id, phone)

Revision ID: h6b2c3d4e5f6
Revises: h6a1e2f3a4b5
Create Date: 2026-12-01 10:30:00

"""

from alembic import op

revision = "h6b2c3d4e5f6"
down_revision = "h6a1e2f3a4b5"
branch_labels = None
depends_on = None


def upgrade():
    # Twins made by a double tap before the key existed: keep the first of each.
    op.execute(
        "DELETE FROM team_members WHERE id NOT IN ("
        "SELECT min(id) FROM team_members GROUP BY team_id, phone)"
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_team_members_team_id"), ["team_id", "phone"]
        )


def downgrade():
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_team_members_team_id"), type_="unique")
