"""The hot-spot page's read model: the heat grid, a compound's buildings, repeat spots, the
problems compounds share and the month's problem candidates.

Every number comes from place_month_counts and repeat_spots (kept with the cases, counts.py
and repeats.py), never from the cases themselves: two statements a page whatever the number
of cases (the compounds with the open months' counts, the repeats; one more with a compound
opened, and one more when the period's closed months are not yet kept), each built once per
role with its values as named parameters (access.role_actor), run straight on the connection.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from time import monotonic

from flask import current_app, url_for
from markupsafe import Markup, escape
from sqlalchemy import Date, DateTime, bindparam, false, func, select
from sqlalchemy import case as sql_case

from coordinator import access, months
from coordinator.categories import CATEGORIES, category_labels
from coordinator.hotspots.models import WHOLE, PlaceMonthCount, RepeatSpot
from coordinator.hotspots.periods import Period
from coordinator.i18n import calendar_day, gettext, per_language, to_utc, utcnow
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import read_rows
from coordinator.places.models import Building, Community, Compound

COUNTS = PlaceMonthCount.__table__
REPEATS = RepeatSpot.__table__
LEVELS = 4  # shades of the heat grid, besides 0
REPEATS_SHOWN = 12
CANDIDATES_SHOWN = 5
KIND_WORDS = {"bungalow": _l("all bungalow areas"), "business": _l("all businesses")}


def visible(stmt, actor, table):
    """The hot spots' scope rule: admins see every community's figures, staff their own
    community's, nobody else any."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(table.c.community_id == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


def _places_visible(stmt, actor):
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Community.id == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


# ---------------------------------------------------------------- statements


@cache
def _grid_statement(role: str):
    """Per compound and category: the period's cases and the period before's."""
    start = bindparam("start", type_=Date)
    stmt = (
        select(
            COUNTS.c.compound_id,
            COUNTS.c.category,
            func.sum(sql_case((COUNTS.c.month >= start, COUNTS.c.cases), else_=0)).label("now"),
            func.sum(sql_case((COUNTS.c.month < start, COUNTS.c.cases), else_=0)).label("before"),
        )
        .where(
            COUNTS.c.building_id == WHOLE,
            COUNTS.c.month >= bindparam("previous", type_=Date),
            COUNTS.c.month <= bindparam("end", type_=Date),
        )
        .group_by(COUNTS.c.compound_id, COUNTS.c.category)
    )
    return visible(stmt, access.role_actor(role), COUNTS)


@cache
def _compounds_statement(role: str):
    """The compounds the reader may see, by community and name, each with its counts (one
    row per category it has cases of, or one row with none): one round trip for both."""
    grid = _grid_statement(role).subquery("grid")
    stmt = (
        select(
            Compound.id,
            Compound.name,
            Compound.kind,
            Compound.year_built,
            Compound.has_bike_shed,
            Compound.many_trees,
            Community.name.label("community"),
            grid.c.category,
            grid.c.now,
            grid.c.before,
        )
        .join(Community, Community.id == Compound.community_id)
        .outerjoin(grid, grid.c.compound_id == Compound.id)
        .order_by(Community.name, Compound.name, Compound.id)
    )
    return _places_visible(stmt, access.role_actor(role))


@cache
def _buildings_statement(role: str):
    stmt = (
        select(
            COUNTS.c.building_id,
            Building.name,
            COUNTS.c.category,
            func.sum(COUNTS.c.cases).label("cases"),
        )
        .join(Building, Building.id == COUNTS.c.building_id)
        .where(
            COUNTS.c.compound_id == bindparam("compound"),
            COUNTS.c.building_id != WHOLE,
            COUNTS.c.month >= bindparam("start", type_=Date),
            COUNTS.c.month <= bindparam("end", type_=Date),
        )
        .group_by(COUNTS.c.building_id, Building.name, COUNTS.c.category)
        .order_by(COUNTS.c.building_id)
    )
    return visible(stmt, access.role_actor(role), COUNTS)


@cache
def _repeats_statement(role: str):
    """Runs that overlap the period, newest first."""
    stmt = (
        select(
            REPEATS.c.building_id,
            REPEATS.c.compound_id,
            REPEATS.c.category,
            REPEATS.c.cases,
            REPEATS.c.first_at,
            REPEATS.c.last_at,
            REPEATS.c.dates,
            Building.name.label("building"),
            Compound.name.label("compound"),
        )
        .join(Building, Building.id == REPEATS.c.building_id)
        .join(Compound, Compound.id == Building.compound_id)
        .where(
            REPEATS.c.last_at >= bindparam("since_at", type_=DateTime),
            REPEATS.c.first_at < bindparam("until_at", type_=DateTime),
        )
        .order_by(REPEATS.c.last_at.desc(), REPEATS.c.id.desc())
        .limit(REPEATS_SHOWN)
    )
    return visible(stmt, access.role_actor(role), REPEATS)


