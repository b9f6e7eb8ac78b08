"""open311: the clients' API keys (stored as SHA-256 digests; who made and revoked each, when it
was last used) and the Open311 fields a case has no column for (open311_submissions)

Revision ID: j5e0b8f9a1c2
Revises: j3c0f6d7e8a9
Create Date: 2026-12-01 16:05:52

"""

import sqlalchemy as sa
from alembic import op

revision = "j5e0b8f9a1c2"
down_revision = "j3c0f6d7e8a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_name", sa.String(length=80), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_start", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_open311_keys_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_open311_keys_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_keys_key_hash")),
    )
    op.create_table(
        "open311_submissions",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("media_url", sa.String(length=2000), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_open311_submissions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["open311_keys.id"], name=op.f("fk_open311_submissions_key_id_open311_keys")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_open311_submissions")),
    )
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_submissions_key_id"), ["key_id"], unique=False)


def downgrade():
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_submissions_key_id"))

    op.drop_table("open311_submissions")
    op.drop_table("open311_keys")
