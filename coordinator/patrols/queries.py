"""The patrols' read models: today's round (my grids' compounds, each with its visit and its
checklist), the patrol log and the week's coverage.

The scope rule (`visible`): the admin sees every community's patrols; staff see their own
community's, and walk only the grids they are the worker of. Each page runs a constant number
of statements whatever the number of grids, compounds, visits or checks: built once per role
(access.role_actor), run with the actor's values (access.scope_params).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Date, and_, bindparam, false, func, select
from sqlalchemy.orm import aliased

from coordinator import access
from coordinator.auth.models import User
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.forms import FIRST_DAY, date_arg
from coordinator.i18n import local_date, to_local, utcnow
from coordinator.paging import Page, page_number, read_rows
from coordinator.patrols.checklist import BY_CODE, items_for
from coordinator.patrols.models import Patrol, PatrolCheck, PatrolVisit
from coordinator.places.models import Community, Compound, Grid, grid_compounds

LOG_PAGE = 20


def visible(stmt, actor, community_column=Patrol.community_id):
    """The patrols' scope rule: admins every community, staff their own, nobody else any."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(community_column == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


def clock(moment: datetime | None) -> str:
    """14:02, Beijing time: the same in both languages."""
    return to_local(moment).strftime("%H:%M") if moment else ""


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(1, round((end - start).total_seconds() / 60))


# ---------------------------------------------------------------- scope lookups (views)


def my_grid(actor, grid_id: int) -> Grid | None:
    """A grid the actor walks (their own community's, they its worker)."""
    if actor.role != access.STAFF:
        return None
    return db.session.scalar(
        select(Grid).where(
            Grid.id == grid_id, Grid.worker_id == actor.id, Grid.community_id == actor.community_id
        )
    )


def grid_has(grid_id: int, compound_id: int) -> bool:
    return (
        db.session.scalar(
            select(grid_compounds.c.compound_id).where(
                grid_compounds.c.grid_id == grid_id, grid_compounds.c.compound_id == compound_id
            )
        )
        is not None
    )


def my_visit(actor, visit_id: int) -> PatrolVisit | None:
    """A visit of the actor's own patrols."""
    if actor.role != access.STAFF:
        return None
    return db.session.scalar(
        select(PatrolVisit)
        .join(Patrol, Patrol.id == PatrolVisit.patrol_id)
        .where(PatrolVisit.id == visit_id, Patrol.worker_id == actor.id)
    )


# ---------------------------------------------------------------- today's round


@dataclass
class ItemRow:
    code: str
    label: str
    hint: str
    check: dict | None = None  # {"ok", "note", "case_id", "case_number"}


@dataclass
class CompoundCard:
    id: int
    name: str
    kind: str
    grid_id: int
    visit_id: int | None
    arrived_at: datetime | None
    left_at: datetime | None
    items: list = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.visit_id is None:
            return "todo"
        return "done" if self.left_at else "here"

    @property
    def minutes(self) -> int | None:
        return minutes_between(self.arrived_at, self.left_at)

    @property
    def checked(self) -> int:
        return sum(1 for item in self.items if item.check)

    @property
    def problems(self) -> int:
        return sum(1 for item in self.items if item.check and not item.check["ok"])


@dataclass
class GridRound:
    id: int
    name: str
    community: str
    worker: str
    compounds: list = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for c in self.compounds if c.state == "done")


