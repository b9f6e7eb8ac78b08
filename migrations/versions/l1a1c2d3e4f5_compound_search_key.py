"""residents: a compound's search key (its name and address in characters, pinyin and
initials), filled for the compounds there are

Revision ID: l1a1c2d3e4f5
Revises: k4a1c2d3e4f5
Create Date: 2026-12-01 21:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

from coordinator.places.search import key_of

# revision identifiers, used by Alembic.
revision = "l1a1c2d3e4f5"
down_revision = "k4a1c2d3e4f5"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table("compounds") as batch:
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=False, server_default=""))
    compounds = sa.table(
        "compounds",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("address", sa.String),
        sa.column("search_key", sa.Text),
    )
    connection = op.get_bind()
    last = 0
    while True:  # in batches by id: a big map is not held in memory at once
        rows = connection.execute(
            sa.select(compounds.c.id, compounds.c.name, compounds.c.address)
            .where(compounds.c.id > last)
            .order_by(compounds.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            connection.execute(
                compounds.update()
                .where(compounds.c.id == row.id)
                .values(search_key=key_of(row.name or "", row.address or ""))
            )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("compounds") as batch:
        batch.drop_column("search_key")
