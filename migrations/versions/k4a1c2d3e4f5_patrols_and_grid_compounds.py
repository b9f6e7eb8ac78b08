"""grid patrols: the compounds of each grid (grid_compounds); patrols, their visits (arrival,
departure) and checks (one per visit and item; a problem"s case)

Revision ID: k4a1c2d3e4f5
Revises: k1a1c2d3e4f5
Create Date: 2026-12-01 19:01:04.380144

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "k4a1c2d3e4f5"
down_revision = "k1a1c2d3e4f5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "grid_compounds",
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_id"],
            ["compounds.id"],
            name=op.f("fk_grid_compounds_compound_id_compounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
            name=op.f("fk_grid_compounds_grid_id_grids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grid_id", "compound_id", name=op.f("pk_grid_compounds")),
    )
    op.create_index(
        op.f("ix_grid_compounds_compound_id"), "grid_compounds", ["compound_id"], unique=False
    )

    op.create_table(
        "patrols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_patrols_community_id_communities")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"], name=op.f("fk_patrols_grid_id_grids")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["users.id"], name=op.f("fk_patrols_worker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrols")),
        sa.UniqueConstraint("worker_id", "grid_id", "day", name=op.f("uq_patrols_worker_id")),
    )
    op.create_index("ix_patrols_community_day", "patrols", ["community_id", "day"], unique=False)
    op.create_index("ix_patrols_day", "patrols", ["day"], unique=False)
    op.create_index("ix_patrols_grid_day", "patrols", ["grid_id", "day"], unique=False)

    op.create_table(
        "patrol_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patrol_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_patrol_visits_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["patrol_id"], ["patrols.id"], name=op.f("fk_patrol_visits_patrol_id_patrols")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_visits")),
        sa.UniqueConstraint("patrol_id", "compound_id", name=op.f("uq_patrol_visits_patrol_id")),
    )
    op.create_index(
        "ix_patrol_visits_compound_arrived",
        "patrol_visits",
        ["compound_id", "arrived_at"],
        unique=False,
    )
    op.create_index("ix_patrol_visits_arrived", "patrol_visits", ["arrived_at", "id"], unique=False)

    op.create_table(
        "patrol_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=30), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_patrol_checks_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["patrol_visits.id"], name=op.f("fk_patrol_checks_visit_id_patrol_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_checks")),
        sa.UniqueConstraint("visit_id", "item", name=op.f("uq_patrol_checks_visit_id")),
    )
    op.create_index(op.f("ix_patrol_checks_case_id"), "patrol_checks", ["case_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_patrol_checks_case_id"), table_name="patrol_checks")

    op.drop_table("patrol_checks")
    op.drop_index("ix_patrol_visits_arrived", table_name="patrol_visits")
    op.drop_index("ix_patrol_visits_compound_arrived", table_name="patrol_visits")

    op.drop_table("patrol_visits")
    op.drop_index("ix_patrols_grid_day", table_name="patrols")
    op.drop_index("ix_patrols_day", table_name="patrols")
    op.drop_index("ix_patrols_community_day", table_name="patrols")

    op.drop_table("patrols")
    op.drop_index(op.f("ix_grid_compounds_compound_id"), table_name="grid_compounds")

    op.drop_table("grid_compounds")
