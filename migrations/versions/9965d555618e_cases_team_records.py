"""cases: team_records (each team's jobs in hand and track record, for matching)

Revision ID: 9965d555618e
Revises: c3d5e7f9a1b2
Create Date: 2026-11-26 10:00:00

"""

from datetime import UTC, datetime, timedelta
from statistics import median

import sqlalchemy as sa
from alembic import op

revision = "9965d555618e"
down_revision = "c3d5e7f9a1b2"
branch_labels = None
depends_on = None

TEAM_LOAD = ("dispatched", "accepted", "in_progress", "extended", "parked", "reopened")


def upgrade():
    op.create_table(
        "team_records",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("open_jobs", sa.Integer(), nullable=False),
        sa.Column("median_hours", sa.Float(), nullable=True),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id"),
    )
    # A team's record is worked out again from its handed-over cases: reach them by team.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_team_handled", ["team_id", "handled_at"], unique=False)
    _fill(op.get_bind())


def _fill(conn):
    """The rows for the cases and call-backs already there (as cases/records.refresh)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    since = now - timedelta(days=365)
    statuses = ", ".join(f"'{s}'" for s in TEAM_LOAD)
    jobs = dict(
        conn.execute(
            sa.text(
                f"SELECT team_id, count(*) FROM cases WHERE team_id IS NOT NULL "
                f"AND status IN ({statuses}) GROUP BY team_id"
            )
        ).all()
    )
    durations = {}
    for team_id, accepted, handled in conn.execute(
        sa.text(
            "SELECT team_id, accepted_at, handled_at FROM cases WHERE team_id IS NOT NULL "
            "AND handled_at IS NOT NULL AND accepted_at IS NOT NULL AND handled_at >= :since"
        ),
        {"since": since},
    ):
        if isinstance(accepted, str):  # SQLite hands text back to a raw query
            accepted, handled = datetime.fromisoformat(accepted), datetime.fromisoformat(handled)
        durations.setdefault(team_id, []).append((handled - accepted).total_seconds() / 3600)
    rated = {
        r[0]: (r[1], float(r[2] or 0.0))
        for r in conn.execute(
            sa.text(
                "SELECT team_id, count(*), sum(CASE WHEN satisfaction = 'satisfied' THEN 1.0 "
                "WHEN satisfaction = 'basically' THEN 0.9 ELSE 0.0 END) FROM case_callbacks "
                "WHERE team_id IS NOT NULL AND created_at >= :since GROUP BY team_id"
            ),
            {"since": since},
        )
    }
    rows = [
        {
            "team_id": tid,
            "open_jobs": jobs.get(tid, 0),
            "median_hours": median(durations[tid]) if tid in durations else None,
            "rated": rated.get(tid, (0, 0.0))[0],
            "score": rated.get(tid, (0, 0.0))[1],
            "as_of": now,
        }
        for tid in sorted(set(jobs) | set(durations) | set(rated))
    ]
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO team_records (team_id, open_jobs, median_hours, rated, score, as_of) "
                "VALUES (:team_id, :open_jobs, :median_hours, :rated, :score, :as_of)"
            ),
            rows,
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_team_handled")
    op.drop_table("team_records")
