"""volunteers: a personal calendar feed's secret (calendar_feeds); roles that register bikes
(event_roles.registers_bikes); what to bring to an event (events.bring); bike notices say to
claim with the tag number

Revision ID: l5a1c2d3e4f5
Revises: l3a1c2d3e4f5
Create Date: 2026-12-01 21:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "l5a1c2d3e4f5"
down_revision = "l3a1c2d3e4f5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    with op.batch_alter_table("event_roles") as batch:
        batch.add_column(
            sa.Column(
                "registers_bikes", sa.Boolean(), nullable=False, server_default=sa.text("false")
            )
        )
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("bring", sa.String(length=200), nullable=False, server_default="")
        )
    # The demo's and the form's example name of the role that registers bikes.
    op.execute(
        "UPDATE event_roles SET registers_bikes = true "
        "WHERE name IN ('登记车辆', 'registering bikes', 'Registering bikes')"
    )
    # Bikes carry numbered tags, not licence plates: the notices written so far said 车牌号.
    op.execute(
        "UPDATE events SET notice_text = REPLACE(notice_text, '凭车牌号', '凭车辆标签编号') "
        "WHERE notice_text LIKE '%凭车牌号%'"
    )


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_column("bring")
    with op.batch_alter_table("event_roles") as batch:
        batch.drop_column("registers_bikes")
    op.drop_table("calendar_feeds")
