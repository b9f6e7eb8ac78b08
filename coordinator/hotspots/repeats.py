"""Repeat spots: the same building and category three or more times within REPEAT_DAYS.

A run starts with the case that makes three within REPEAT_DAYS (the window's first case is
the run's first) and goes on while each new case comes within REPEAT_DAYS of the run's last;
a longer quiet spell ends it, and a later run of the same place starts afresh. One row per
run (models.RepeatSpot).

Kept on cases.signals.case_opened in the case's transaction, at the cost of a lookup on the
run table and, when no run is going on, one index walk over the building's cases of that
category in the window (ix_cases_building_category_created): never a scan of the period's
cases. Two cases of one place at the very same moment on PostgreSQL: the second waits on the
first's row (the UPDATE, or the unique key of the INSERT) and adds to it. `rebuild()` works
every run out again from the cases, with the same rule (runs()).
"""

from collections import deque
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from coordinator.cases.models import Case
from coordinator.hotspots.models import WHOLE, RepeatSpot
from coordinator.i18n import local_date
from coordinator.work import insert_for

REPEAT_DAYS = 90
REPEAT_TIMES = 3
DATES_KEPT = 12  # the run's latest dates shown; the count says how many in all
TABLE = RepeatSpot.__table__


def _dates(moments) -> str:
    return ",".join(local_date(m).isoformat() for m in list(moments)[-DATES_KEPT:])


def _more_dates(dates: str, moment: datetime) -> str:
    kept = [d for d in dates.split(",") if d][-(DATES_KEPT - 1) :]
    return ",".join([*kept, local_date(moment).isoformat()])


def note(conn, case: Case) -> None:
    """A new case of a building: extend the place's run, or start one, or nothing."""
    if not case.building_id:
        return
    at, span = case.created_at, timedelta(days=REPEAT_DAYS)
    live = conn.execute(
        select(TABLE.c.id, TABLE.c.last_at, TABLE.c.dates)
        .where(TABLE.c.building_id == case.building_id, TABLE.c.category == case.category)
        .order_by(TABLE.c.last_at.desc())
        .limit(1)
    ).first()
    if live is not None and at - live.last_at <= span and at >= live.last_at:
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == live.id)
            .values(cases=TABLE.c.cases + 1, last_at=at, dates=_more_dates(live.dates or "", at))
        )
        return
    window = conn.execute(
        select(Case.id, Case.created_at)
        .where(
            Case.building_id == case.building_id,
            Case.category == case.category,
            Case.created_at >= at - span,
            Case.created_at <= at,
            Case.is_reported,
        )
        .order_by(Case.created_at, Case.id)
        .limit(50)
    ).all()
    if live is not None:  # cases of the run that ended belong to it
        window = [row for row in window if row.created_at > live.last_at]
    if len(window) < REPEAT_TIMES:
        return
    _insert(conn, case, window[0].id, [row.created_at for row in window])


def _insert(conn, place, first_case_id: int, moments: list[datetime]) -> None:
    stmt = insert_for(conn, TABLE).values(
        community_id=place.community_id,
        compound_id=place.compound_id or WHOLE,
        building_id=place.building_id,
        category=place.category,
        first_case_id=first_case_id,
        first_at=moments[0],
        last_at=moments[-1],
        cases=len(moments),
        dates=_dates(moments),
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["building_id", "category", "first_case_id"],
            set_={"cases": TABLE.c.cases + 1, "last_at": stmt.excluded.last_at},
        )
    )


def runs(cases):
    """The runs in one place's cases, given as (id, created_at) oldest first: yields
    (first_case_id, [moments]) for each run (the rule of the module note)."""
    span = timedelta(days=REPEAT_DAYS)
    window: deque = deque()
    run = None
    for case_id, at in cases:
        if run is not None:
            if at - run[1][-1] <= span:
                run[1].append(at)
                continue
            yield run
            run = None
        window.append((case_id, at))
        while at - window[0][1] > span:
            window.popleft()
        if len(window) >= REPEAT_TIMES:
            run = (window[0][0], [moment for _id, moment in window])
            window.clear()
    if run is not None:
        yield run


def rebuild(conn) -> int:
    """Every run again from the cases, in one pass over the building/category index."""
    conn.execute(delete(TABLE))
    rows = conn.execute(
        select(
            Case.id,
            Case.community_id,
            Case.compound_id,
            Case.building_id,
            Case.category,
            Case.created_at,
        )
        .where(Case.building_id.is_not(None), Case.is_reported)
        .order_by(Case.building_id, Case.category, Case.created_at, Case.id)
        .execution_options(stream_results=True, yield_per=10_000)
    )
    found, batch = 0, []
    key, place, group = None, None, []

    def flush_group():
        for first_id, moments in runs(group):
            batch.append(
                {
                    "community_id": place.community_id,
                    "compound_id": place.compound_id or WHOLE,
                    "building_id": place.building_id,
                    "category": place.category,
                    "first_case_id": first_id,
                    "first_at": moments[0],
                    "last_at": moments[-1],
                    "cases": len(moments),
                    "dates": _dates(moments),
                }
            )

    for row in rows:
        if (row.building_id, row.category) != key:
            if group:
                flush_group()
            key, place, group = (row.building_id, row.category), row, []
        group.append((row.id, row.created_at))
    if group:
        flush_group()
    for start in range(0, len(batch), 1000):
        conn.execute(insert(TABLE), batch[start : start + 1000])
    found += len(batch)
    return found
