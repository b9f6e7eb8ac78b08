"""teams: search_text (name, members' names and phones, lower case) for the list's search

Revision ID: c3d5e7f9a1b2
Revises: a9e1c0d4b7f2
Create Date: 2026-11-26 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3d5e7f9a1b2"
down_revision = "a9e1c0d4b7f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    # Fill it for the teams already there; from now on the app keeps it after every flush.
    concat = (
        "string_agg(m.name || ' ' || m.phone, ' ')"
        if op.get_bind().dialect.name == "postgresql"
        else "group_concat(m.name || ' ' || m.phone, ' ')"
    )
    op.execute(
        f"UPDATE teams SET search_text = lower(name || ' ' || coalesce("
        f"(SELECT {concat} FROM team_members m WHERE m.team_id = teams.id), ''))"
    )


def downgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("search_text")