# ---------------------------------------------------------------- the page


def cells_html(counts: list[int], shade: dict[int, int], urls: list[str]) -> Markup:
    """One row's cells of the heat grid, written at once: each a shaded link with its number.
    What goes in is numbers and addresses made of ids and category codes (escaped all the
    same), so a row is one output of the template instead of three a cell, the page's main
    cost with a hundred cells and more."""
    return Markup(
        "".join(
            f'<td class="heat-{shade.get(n, 0)}"><a href="{escape(url)}">{n}</a></td>'
            for n, url in zip(counts, urls, strict=True)
        )
    )


@dataclass
class GridRow:
    id: int
    name: str
    community: str
    counts: list
    cells: Markup
    total: int
    total_url: str
    open_url: str = ""
    buildings: list = field(default_factory=list)


@dataclass
class Facts:
    """What a compound is, as the shared-problem sentence reads it."""

    id: int
    name: str
    kind: str
    year_built: int | None
    has_bike_shed: bool
    many_trees: bool
    community: str = ""

    @property
    def is_old(self) -> bool:
        return self.year_built is not None and self.year_built < 2000


def levels(values) -> dict[int, int]:
    """Each non-zero count's shade, 1..LEVELS, by the quartiles of the non-zero counts."""
    found = sorted(set(v for v in values if v))
    if not found:
        return {}
    ordered = sorted(v for v in values if v)
    cuts = [ordered[(len(ordered) - 1) * q // LEVELS] for q in range(1, LEVELS)]
    return {v: 1 + sum(v > cut for cut in cuts) for v in found}


# ---------------------------------------------------------------- closed months, kept

# A month's counts stop moving when it ends: a case is counted in the month it is logged,
# and its place and category never change. So the grid's closed months are read once per
# process and period and kept (the frozen months of issue 10), and only the months still open
# are read on every request. A month counts as closed FREEZE_LAG after its end (a case logged
# at 23:59:59 may commit a moment later). A rebuild in this process empties the store
# (services.rebuild); other processes keep what they read for at most FROZEN_SECONDS.
FREEZE_LAG = timedelta(minutes=5)
FROZEN_SECONDS = 600
FROZEN_MAX = 256
_frozen: dict[tuple, tuple[float, dict, dict]] = {}


def forget_frozen() -> None:
    _frozen.clear()


def _first_open_month() -> date:
    return months.month_of(utcnow() - FREEZE_LAG)


def _frozen_counts(actor, period: Period, last: date) -> tuple[float, dict, dict]:
    """The grid's counts of the closed months previous_start..last: (when read, now, before)."""
    key = (actor.role, actor.community_id, period.previous_start, period.start, last)
    kept = _frozen.get(key)
    if kept is not None and monotonic() - kept[0] < FROZEN_SECONDS:
        return kept
    params = {
        **access.scope_params(actor),
        "start": period.start,
        "end": last,
        "previous": period.previous_start,
    }
    now, before = {}, {}
    for r in read_rows(_grid_statement(actor.role), params):
        now[(r.compound_id, r.category)] = int(r.now or 0)
        before[(r.compound_id, r.category)] = int(r.before or 0)
    if len(_frozen) >= FROZEN_MAX:
        _frozen.clear()
    _frozen[key] = kept = (monotonic(), now, before)
    return kept


@dataclass
class Inputs:
    """What the page is made of, as read by its fixed few statements. `key` says it all in
    plain values (the closed months by when this process read them, the open months' rows
    themselves): the same key, the same page, so what is made of it can be kept by it
    (coordinator/memo.py, routes.py)."""

    key: tuple
    frozen: tuple[dict, dict]
    compounds: tuple
    buildings: tuple
    repeats: tuple


def read(actor, period: Period, open_compound: int | None = None) -> Inputs:
    """The rows /hotspots shows for the period (see the module note for its cost)."""
    first_open = _first_open_month()
    live_from = max(period.previous_start, first_open)
    params = {
        **access.scope_params(actor),
        "start": period.start,
        # The months still open (none when the period ended before them: an empty range).
        "previous": live_from,
        "end": period.end,
    }
    frozen_at, frozen = None, ({}, {})
    if period.previous_start < first_open:
        frozen_at, *frozen = _frozen_counts(
            actor, period, min(period.end, months.shift(first_open, -1))
        )
    compounds = tuple(tuple(r) for r in read_rows(_compounds_statement(actor.role), params))
    buildings = ()
    if open_compound is not None:
        buildings = tuple(
            tuple(r)
            for r in read_rows(
                _buildings_statement(actor.role), {**params, "compound": open_compound}
            )
        )
    repeats = tuple(
        tuple(r) for r in read_rows(_repeats_statement(actor.role), _span(actor, period))
    )
    key = (
        actor.role,
        actor.community_id,
        period.choice,
        period.previous_start,
        period.start,
        period.end,
        open_compound,
        frozen_at,
        compounds,
        buildings,
        repeats,
    )
    return Inputs(key, tuple(frozen), compounds, buildings, repeats)


def page(actor, period: Period, open_compound: int | None = None, base_args: str = "") -> dict:
    """Everything /hotspots shows for the period: read() then build()."""
    return build(read(actor, period, open_compound), period, open_compound, base_args)


def build(inputs: Inputs, period: Period, open_compound: int | None, base_args: str) -> dict:
    """Everything /hotspots shows, made of what read() found (no SQL)."""
    now: dict[tuple[int, str], int] = dict(inputs.frozen[0])
    before: dict[tuple[int, str], int] = dict(inputs.frozen[1])
    compounds: list[Facts] = []
    for r in inputs.compounds:
        cid, name, kind, year_built, shed, trees, community, category, n_now, n_before = r
        if not compounds or compounds[-1].id != cid:
            compounds.append(Facts(cid, name, kind, year_built, shed, trees, community))
        if category is not None:
            key = (cid, category)
            now[key] = now.get(key, 0) + int(n_now or 0)
            before[key] = before.get(key, 0) + int(n_before or 0)
    labels = category_labels()
    board = url_for("cases.board")
    tail = period.board_args()
    here = url_for("hotspots.index")
    shade = levels(now.values())
    rows = []
    for c in compounds:
        numbers = [now.get((c.id, code), 0) for code in CATEGORIES]
        prefix = f"{board}?compound={c.id}&category="
        row = GridRow(
            c.id,
            c.name,
            c.community,
            numbers,
            cells_html(numbers, shade, [f"{prefix}{code}&{tail}" for code in CATEGORIES]),
            sum(numbers),
            f"{board}?compound={c.id}&{tail}",
            f"{here}?{base_args}&compound={c.id}#compound-{c.id}"
            if open_compound != c.id
            else f"{here}?{base_args}#compound-{c.id}",
        )
        rows.append(row)
    opened = next((row for row in rows if row.id == open_compound), None)
    if opened is not None:
        opened.buildings = _buildings(inputs.buildings, board, tail)
    shared, shared_min = shared_problems(compounds, now, labels, board, tail)
    totals = [sum(column) for column in zip(*(row.counts for row in rows), strict=True)] or [
        0
    ] * len(CATEGORIES)
    return {
        "categories": [(code, labels[code]) for code in CATEGORIES],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "opened": opened,
        "repeats": _repeats(inputs.repeats, board),
        "shared": shared,
        "shared_min": shared_min,
        "candidates": candidates(compounds, now, before, labels, board, tail),
    }


def _buildings(building_rows, board, tail) -> list[dict]:
    found: dict[int, dict] = {}
    index = {code: i for i, code in enumerate(CATEGORIES)}
    for building_id, name, category, cases in building_rows:
        row = found.setdefault(
            building_id, {"id": building_id, "name": name, "counts": [0] * len(CATEGORIES)}
        )
        if category in index:
            row["counts"][index[category]] = int(cases or 0)
    rows = []
    for row in found.values():
        shade = levels(row["counts"])
        prefix = f"{board}?building={row['id']}&category="
        row["cells"] = cells_html(
            row["counts"], shade, [f"{prefix}{code}&{tail}" for code in CATEGORIES]
        )
        row["total"] = sum(row["counts"])
        row["total_url"] = f"{board}?building={row['id']}&{tail}"
        rows.append(row)
    return rows


def _span(actor, period: Period) -> dict:
    return {
        **access.scope_params(actor),
        "since_at": to_utc(datetime.combine(period.start, time())),
        "until_at": to_utc(datetime.combine(months.shift(period.end, 1), time())),
    }


def _repeats(repeat_rows, board: str) -> list[dict]:
    labels = category_labels()
    times = gettext("%(n)d times")
    rows = []
    for (
        building_id,
        _compound_id,
        category,
        cases,
        _first,
        _last,
        dates,
        building,
        compound,
    ) in repeat_rows:
        dates = [d for d in (dates or "").split(",") if d]
        since, until = (dates[0], dates[-1]) if dates else ("", "")
        rows.append(
            {
                "place": f"{compound} {building}",
                "category": labels.get(category, category),
                "cases": cases,
                "times": times % {"n": cases},
                "dates": "、".join(calendar_day(date.fromisoformat(d)) for d in dates),
                "url": f"{board}?building={building_id}&category={category}"
                f"&since={since}&until={until}&status=all",
            }
        )
    return rows


@per_language
def _words() -> dict:
    return {
        "old": gettext("all old compounds"),
        "shed": gettext("bike shed"),
        "trees": gettext("many trees"),
        "kinds": {kind: str(words) for kind, words in KIND_WORDS.items()},
        "none": gettext("nothing else in common"),
        "and": gettext(", "),
    }


def traits(chosen: list[Facts]) -> list[str]:
    """What every one of these compounds is or has, in words: old, bike shed, many trees,
    its kind when it is not a residential compound, the years they were built in."""
    words = _words()
    found = []
    if all(c.is_old for c in chosen):
        found.append(words["old"])
    if all(c.has_bike_shed for c in chosen):
        found.append(words["shed"])
    if all(c.many_trees for c in chosen):
        found.append(words["trees"])
    kinds = {c.kind for c in chosen}
    if len(kinds) == 1 and (kind := kinds.pop()) in words["kinds"]:
        found.append(words["kinds"][kind])
    years = [c.year_built for c in chosen]
    if all(year is not None for year in years):
        first, last = min(years), max(years)
        found.append(
            gettext("built in %(year)d", year=first)
            if first == last
            else gettext("built %(first)d–%(last)d", first=first, last=last)
        )
    return found


def shared_problems(compounds, now, labels, board, tail) -> tuple[list[dict], int]:
    """Per category, the compounds where it is a hot spot in the period (two or more of
    them) and what they share; most compounds first. A compound's category is a hot spot
    when its count is in the grid's upper half (above the median of the non-zero cells, the
    two darker shades) and at least HOTSPOTS_SHARED_MIN. Returns them and that threshold."""
    least = current_app.config["HOTSPOTS_SHARED_MIN"]
    ordered = sorted(v for v in now.values() if v)
    if ordered:
        least = max(least, ordered[(len(ordered) - 1) // 2] + 1)
    words = _words()
    found = []
    for code in CATEGORIES:
        chosen = [c for c in compounds if now.get((c.id, code), 0) >= least]
        if len(chosen) < 2:
            continue
        shared = traits(chosen)
        found.append(
            {
                "category": labels[code],
                "code": code,
                "cases": sum(now.get((c.id, code), 0) for c in chosen),
                "compounds": [
                    (c.name, now[(c.id, code)], f"{board}?compound={c.id}&category={code}&{tail}")
                    for c in chosen
                ],
                "summary": gettext(
                    "%(n)d compounds: %(traits)s",
                    n=len(chosen),
                    traits=words["and"].join(shared) if shared else words["none"],
                ),
                "url": f"{board}?category={code}&{tail}",
            }
        )
    found.sort(key=lambda p: (-len(p["compounds"]), -p["cases"], p["code"]))
    return found, least


def candidates(compounds, now, before, labels, board, tail) -> list[dict]:
    """每月一题: the most frequent problems across old compounds in the period, with the
    compounds they touch and the change on the period before (of the same length)."""
    old = [c for c in compounds if c.is_old]
    found = []
    for code in CATEGORIES:
        cases = sum(now.get((c.id, code), 0) for c in old)
        if not cases:
            continue
        earlier = sum(before.get((c.id, code), 0) for c in old)
        touched = [c for c in old if now.get((c.id, code), 0)]
        if earlier == 0:
            trend, change = "new", None
        else:
            change = round((cases - earlier) * 100 / earlier)
            trend = "up" if change > 0 else "down" if change < 0 else "same"
        found.append(
            {
                "category": labels[code],
                "code": code,
                "cases": cases,
                "compounds": len(touched),
                "names": "、".join(c.name for c in touched),
                "before": earlier,
                "trend": trend,
                "change": change,
                "url": f"{board}?category={code}&{tail}",
            }
        )
    found.sort(key=lambda p: (-p["cases"], -p["compounds"], p["code"]))
    return found[:CANDIDATES_SHOWN]
