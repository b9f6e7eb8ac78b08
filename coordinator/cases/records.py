"""Each team's load and track record, as matching ranks by them (models.TeamRecord).

Matching used to work these out from every candidate team's cases and call-backs for each
suggestion: at 5,000 teams that was a hundred milliseconds of reading. Now one row a team holds
them, kept in the same transaction by the operations that move them, which say so: every
change of a case's status goes through workflow.transition, which calls case_moved() after
its write (dispatch, return, accept, hand-over, a reopen undoing a hand-over, …), and the
call-back service calls callback_added(). Nothing else changes what the rows count; code that
writes cases or call-backs around those two (bulk seeds, the demo loader, a fix by hand) calls
refresh() itself. (A process-wide after_flush listener did this before: it ran on every flush
of every session, and what it kept depended on what happened to be loaded.)

* open_jobs is exact at all times: the team's cases in workflow.TEAM_LOAD.
* median_hours, rated and score cover the RECORD_DAYS before `as_of`, the team's latest change
  to them. Cases and call-backs older than that leave the window only when the record is worked
  out again: `flask cases refresh-records` (nightly) does it for every team, and bulk loads
  that bypass the ORM (bench seeds) call refresh() themselves.
"""

from datetime import datetime, timedelta
from statistics import median
from typing import NamedTuple

from sqlalchemy import delete, func, select

from coordinator.cases.models import Callback, Case, TeamRecord
from coordinator.cases.workflow import TEAM_LOAD
from coordinator.i18n import utcnow
from coordinator.work import insert_for

RECORD_DAYS = 365
# The row's three parts, each worked out again only when something it counts changed: the
# load (cheap: a team's open cases), the median hours (a year of a team's handed-over cases)
# and the call-backs.
PARTS = {
    "load": ("open_jobs",),
    "medians": ("median_hours", "as_of"),
    "ratings": ("rated", "score", "as_of"),
}
ALL = frozenset(PARTS)


def _among(stmt, column, team_ids):
    return stmt if team_ids is None else stmt.where(column.in_(team_ids))


def open_jobs(conn, team_ids=None) -> dict[int, int]:
    return dict(
        conn.execute(
            _among(
                select(Case.team_id, func.count()).where(Case.status.in_(TEAM_LOAD)),
                Case.team_id,
                team_ids,
            ).group_by(Case.team_id)
        ).all()
    )


def hours_between(earlier: datetime | None, later: datetime | None) -> float | None:
    """Hours from one moment of a case to a later one, for a median: None when either is
    missing or they are out of order (a step recorded before the one it follows, as the
    demo once accepted cases before dispatching them), so no median is pulled below zero."""
    if earlier is None or later is None or later < earlier:
        return None
    return (later - earlier).total_seconds() / 3600


def median_of(hours) -> float | None:
    """The median of the durations that count (hours_between's), None without any."""
    counted = [h for h in hours if h is not None]
    return median(counted) if counted else None


def median_hours(conn, team_ids=None, now=None) -> dict[int, float]:
    """Median hours from acceptance to hand-over of the cases handled in the RECORD_DAYS
    before now, per team."""
    since = (now or utcnow()) - timedelta(days=RECORD_DAYS)
    durations: dict[int, list[float]] = {}
    for team_id, accepted, handled in conn.execute(
        _among(
            select(Case.team_id, Case.accepted_at, Case.handled_at).where(
                Case.team_id.is_not(None),
                Case.handled_at.is_not(None),
                Case.accepted_at.is_not(None),
                Case.handled_at >= since,
            ),
            Case.team_id,
            team_ids,
        )
    ):
        durations.setdefault(team_id, []).append(hours_between(accepted, handled))
    medians = {tid: median_of(hours) for tid, hours in durations.items()}
    return {tid: m for tid, m in medians.items() if m is not None}


def ratings(conn, team_ids=None, now=None) -> dict[int, tuple[int, float]]:
    """Call-backs of the RECORD_DAYS before now and their score, per team."""
    since = (now or utcnow()) - timedelta(days=RECORD_DAYS)
    return {
        r.team_id: (r.n, float(r.score or 0.0))
        for r in conn.execute(
            _among(
                select(
                    Callback.team_id,
                    func.count().label("n"),
                    func.sum(Callback.score).label("score"),
                ).where(Callback.team_id.is_not(None), Callback.created_at >= since),
                Callback.team_id,
                team_ids,
            ).group_by(Callback.team_id)
        )
    }


def _upsert(conn, rows: list[dict], columns: tuple[str, ...]):
    if not rows:
        return
    stmt = insert_for(conn, TeamRecord.__table__)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["team_id"], set_={c: stmt.excluded[c] for c in columns}
        ),
        rows,
    )


def refresh(conn, team_ids=None, parts=ALL, now=None):
    """Work out the rows again: for these teams (None: every team with cases or call-backs,
    and the rows of all others emptied), these parts of them (PARTS)."""
    now = now or utcnow()
    if team_ids is not None:
        team_ids = sorted(set(team_ids) - {None})
        if not team_ids:
            return
        have = set(conn.scalars(select(TeamRecord.team_id).where(TeamRecord.team_id.in_(team_ids))))
        if set(team_ids) - have:  # a team's first row gets all of it
            parts = ALL
    else:
        conn.execute(delete(TeamRecord.__table__))
        parts = ALL
    jobs = open_jobs(conn, team_ids) if "load" in parts else {}
    medians = median_hours(conn, team_ids, now) if "medians" in parts else {}
    rated = ratings(conn, team_ids, now) if "ratings" in parts else {}
    ids = team_ids if team_ids is not None else sorted(set(jobs) | set(medians) | set(rated))
    rows = [
        {
            "team_id": tid,
            "open_jobs": jobs.get(tid, 0),
            "median_hours": medians.get(tid),
            "rated": rated.get(tid, (0, 0.0))[0],
            "score": rated.get(tid, (0, 0.0))[1],
            "as_of": now,
        }
        for tid in ids
    ]
    _upsert(conn, rows, tuple(dict.fromkeys(c for part in sorted(parts) for c in PARTS[part])))


class Seen(NamedTuple):
    """What of a case its team's figures count, as read before a change (seen())."""

    status: str | None
    team_id: int | None
    accepted_at: datetime | None
    handled_at: datetime | None


def seen(case) -> Seen:
    return Seen(case.status, case.team_id, case.accepted_at, case.handled_at)


def case_moved(conn, before: Seen, case) -> None:
    """Called by workflow.transition after its write, in its transaction: the parts of the
    teams' rows this change of the case moves. Its status or team moves the load when it
    enters or leaves TEAM_LOAD or changes hands; its team, acceptance or hand-over moves the
    median hours when it was or is handed over (a reopen undoes a hand-over)."""
    after = seen(case)
    teams = {before.team_id, after.team_id} - {None}
    if not teams:
        return
    parts = set()
    if before.team_id != after.team_id or (
        (before.status in TEAM_LOAD) != (after.status in TEAM_LOAD)
    ):
        parts.add("load")
    if (before.handled_at is not None or after.handled_at is not None) and (
        before.team_id != after.team_id
        or before.accepted_at != after.accepted_at
        or before.handled_at != after.handled_at
    ):
        parts.add("medians")
    if parts:
        refresh(conn, teams, parts)


def callback_added(conn, team_id: int | None) -> None:
    """Called by the service that records a call-back, in its transaction: the team's
    ratings."""
    if team_id is not None:
        refresh(conn, [team_id], {"ratings"})