def _grids_visible(stmt, actor):
    """Today's round: staff walk the grids they are the worker of; the admin looks at all."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(
            Grid.worker_id == bindparam("actor_id", actor.id),
            Grid.community_id == bindparam("actor_community", actor.community_id),
        )
    return stmt.where(false())


@cache
def _round_statement(role: str):
    """Each grid's compounds with the visit of the grid's worker on that day, if any."""
    stmt = (
        select(
            Grid.id.label("grid_id"),
            Grid.name.label("grid"),
            Community.name.label("community"),
            User.name.label("worker"),
            Compound.id,
            Compound.name,
            Compound.kind,
            Compound.has_bike_shed,
            Compound.many_trees,
            PatrolVisit.id.label("visit_id"),
            PatrolVisit.arrived_at,
            PatrolVisit.left_at,
        )
        .join(Community, Community.id == Grid.community_id)
        .join(grid_compounds, grid_compounds.c.grid_id == Grid.id)
        .join(Compound, Compound.id == grid_compounds.c.compound_id)
        .outerjoin(User, User.id == Grid.worker_id)
        .outerjoin(
            Patrol,
            and_(
                Patrol.grid_id == Grid.id,
                Patrol.worker_id == Grid.worker_id,
                Patrol.day == bindparam("day", type_=Date),
            ),
        )
        .outerjoin(
            PatrolVisit,
            and_(PatrolVisit.patrol_id == Patrol.id, PatrolVisit.compound_id == Compound.id),
        )
        .order_by(Community.name, Grid.name, Grid.id, Compound.name, Compound.id)
    )
    return _grids_visible(stmt, access.role_actor(role))


_CHECKS = (
    select(
        PatrolCheck.visit_id,
        PatrolCheck.item,
        PatrolCheck.ok,
        PatrolCheck.note,
        PatrolCheck.case_id,
    )
    .where(PatrolCheck.visit_id.in_(bindparam("visits", expanding=True)))
    .order_by(PatrolCheck.id)
)


def _checks(visit_ids: list[int]) -> dict[tuple[int, str], dict]:
    if not visit_ids:
        return {}
    rows = read_rows(_CHECKS, {"visits": visit_ids})
    return {
        (r.visit_id, r.item): {
            "ok": r.ok,
            "note": r.note,
            "case_id": r.case_id,
            "case_number": f"#{r.case_id}" if r.case_id else "",
        }
        for r in rows
    }


def today(actor, now: datetime | None = None) -> dict:
    """Today's round for the actor: two statements (the grids' compounds with today's visits,
    then those visits' checks), whatever the size of the grids."""
    day = local_date(now or utcnow())
    params = {**access.scope_params(actor), "day": day}
    rows = read_rows(_round_statement(actor.role), params).all()
    checks = _checks(sorted({r.visit_id for r in rows if r.visit_id}))
    grids: dict[int, GridRound] = {}
    for r in rows:
        grid = grids.get(r.grid_id)
        if grid is None:
            grid = grids[r.grid_id] = GridRound(r.grid_id, r.grid, r.community, r.worker or "")
        card = CompoundCard(r.id, r.name, r.kind, r.grid_id, r.visit_id, r.arrived_at, r.left_at)
        for item in items_for(r):
            card.items.append(
                ItemRow(
                    item.code,
                    str(item.label),
                    str(item.hint),
                    checks.get((r.visit_id, item.code)) if r.visit_id else None,
                )
            )
        grid.compounds.append(card)
    cards = [c for g in grids.values() for c in g.compounds]
    return {
        "day": day,
        "grids": list(grids.values()),
        "total": len(cards),
        "done": sum(1 for c in cards if c.state == "done"),
    }


def compounds_today_statement(actor):
    """The home page's number: the compounds of the grids the actor walks."""
    return (
        select(func.count())
        .select_from(grid_compounds)
        .join(Grid, Grid.id == grid_compounds.c.grid_id)
        .where(Grid.worker_id == actor.id, Grid.community_id == actor.community_id)
    )


# ---------------------------------------------------------------- the log


@dataclass
class LogFilters:
    worker: int | None = None
    grid: int | None = None
    since: date | None = None
    until: date | None = None


def _id(raw) -> int | None:
    from coordinator.converters import parse_int

    number = parse_int(raw) if raw else None
    return number if number and number > 0 else None


def read_day(raw) -> date | None:
    """A date of the query string (2026-12-01), or None for what cannot be one."""
    return date_arg([raw]) if raw else None


def log_filters(args) -> LogFilters:
    """The log's filters from the query string; anything unreadable is no filter."""
    return LogFilters(
        worker=_id(args.get("worker")),
        grid=_id(args.get("grid")),
        since=read_day(args.get("from")),
        until=read_day(args.get("to")),
    )


