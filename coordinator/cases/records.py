"""Each team's load and track record, as matching ranks by them (models.TeamRecord).

Matching used to work these out from every candidate team's cases and call-backs for each
suggestion: at 5,000 teams that was a hundred milliseconds of reading. Now one row a team holds
them, kept by the flush that changes them, in the same transaction, whatever wrote the change
(workflow.transition, a call-back, the demo loader, a test): a case's status, team, acceptance
or hand-over, a call-back added, moved or removed.

* open_jobs is exact at all times: the team's cases in workflow.TEAM_LOAD.
* median_hours, rated and score cover the RECORD_DAYS before `as_of`, the team's latest change
  to them. Cases and call-backs older than that leave the window only when the record is worked
  out again: `flask cases refresh-records` (nightly) does it for every team, and bulk loads
  that bypass the ORM (bench seeds) call refresh() themselves.
"""

from datetime import timedelta
from itertools import chain
from statistics import median

from sqlalchemy import case as sql_case
from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.orm import Session

from coordinator.cases.models import Callback, Case, TeamRecord
from coordinator.cases.workflow import TEAM_LOAD
from coordinator.ui import utcnow

RECORD_DAYS = 365
SCORE = sql_case((Callback.satisfaction == "satisfied", 1.0),
                 (Callback.satisfaction == "basically", 0.9), else_=0.0)
# What a case's load and record depend on.
LOAD_FIELDS = ("status", "team_id")
RECORD_FIELDS = ("team_id", "accepted_at", "handled_at")


def _among(stmt, column, team_ids):
    return stmt if team_ids is None else stmt.where(column.in_(team_ids))


def open_jobs(conn, team_ids=None) -> dict[int, int]:
    return dict(conn.execute(_among(
        select(Case.team_id, func.count()).where(Case.status.in_(TEAM_LOAD)),
        Case.team_id, team_ids).group_by(Case.team_id)).all())


def track_records(conn, team_ids=None, now=None) -> dict[int, dict]:
    """Median hours to resolve and call-backs of the RECORD_DAYS before now, per team."""
    since = (now or utcnow()) - timedelta(days=RECORD_DAYS)
    durations: dict[int, list[float]] = {}
    for team_id, accepted, handled in conn.execute(_among(
            select(Case.team_id, Case.accepted_at, Case.handled_at)
            .where(Case.team_id.is_not(None), Case.handled_at.is_not(None),
                   Case.accepted_at.is_not(None), Case.handled_at >= since),
            Case.team_id, team_ids)):
        durations.setdefault(team_id, []).append((handled - accepted).total_seconds() / 3600)
    rated = {r.team_id: (r.n, float(r.score or 0.0)) for r in conn.execute(_among(
        select(Callback.team_id, func.count().label("n"), func.sum(SCORE).label("score"))
        .where(Callback.team_id.is_not(None), Callback.created_at >= since),
        Callback.team_id, team_ids).group_by(Callback.team_id))}
    ids = set(durations) | set(rated) if team_ids is None else set(team_ids)
    return {tid: {"median_hours": median(durations[tid]) if tid in durations else None,
                  "rated": rated.get(tid, (0, 0.0))[0], "score": rated.get(tid, (0, 0.0))[1]}
            for tid in ids}


def _upsert(conn, rows: list[dict], columns: tuple[str, ...]):
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(TeamRecord.__table__)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["team_id"], set_={c: stmt.excluded[c] for c in columns}), rows)


def refresh(conn, team_ids=None, load: bool = True, record: bool = True, now=None):
    """Work out the rows again: for these teams (None: every team with cases or call-backs,
    and the rows of all others emptied), their load, their record or both."""
    now = now or utcnow()
    if team_ids is not None:
        team_ids = sorted(set(team_ids) - {None})
        if not team_ids:
            return
        have = set(conn.scalars(select(TeamRecord.team_id)
                                .where(TeamRecord.team_id.in_(team_ids))))
        if set(team_ids) - have:  # a team's first row gets all of it
            load = record = True
    else:
        conn.execute(delete(TeamRecord.__table__))
        load = record = True
    jobs = open_jobs(conn, team_ids) if load else {}
    records = track_records(conn, team_ids, now) if record else {}
    ids = team_ids if team_ids is not None else sorted(set(jobs) | set(records))
    rows = []
    for tid in ids:
        row = {"team_id": tid, "open_jobs": jobs.get(tid, 0), "median_hours": None,
               "rated": 0, "score": 0.0, "as_of": now}
        if record:
            row.update(records.get(tid, {}))
        rows.append(row)
    columns = (("open_jobs",) if load else ()) + (
        ("median_hours", "rated", "score", "as_of") if record else ())
    _upsert(conn, rows, columns)


def _changed_teams(obj, deleted: bool, fields: tuple[str, ...]) -> set:
    """The teams whose figures this flushed object moves: its team now and any team it left."""
    state = inspect(obj)
    if not deleted and not any(state.attrs[name].history.has_changes() for name in fields):
        return set()
    teams = {obj.team_id, *(state.attrs.team_id.history.deleted or ())}
    if "team" in state.attrs:
        teams.update(t.id for t in state.attrs.team.history.deleted or () if t is not None)
    return teams


@event.listens_for(Session, "after_flush")
def _keep_team_records(session, _context):
    load, record = set(), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        deleted = obj in session.deleted
        if isinstance(obj, Case):
            load |= _changed_teams(obj, deleted, LOAD_FIELDS)
            record |= _changed_teams(obj, deleted, RECORD_FIELDS)
        elif isinstance(obj, Callback):
            record |= _changed_teams(obj, deleted, ("team_id", "satisfaction", "created_at"))
    load.discard(None)
    record.discard(None)
    if load or record:
        conn = session.connection()
        if load - record:
            refresh(conn, load - record, load=True, record=False)
        if record:
            refresh(conn, record, load=True, record=True)
