"""The dashboard's reads: a handful of statements on the monthly rows, whatever the number of
cases (the live overdue count is one indexed count on the cases' clock).

Scope: an admin sees every community in full; staff see their own community in full and, of
the others, only the composite score and the rank (the comparison the city makes).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, select

from coordinator import access, months
from coordinator.dashboard import rates as arithmetic
from coordinator.dashboard.models import MonthCategoryFigures, MonthFigures, MonthTierFigures
from coordinator.dashboard.services import live_overdue
from coordinator.extensions import db
from coordinator.paging import read_rows
from coordinator.places.models import Community


def weights() -> dict:
    return dict(arithmetic.DEFAULT_WEIGHTS, **(current_app.config.get("DASHBOARD_WEIGHTS") or {}))


NO_RATES = arithmetic.rates(0, 0, 0, 0.0)


@dataclass
class Line:
    """One community's month."""

    community_id: int
    name: str
    month: date
    received: int = 0
    closed: int = 0
    overdue: int | None = None
    rates: arithmetic.Rates = NO_RATES
    rank: int | None = None
    full: bool = True  # False: only the composite and rank may be shown (another community)

    @property
    def response(self):
        return arithmetic.percent(self.rates.response)

    @property
    def resolution(self):
        return arithmetic.percent(self.rates.resolution)

    @property
    def satisfaction(self):
        return arithmetic.percent(self.rates.satisfaction)

    @property
    def composite(self):
        return arithmetic.points(self.rates.composite)


# Built once (the statements' Python construction costs more than their run on the rows).
_COMMUNITIES = select(Community.id, Community.name).order_by(Community.name)
_FIGURES = select(
    MonthFigures.community_id,
    MonthFigures.month,
    MonthFigures.received,
    MonthFigures.closed,
    MonthFigures.callbacks,
    MonthFigures.contacted,
    MonthFigures.solved,
    MonthFigures.score,
    MonthFigures.overdue,
    MonthFigures.computed_at,
    MonthFigures.frozen_at,
).where(MonthFigures.month >= bindparam("first"), MonthFigures.month <= bindparam("last"))
_COMMUNITY_FIGURES = _FIGURES.where(MonthFigures.community_id == bindparam("community"))
_TIERS = select(MonthTierFigures.tier, MonthTierFigures.handled, MonthTierFigures.on_time).where(
    MonthTierFigures.community_id == bindparam("community"),
    MonthTierFigures.month == bindparam("month"),
)
_CATEGORIES = select(
    MonthCategoryFigures.category,
    MonthCategoryFigures.received,
    MonthCategoryFigures.handled,
    MonthCategoryFigures.median_respond_hours,
    MonthCategoryFigures.median_resolve_hours,
).where(
    MonthCategoryFigures.community_id == bindparam("community"),
    MonthCategoryFigures.month == bindparam("month"),
)


def communities() -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in read_rows(_COMMUNITIES)]


def figure_rows(first: date, last: date, community_id: int | None = None):
    if community_id is None:
        return read_rows(_FIGURES, {"first": first, "last": last}).all()
    return read_rows(
        _COMMUNITY_FIGURES, {"first": first, "last": last, "community": community_id}
    ).all()


def _line(row, community_id: int, name: str, month: date, w: dict) -> Line:
    line = Line(community_id, name, month)
    if row is not None:
        line.received, line.closed, line.overdue = row.received, row.closed, row.overdue
        line.rates = arithmetic.rates(row.callbacks, row.contacted, row.solved, row.score, w)
    return line


def month_lines(found: dict, names: dict, month: date, overdue_now: dict | None) -> list[Line]:
    """Every community's Line of one month, ranked (missing rows = zeros); overdue_now: the
    live counts (the current month)."""
    w = weights()
    lines = [_line(found.get((cid, month)), cid, name, month, w) for cid, name in names.items()]
    if overdue_now is not None:
        for line in lines:
            line.overdue = overdue_now.get(line.community_id, 0)
    order = arithmetic.ranks({line.community_id: line.rates.composite for line in lines})
    for line in lines:
        line.rank = order[line.community_id]
    return lines


def trend_lines(found: dict, community_id: int, window: list[date]) -> list[Line]:
    """One community's Lines over the window (no ranks: the charts show the rates)."""
    w = weights()
    return [_line(found.get((community_id, m)), community_id, "", m, w) for m in window]


def stamp(rows, month: date, current: date) -> tuple[str, datetime | None]:
    """('live', latest computed_at) for the current month, ('frozen', frozen_at) for an ended
    one, ('none', None) when the month has no rows."""
    mine = [r for r in rows if r.month == month]
    if not mine:
        return ("none", None)
    if month < current and all(r.frozen_at for r in mine):
        return ("frozen", max(r.frozen_at for r in mine))
    return ("live", max(r.computed_at for r in mine))


def tier_rows(community_id: int, month: date):
    return read_rows(_TIERS, {"community": community_id, "month": month}).all()


def category_rows(community_id: int, month: date):
    return read_rows(_CATEGORIES, {"community": community_id, "month": month}).all()


def overview(actor, month: date, community_id: int | None, now: datetime) -> dict | None:
    """Everything the page shows for the month; None when the community asked for is not the
    actor's to see in full (the view answers 404)."""
    current = months.month_of(now)
    window = months.window(current, current_app.config.get("DASHBOARD_MONTHS", 12))
    names = dict(communities())
    if actor.role == access.STAFF:
        if community_id not in (None, actor.community_id):
            return None
        community_id = actor.community_id
    elif community_id is None:
        community_id = next(iter(names), None)
    if community_id not in names:
        return None
    rows = figure_rows(window[0], window[-1])
    found = {(r.community_id, r.month): r for r in rows}
    overdue_now = live_overdue(db.session.connection(), now) if month == current else None
    # Ranked first, then those without call-backs, by name.
    lines = sorted(
        month_lines(found, names, month, overdue_now),
        key=lambda line: (line.rank is None, line.rank or 0),
    )
    if actor.role != access.ADMIN:
        for line in lines:
            if line.community_id != actor.community_id:
                line.full = False
    mine = next(line for line in lines if line.community_id == community_id)
    trend = trend_lines(found, community_id, window)
    if overdue_now is not None:
        trend[-1].overdue = mine.overdue
    return {
        "current": current,
        "window": window,
        "month": month,
        "lines": lines,
        "mine": mine,
        "community_id": community_id,
        "community_name": names[community_id],
        "names": names,
        "stamp": stamp(rows, month, current),
        # When each month of the trend was computed: ("frozen", at), ("live", …), ("none", None).
        "stamps": [stamp(rows, m, current) for m in window],
        "tiers": tier_rows(community_id, month),
        "categories": category_rows(community_id, month),
        "trend": trend,
    }


def trend(community_id: int, now: datetime) -> list[Line]:
    """The 12 months of one community (the charts): one statement."""
    current = months.month_of(now)
    window = months.window(current, current_app.config.get("DASHBOARD_MONTHS", 12))
    rows = figure_rows(window[0], window[-1], community_id)
    return trend_lines({(r.community_id, r.month): r for r in rows}, community_id, window)
