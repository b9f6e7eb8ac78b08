"""users.session_token (every session and remember-me cookie carries it; a new one ends them
all); rate_limit_counters (rate limits shared by every worker without Redis)

Revision ID: h4a1b2c3d4e5
Revises: h1a7c2e4f6b8
Create Date: 2026-12-01 10:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "h4a1b2c3d4e5"
down_revision = "h1a7c2e4f6b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
    # Every account gets its own token; cookies from before (a bare user id) stop loading.
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )


def downgrade():
    op.drop_table("rate_limit_counters")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")
