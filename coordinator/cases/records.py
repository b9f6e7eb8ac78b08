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
# The row's three parts, each worked out again only when something it counts changed: the
# load (cheap: a team's open cases), the median hours (a year of a team's handed-over cases)
# and the call-backs.
PARTS = {"load": ("open_jobs",), "medians": ("median_hours", "as_of"),
         "ratings": ("rated", "score", "as_of")}
ALL = frozenset(PARTS)


def _among(stmt, column, team_ids):
    return stmt if team_ids is None else stmt.where(column.in_(team_ids))


def open_jobs(conn, team_ids=None) -> dict[int, int]:
    return dict(conn.execute(_among(
        select(Case.team_id, func.count()).where(Case.status.in_(TEAM_LOAD)),
        Case.team_id, team_ids).group_by(Case.team_id)).all())


def median_hours(conn, team_ids=None, now=None) -> dict[int, float]:
    """Median hours from acceptance to hand-over of the cases handled in the RECORD_DAYS
    before now, per team."""
    since = (now or utcnow()) - timedelta(days=RECORD_DAYS)
    durations: dict[int, list[float]] = {}
    for team_id, accepted, handled in conn.execute(_among(
            select(Case.team_id, Case.accepted_at, Case.handled_at)
            .where(Case.team_id.is_not(None), Case.handled_at.is_not(None),
                   Case.accepted_at.is_not(None), Case.handled_at >= since),
            Case.team_id, team_ids)):
        durations.setdefault(team_id, []).append((handled - accepted).total_seconds() / 3600)
    return {tid: median(hours) for tid, hours in durations.items()}


def ratings(conn, team_ids=None, now=None) -> dict[int, tuple[int, float]]:
    """Call-backs of the RECORD_DAYS before now and their score, per team."""
    since = (now or utcnow()) - timedelta(days=RECORD_DAYS)
    return {r.team_id: (r.n, float(r.score or 0.0)) for r in conn.execute(_among(
        select(Callback.team_id, func.count().label("n"), func.sum(SCORE).label("score"))
        .where(Callback.team_id.is_not(None), Callback.created_at >= since),
        Callback.team_id, team_ids).group_by(Callback.team_id))}


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


def refresh(conn, team_ids=None, parts=ALL, now=None):
    """Work out the rows again: for these teams (None: every team with cases or call-backs,
    and the rows of all others emptied), these parts of them (PARTS)."""
    now = now or utcnow()
    if team_ids is not None:
        team_ids = sorted(set(team_ids) - {None})
        if not team_ids:
            return
        have = set(conn.scalars(select(TeamRecord.team_id)
                                .where(TeamRecord.team_id.in_(team_ids))))
        if set(team_ids) - have:  # a team's first row gets all of it
            parts = ALL
    else:
        conn.execute(delete(TeamRecord.__table__))
        parts = ALL
    jobs = open_jobs(conn, team_ids) if "load" in parts else {}
    medians = median_hours(conn, team_ids, now) if "medians" in parts else {}
    rated = ratings(conn, team_ids, now) if "ratings" in parts else {}
    ids = team_ids if team_ids is not None else sorted(set(jobs) | set(medians) | set(rated))
    rows = [{"team_id": tid, "open_jobs": jobs.get(tid, 0), "median_hours": medians.get(tid),
             "rated": rated.get(tid, (0, 0.0))[0], "score": rated.get(tid, (0, 0.0))[1],
             "as_of": now} for tid in ids]
    _upsert(conn, rows, tuple(dict.fromkeys(c for part in sorted(parts) for c in PARTS[part])))


def _teams(obj, state) -> set:
    """The team an object counts for now and any team it left in this flush."""
    teams = {obj.team_id, *(state.attrs.team_id.history.deleted or ())}
    if "team" in state.attrs:
        teams.update(t.id for t in state.attrs.team.history.deleted or () if t is not None)
    return teams


def _changed(state, fields) -> bool:
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "after_flush")
def _keep_team_records(session, _context):
    """Which teams' parts this flush moves: a case's status or team moves the load; its team,
    acceptance or hand-over moves the median, if it was or is handed over; any change to a
    call-back moves the ratings."""
    touched = {part: set() for part in PARTS}
    for obj in chain(session.new, session.dirty, session.deleted):
        deleted = obj in session.deleted
        if isinstance(obj, Case):
            state = inspect(obj)
            if deleted or _changed(state, ("status", "team_id")):
                touched["load"] |= _teams(obj, state)
            was_handled = any(v is not None for v in state.attrs.handled_at.history.deleted or ())
            if (obj.handled_at is not None or was_handled) and (
                    deleted or _changed(state, ("team_id", "accepted_at", "handled_at"))):
                touched["medians"] |= _teams(obj, state)
        elif isinstance(obj, Callback):
            state = inspect(obj)
            if deleted or _changed(state, ("team_id", "satisfaction", "created_at")):
                touched["ratings"] |= _teams(obj, state)
    by_team: dict[int, set] = {}
    for part, teams in touched.items():
        for team_id in teams - {None}:
            by_team.setdefault(team_id, set()).add(part)
    if by_team:
        conn = session.connection()
        by_parts: dict[frozenset, list] = {}
        for team_id, parts in by_team.items():
            by_parts.setdefault(frozenset(parts), []).append(team_id)
        for parts, team_ids in by_parts.items():
            refresh(conn, team_ids, parts)
