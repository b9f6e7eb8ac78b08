"""Keeping the monthly figures (models.py): live for the current month, frozen when it ends.

Live. The receivers below follow the case signals (coordinator/cases/signals.py) and write in
the use case's own transaction, so a rolled-back use case leaves the figures as they were.
Counters are an upsert safe under concurrency on SQLite and PostgreSQL: insert the row if it is
missing (ON CONFLICT DO NOTHING), then `UPDATE … SET x = x + 1`. The medians of the touched
(community, month, category) are recomputed exactly from the cases right after that UPDATE,
which holds the row's lock on PostgreSQL, so a concurrent writer's committed case is seen
(READ COMMITTED takes a new snapshot per statement); SQLite has one writer at a time.

A hand-over undone (a reopen, or a failed verification handed over again) takes the earlier
hand-over back out of its month's counters, found in the case's trail. Edits of a case around
the workflow (its category, tier or community) are not followed live: the month's exact figures
are those computed when it freezes (or by `flask dashboard rebuild`).

Frozen. A month is frozen once it has ended: its rows are recomputed once, exactly, from the
cases (recompute()) and stamped frozen_at, and a row in frozen_months says so; nothing changes
them afterwards (the receivers write only months not frozen; a late signal with `at` in a past
month freezes that month first, which then already counts that change). Freezing happens lazily
(the first write or dashboard read of a process in a new month, ensure_frozen()) or by
`flask dashboard freeze`; two processes freezing at once both insert the same frozen_months key,
and the loser's savepoint rolls back having written nothing.
"""

from datetime import date, datetime

from sqlalchemy import and_, bindparam, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from coordinator import months
from coordinator.cases import signals
from coordinator.cases.models import Callback, Case, CaseEvent
from coordinator.cases.records import hours_between, median_of
from coordinator.dashboard.models import (
    FrozenMonth,
    MonthCategoryFigures,
    MonthFigures,
    MonthTierFigures,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.places.models import Community
from coordinator.work import insert_for

# The latest month this process has seen frozen in the database (a write or read in a later
# month checks once, then not again until the next month).
_frozen_through: dict[str, date] = {}


def clock() -> datetime:
    """The wall clock the figures go by (tests replace it)."""
    return utcnow()


# ---------------------------------------------------------------- counters


def _bump(conn, model, key: dict, now: datetime, **deltas) -> None:
    """Insert the row if missing, then add the deltas (x = x + d): safe when two at once."""
    table = model.__table__
    conn.execute(insert_for(conn, table).values(**key, computed_at=now).on_conflict_do_nothing())
    where = and_(*(table.c[name] == value for name, value in key.items()))
    values = {name: table.c[name] + delta for name, delta in deltas.items()}
    conn.execute(update(table).where(where).values(computed_at=now, **values))


def _medians(rows) -> tuple[float | None, float | None]:
    """(median respond hours, median resolve hours) of (created, accepted, handled) rows; a
    step out of order counts toward neither (records.hours_between)."""
    respond = [hours_between(c, a) for c, a, _h in rows]
    resolve = [hours_between(c, h) for c, _a, h in rows]
    return median_of(respond), median_of(resolve)


def _recompute_medians(conn, community_id: int, month: date, category: str) -> None:
    start, end = months.bounds(month)
    rows = conn.execute(
        select(Case.created_at, Case.accepted_at, Case.handled_at).where(
            Case.community_id == community_id,
            Case.category == category,
            Case.handled_at >= start,
            Case.handled_at < end,
        )
    ).all()
    respond, resolve = _medians(rows)
    table = MonthCategoryFigures.__table__
    conn.execute(
        update(table)
        .where(
            table.c.community_id == community_id,
            table.c.month == month,
            table.c.category == category,
        )
        .values(median_respond_hours=respond, median_resolve_hours=resolve)
    )


def _live(conn, at: datetime | None, now: datetime) -> date | None:
    """The month a change at `at` counts in, if that month's rows are still live; else None
    (frozen, or freezing now, which counts the change already)."""
    ensure_frozen(now, conn)
    month = months.month_of(at or now)
    if month >= months.month_of(now):
        return month
    ensure_month_frozen(conn, month, now)
    return None


def _handled(conn, case, month: date, sign: int, on_time: bool, now: datetime) -> None:
    key = {"community_id": case.community_id, "month": month}
    _bump(
        conn, MonthTierFigures, dict(key, tier=case.tier), now, handled=sign, on_time=sign * on_time
    )
    _bump(conn, MonthCategoryFigures, dict(key, category=case.category), now, handled=sign)
    _recompute_medians(conn, case.community_id, month, case.category)


def on_case_opened(case, at=None, **_):
    conn = db.session.connection()
    now = clock()
    month = _live(conn, at, now)
    if month is None:
        return
    key = {"community_id": case.community_id, "month": month}
    _bump(conn, MonthFigures, key, now, received=1)
    _bump(conn, MonthCategoryFigures, dict(key, category=case.category), now, received=1)


def _earlier_handover(conn, case) -> datetime | None:
    """When the hand-over that this step undoes was made: the trail's latest 'handle' before
    this step, unless a reopen (which already undid it) came after it."""
    steps = conn.execute(
        select(CaseEvent.action, CaseEvent.at)
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(("handle", "reopen")))
        .order_by(CaseEvent.id.desc())
        .limit(2)
    ).all()
    if len(steps) < 2 or steps[1].action != "handle":
        return None
    return steps[1].at


