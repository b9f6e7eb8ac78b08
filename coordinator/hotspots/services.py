"""Keeping the hot spots' figures: on every case logged, and all of them again from source."""

from coordinator.extensions import db
from coordinator.hotspots import counts, queries, repeats
from coordinator.work import unit_of_work


def case_opened(case, at=None, **_):
    """cases.signals.case_opened: count the case and note a repeat, in its transaction (the
    receiver never commits; what it raises undoes the case). Planned work (a campaign's or a
    plan's case) is not a complaint and is not counted."""
    if not case.is_reported:
        return
    conn = db.session.connection()
    counts.add(conn, case)
    repeats.note(conn, case)


def rebuild() -> tuple[int, int]:
    """place_month_counts and repeat_spots worked out again from every case, in one unit of
    work: (count rows, repeat spots). For bulk loads that bypass the use cases (bench seeds,
    the demo's history) and repairs."""
    with unit_of_work() as session:
        conn = session.connection()
        rows = counts.rebuild(conn)
        spots = repeats.rebuild(conn)
    queries.forget_frozen()
    return rows, spots