@cache
def _log_statement(role: str, worker: bool, grid: bool, since: bool, until: bool):
    """Visits, newest first: the compound, the grid, the worker, arrival and departure."""
    stmt = (
        select(
            PatrolVisit.id,
            PatrolVisit.arrived_at,
            PatrolVisit.left_at,
            Patrol.day,
            Compound.id.label("compound_id"),
            Compound.name.label("compound"),
            Grid.name.label("grid"),
            User.name.label("worker"),
            Community.name.label("community"),
        )
        .join(Patrol, Patrol.id == PatrolVisit.patrol_id)
        .join(Compound, Compound.id == PatrolVisit.compound_id)
        .join(Grid, Grid.id == Patrol.grid_id)
        .join(User, User.id == Patrol.worker_id)
        .join(Community, Community.id == Patrol.community_id)
        .order_by(PatrolVisit.arrived_at.desc(), PatrolVisit.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    if worker:
        stmt = stmt.where(Patrol.worker_id == bindparam("worker"))
    if grid:
        stmt = stmt.where(Patrol.grid_id == bindparam("grid"))
    if since:
        stmt = stmt.where(Patrol.day >= bindparam("since", type_=Date))
    if until:
        stmt = stmt.where(Patrol.day <= bindparam("until", type_=Date))
    return visible(stmt, access.role_actor(role))


_PROBLEMS = (
    select(
        PatrolCheck.visit_id, PatrolCheck.item, PatrolCheck.note, PatrolCheck.case_id, Case.status
    )
    .outerjoin(Case, Case.id == PatrolCheck.case_id)
    .where(PatrolCheck.visit_id.in_(bindparam("visits", expanding=True)))
    .order_by(PatrolCheck.id)
)


def log(actor, filters: LogFilters, number: int | None = None) -> Page:
    """One page of the patrol log: two statements (the visits; their checks with the cases of
    the problems found)."""
    number = number or page_number()
    stmt = _log_statement(
        actor.role,
        filters.worker is not None,
        filters.grid is not None,
        filters.since is not None,
        filters.until is not None,
    )
    params = {
        **access.scope_params(actor),
        "worker": filters.worker,
        "grid": filters.grid,
        "since": filters.since,
        "until": filters.until,
        "limit": LOG_PAGE + 1,
        "offset": (number - 1) * LOG_PAGE,
    }
    rows = read_rows(stmt, params).all()
    shown = rows[:LOG_PAGE]
    problems: dict[int, list] = {}
    counts: dict[int, int] = {}
    if shown:
        ids = [r.id for r in shown]
        for p in read_rows(_PROBLEMS, {"visits": ids}):
            counts[p.visit_id] = counts.get(p.visit_id, 0) + 1
            if p.case_id:
                item = BY_CODE.get(p.item)
                problems.setdefault(p.visit_id, []).append(
                    {
                        "label": str(item.label) if item else p.item,
                        "note": p.note,
                        "case_id": p.case_id,
                        "status": p.status,
                    }
                )
    items = [
        {
            "id": r.id,
            "day": r.day,
            "compound": r.compound,
            "grid": r.grid,
            "worker": r.worker,
            "community": r.community,
            "arrived": clock(r.arrived_at),
            "left": clock(r.left_at),
            "minutes": minutes_between(r.arrived_at, r.left_at),
            "checks": counts.get(r.id, 0),
            "problems": problems.get(r.id, []),
        }
        for r in shown
    ]
    return Page(items, number, LOG_PAGE, len(rows) > LOG_PAGE)


@cache
def _workers_statement(role: str):
    stmt = (
        select(User.id, User.name)
        .join(Grid, Grid.worker_id == User.id)
        .distinct()
        .order_by(User.name, User.id)
    )
    return visible(stmt, access.role_actor(role), Grid.community_id)


@cache
def _grid_choices_statement(role: str):
    stmt = (
        select(Grid.id, Grid.name, Community.name.label("community"))
        .join(Community, Community.id == Grid.community_id)
        .order_by(Community.name, Grid.name)
    )
    return visible(stmt, access.role_actor(role), Grid.community_id)


def filter_choices(actor) -> dict:
    """The log's worker and grid filters: the grid workers and grids the actor may see."""
    params = access.scope_params(actor)
    workers = [(r.id, r.name) for r in read_rows(_workers_statement(actor.role), params)]
    grids = [
        (r.id, r.name if actor.role == access.STAFF else f"{r.community} · {r.name}")
        for r in read_rows(_grid_choices_statement(actor.role), params)
    ]
    return {"workers": workers, "grids": grids}


# ---------------------------------------------------------------- the week's coverage


def week_of(raw, now: datetime | None = None) -> date:
    """The Monday (Beijing) of the week asked for (any date in it), else of this week."""
    day = read_day(raw) or local_date(now or utcnow())
    monday = day - timedelta(days=day.weekday())
    return max(monday, FIRST_DAY)


@cache
def _compounds_statement(role: str):
    stmt = (
        select(Compound.id, Compound.name, Community.name.label("community"))
        .join(Community, Community.id == Compound.community_id)
        .order_by(Community.name, Compound.name, Compound.id)
    )
    return visible(stmt, access.role_actor(role), Community.id)


@cache
def _week_visits_statement(role: str):
    worker = aliased(User)
    stmt = (
        select(
            PatrolVisit.compound_id,
            Patrol.day,
            worker.name.label("worker"),
            PatrolVisit.arrived_at,
        )
        .join(Patrol, Patrol.id == PatrolVisit.patrol_id)
        .join(worker, worker.id == Patrol.worker_id)
        .where(
            Patrol.day >= bindparam("monday", type_=Date),
            Patrol.day <= bindparam("sunday", type_=Date),
        )
        .order_by(PatrolVisit.arrived_at)
    )
    return visible(stmt, access.role_actor(role))


def coverage(actor, monday: date) -> dict:
    """The week's coverage: every compound the actor may see × the seven days, who walked it;
    the compounds nobody patrolled first. Two statements."""
    days = [monday + timedelta(days=i) for i in range(7)]
    params = {**access.scope_params(actor), "monday": days[0], "sunday": days[-1]}
    compounds = read_rows(_compounds_statement(actor.role), params).all()
    seen: dict[tuple[int, date], list[str]] = {}
    for r in read_rows(_week_visits_statement(actor.role), params):
        names = seen.setdefault((r.compound_id, r.day), [])
        if r.worker not in names:
            names.append(r.worker)
    rows = []
    for c in compounds:
        cells = [seen.get((c.id, d), []) for d in days]
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "community": c.community,
                "cells": cells,
                "visits": sum(1 for cell in cells if cell),
            }
        )
    nobody = [r for r in rows if not r["visits"]]
    walked = [r for r in rows if r["visits"]]
    return {
        "days": days,
        "rows": nobody + walked,
        "nobody": len(nobody),
        "total": len(rows),
        "previous": days[0] - timedelta(days=7),
        "next": days[0] + timedelta(days=7),
        "is_current": days[0] <= local_date(utcnow()) <= days[-1],
    }