def on_case_moved(case, action=None, before=None, after=None, at=None, **_):
    if action not in ("handle", "reopen", "close"):
        return
    conn = db.session.connection()
    now = clock()
    if action in ("handle", "reopen"):
        earlier = _earlier_handover(conn, case)
        if earlier is not None:
            month = _live(conn, earlier, now)
            if month is not None:
                on_time = case.due_at is not None and earlier <= case.due_at
                _handled(conn, case, month, -1, on_time, now)
    month = _live(conn, at, now)
    if month is None:
        return
    if action == "handle":
        on_time = case.due_at is not None and case.handled_at <= case.due_at
        _handled(conn, case, month, 1, on_time, now)
    elif action == "close":
        _bump(
            conn, MonthFigures, {"community_id": case.community_id, "month": month}, now, closed=1
        )


def on_callback_added(callback, case=None, at=None, **_):
    conn = db.session.connection()
    now = clock()
    month = _live(conn, at, now)
    if month is None:
        return
    _bump(
        conn,
        MonthFigures,
        {"community_id": case.community_id, "month": month},
        now,
        callbacks=1,
        contacted=int(bool(callback.contacted)),
        solved=int(bool(callback.solved)),
        score=float(callback.score),
    )


def connect() -> None:
    signals.case_opened.connect(on_case_opened)
    signals.case_moved.connect(on_case_moved)
    signals.callback_added.connect(on_callback_added)


# ---------------------------------------------------------------- exact, from the cases


def recompute(conn, month: date, now: datetime, frozen: bool) -> None:
    """Every row of one month worked out again from the cases and call-backs (one grouped
    query per figure, each on an index of its date column); frozen: stamped frozen_at, with
    the overdue count as the month ended."""
    start, end = months.bounds(month)
    communities = list(conn.scalars(select(Community.id)))
    in_month = lambda column: and_(column >= start, column < end)  # noqa: E731

    received = conn.execute(
        select(Case.community_id, Case.category, func.count())
        .where(in_month(Case.created_at))
        .group_by(Case.community_id, Case.category)
    ).all()
    closed = dict(
        conn.execute(
            select(Case.community_id, func.count())
            .where(in_month(Case.closed_at))
            .group_by(Case.community_id)
        ).all()
    )
    answers = {
        row.community_id: row
        for row in conn.execute(
            select(
                Case.community_id,
                func.count().label("n"),
                func.sum(case((Callback.contacted, 1), else_=0)).label("contacted"),
                func.sum(case((Callback.solved, 1), else_=0)).label("solved"),
                func.sum(Callback.score).label("score"),
            )
            .join(Case, Case.id == Callback.case_id)
            .where(in_month(Callback.created_at))
            .group_by(Case.community_id)
        )
    }
    tiers = conn.execute(
        select(
            Case.community_id,
            Case.tier,
            func.count(),
            func.sum(case((Case.handled_at <= Case.due_at, 1), else_=0)),
        )
        .where(in_month(Case.handled_at))
        .group_by(Case.community_id, Case.tier)
    ).all()
    durations: dict[tuple, list] = {}
    for community_id, category, created, accepted, handled in conn.execute(
        select(
            Case.community_id, Case.category, Case.created_at, Case.accepted_at, Case.handled_at
        ).where(in_month(Case.handled_at))
    ):
        durations.setdefault((community_id, category), []).append((created, accepted, handled))
    overdue: dict = {}
    if frozen:
        overdue = overdue_at(conn, end)

    for model in (MonthFigures, MonthTierFigures, MonthCategoryFigures):
        conn.execute(delete(model.__table__).where(model.__table__.c.month == month))
    stamp = {"computed_at": now, "month": month}
    rows = []
    for community_id in communities:
        got = answers.get(community_id)
        rows.append(
            dict(
                stamp,
                community_id=community_id,
                received=sum(n for c, _cat, n in received if c == community_id),
                closed=closed.get(community_id, 0),
                callbacks=got.n if got else 0,
                contacted=int(got.contacted or 0) if got else 0,
                solved=int(got.solved or 0) if got else 0,
                score=float(got.score or 0.0) if got else 0.0,
                overdue=overdue.get(community_id, 0) if frozen else None,
                frozen_at=now if frozen else None,
            )
        )
    conn.execute(insert(MonthFigures.__table__), rows)
    tier_rows = [
        dict(stamp, community_id=c, tier=t, handled=n, on_time=int(ok or 0))
        for c, t, n, ok in tiers
    ]
    if tier_rows:
        conn.execute(insert(MonthTierFigures.__table__), tier_rows)
    categories: dict[tuple, dict] = {}
    for c, cat, n in received:
        categories[(c, cat)] = dict(stamp, community_id=c, category=cat, received=n, handled=0)
    for (c, cat), rows_ in durations.items():
        row = categories.setdefault(
            (c, cat), dict(stamp, community_id=c, category=cat, received=0, handled=0)
        )
        row["handled"] = len(rows_)
    for key, row in categories.items():
        respond, resolve = _medians(durations.get(key, ()))
        row.update(median_respond_hours=respond, median_resolve_hours=resolve)
    if categories:
        conn.execute(insert(MonthCategoryFigures.__table__), list(categories.values()))


