"""A week of grid patrols: the grids get their compounds, 王伟 and 陈楠 walk theirs on the last
seven days, and two problems found became cases (a street light out in 红联北村, flyposting at
西土城路8号院). 师大北路小区 was last walked more than a week ago, so the coverage table shows
a compound nobody patrolled this week. Today is left for the visitor to walk.

Runs after the bikes chapter. Idempotent: a grid's compounds are set only while it has none,
and the week is walked only when its workers have no patrol yet. Each step goes through the
patrol's own use cases, so the cases are logged like any other (trail, signals, figures).
"""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.i18n import local_date, to_utc, utcnow
from coordinator.patrols import services
from coordinator.patrols.checklist import items_for
from coordinator.patrols.models import Patrol
from coordinator.places.models import Community, Compound, Grid

# worker's phone: (grid, [(compound, days ago walked)])
WALKS = {
    "13800000002": (
        "红联北村第一网格",
        [("红联北村", (7, 6, 5, 4, 3, 2, 1)), ("红联北村平房区", (6, 4, 2, 1))],
    ),
    "13800000003": (
        "师大北路第一网格",
        [("西土城路8号院", (7, 6, 4, 2, 1)), ("师大北路小区", (9,))],
    ),
}
# (compound, days ago, item, note)
FINDINGS = [
    ("红联北村", 2, "street_lights", "5号楼北侧路灯不亮，晚上老人出门看不清台阶。"),
    ("西土城路8号院", 4, "flyposting", "2号楼单元门和配电箱上贴满开锁、通下水道小广告。"),
]


def _at(day, hour: int, minute: int) -> datetime:
    return to_utc(datetime.combine(day, time(hour, minute)))


def _grids() -> None:
    """Each community's grids cover its compounds (the first grid all of them) until an
    admin sets otherwise."""
    for community in db.session.scalars(select(Community).order_by(Community.id)):
        grids = list(db.session.scalars(select(Grid).filter_by(community_id=community.id)))
        if grids and not any(g.compounds for g in grids):
            grids[0].compounds = list(
                db.session.scalars(select(Compound).filter_by(community_id=community.id))
            )
    db.session.flush()


def _walk(worker: User, grid: Grid, plan, now: datetime) -> None:
    today = local_date(now)
    findings = {(c, d): (item, note) for c, d, item, note in FINDINGS}
    days = sorted({d for _name, ds in plan for d in ds}, reverse=True)
    compounds = {c.name: c for c in grid.compounds}
    for ago in days:
        day = today - timedelta(days=ago)
        minute = 0
        for name, walked in plan:
            compound = compounds.get(name)
            if compound is None or ago not in walked:
                continue
            arrived = _at(day, 9, minute + (ago * 7) % 11)
            visit = services.arrive(worker, grid, compound.id, now=arrived)
            stay = 14 + (ago * 5 + len(name)) % 13
            for i, item in enumerate(items_for(compound)):
                at = arrived + timedelta(minutes=1 + i)
                found = findings.get((name, ago))
                if found and found[0] == item.code:
                    check = services.check(worker, visit, item.code, False, found[1], now=at)
                    # The case was logged at the moment it was found, not now.
                    db.session.get(Case, check.case_id).created_at = at
                    for event in db.session.scalars(
                        select(CaseEvent).filter_by(case_id=check.case_id)
                    ):
                        event.at = at
                    db.session.flush()
                else:
                    services.check(worker, visit, item.code, True, now=at)
            services.leave(worker, visit, now=arrived + timedelta(minutes=stay))
            minute += stay + 12


def load() -> None:
    _grids()
    now = utcnow()
    walked = False
    for phone, (grid_name, plan) in WALKS.items():
        worker = db.session.scalar(select(User).filter_by(phone=phone))
        grid = db.session.scalar(select(Grid).filter_by(name=grid_name))
        if worker is None or grid is None or grid.worker_id != worker.id:
            continue
        if db.session.scalar(
            select(func.count()).select_from(Patrol).where(Patrol.worker_id == worker.id)
        ):
            continue
        _walk(worker, grid, plan, now)
        walked = True
    if walked:
        # The findings' cases moved back to the days they were found: count them there.
        from coordinator.hotspots import demo as hotspots_demo

        hotspots_demo.load()
