"""a job assigned by the team lead to a named member of the team (cases.assignee_id)

Revision ID: l2a1c2d3e4f5
Revises: l1a1c2d3e4f5
Create Date: 2026-12-01 21:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "l2a1c2d3e4f5"
down_revision = "l1a1c2d3e4f5"
branch_labels = None
depends_on = None


def upgrade():
    # Not a batch: on SQLite that would copy the whole cases table (which rows of other tables
    # reference); a nullable column with its reference is a plain ADD COLUMN there.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE cases ADD COLUMN assignee_id INTEGER "
            "CONSTRAINT fk_cases_assignee_id_team_members REFERENCES team_members (id)"
        )
    else:
        op.add_column("cases", sa.Column("assignee_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_cases_assignee_id_team_members",
            "cases",
            "team_members",
            ["assignee_id"],
            ["id"],
        )
    op.create_index("ix_cases_assignee_id", "cases", ["assignee_id"], unique=False)


def downgrade():
    op.drop_index("ix_cases_assignee_id", table_name="cases")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_cases_assignee_id_team_members", "cases", type_="foreignkey")
    op.drop_column("cases", "assignee_id")