def overdue_at(conn, moment: datetime) -> dict[int, int]:
    """Per community, the cases on the clock and past due at `moment`, as the cases' stamps
    tell it afterwards: still on the clock now and due before then, or handed over only after
    then and due before then."""
    counts: dict[int, int] = {}
    for stmt in (
        select(Case.community_id, func.count())
        .where(Case.on_the_clock, Case.due_at < moment)
        .group_by(Case.community_id),
        select(Case.community_id, func.count())
        .where(Case.handled_at >= moment, Case.due_at < moment)
        .group_by(Case.community_id),
    ):
        for community_id, n in conn.execute(stmt):
            counts[community_id] = counts.get(community_id, 0) + n
    return counts


_OVERDUE = select(
    Community.id,
    select(func.count())
    .select_from(Case)
    .where(Case.is_overdue(bindparam("now")), Case.community_id == Community.id)
    .scalar_subquery(),
)


def live_overdue(conn, now: datetime) -> dict[int, int]:
    """Per community, the cases overdue now: one range of the partial index on the clock's
    deadlines (community, due_at) per community, as a correlated count."""
    return {cid: n for cid, n in conn.execute(_OVERDUE, {"now": now}) if n}


# ---------------------------------------------------------------- freezing


def ensure_month_frozen(conn, month: date, now: datetime) -> bool:
    """Freeze one ended month unless it is frozen; False if someone else froze it first."""
    if conn.scalar(select(FrozenMonth.month).where(FrozenMonth.month == month)) is not None:
        return False
    session = db.session
    try:
        with session.begin_nested():
            conn = session.connection()
            conn.execute(insert(FrozenMonth.__table__).values(month=month, frozen_at=now))
            recompute(conn, month, now, frozen=True)
    except IntegrityError:
        return False  # another process froze it at the same moment: its rows stand
    return True


def ensure_frozen(now: datetime | None = None, conn=None) -> list[date]:
    """Freeze every ended month not frozen yet (the last month, and any older month with live
    rows). Once a process has seen them frozen, a no-op until the next month."""
    now = now or clock()
    current = months.month_of(now)
    last = months.shift(current, -1)
    if _frozen_through.get("month") and _frozen_through["month"] >= last:
        return []
    conn = conn or db.session.connection()
    pending = set(
        conn.scalars(
            select(MonthFigures.month)
            .distinct()
            .where(MonthFigures.month < current, MonthFigures.frozen_at.is_(None))
        )
    )
    if conn.scalar(select(FrozenMonth.month).where(FrozenMonth.month == last)) is None:
        pending.add(last)
    done = [month for month in sorted(pending) if ensure_month_frozen(conn, month, now)]
    if not pending:
        # Known frozen in the database: later calls this month need not look.
        _frozen_through["month"] = last
    return done


def forget_frozen() -> None:
    """Tests: the process-wide memory of frozen months, cleared."""
    _frozen_through.clear()


def rebuild(conn, count: int = 12, now: datetime | None = None) -> list[date]:
    """The last `count` months worked out again from the cases (the current one live, the
    others frozen now): after cases were written around the services (bench seeds, bulk demo
    history). Returns the months."""
    now = now or clock()
    window = months.window(months.month_of(now), count)
    for month in window:
        ended = month < window[-1]
        recompute(conn, month, now, frozen=ended)
        if ended:
            conn.execute(
                delete(FrozenMonth.__table__).where(FrozenMonth.__table__.c.month == month)
            )
            conn.execute(insert(FrozenMonth.__table__).values(month=month, frozen_at=now))
    forget_frozen()
    return window
