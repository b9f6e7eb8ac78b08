"""Seed the app's database for the board benchmark: the demo story, then 1,000,000 cases.

Run with DATABASE_URL pointing at a fresh, migrated database (bench/run_board.sh does both).
Rows go in through the driver, not the ORM: SQLite executemany in chunks of 20,000 inside one
transaction (synchronous off for the seed), PostgreSQL COPY FROM STDIN. Same seed every run.

Shape: five years of cases, newest last; 30 % in 红联北村社区 (the staff member the bench signs
in as), the rest spread over the other communities; 97 % closed or void, the rest open in every
status, some overdue; all the demo's teams. Only the cases table is filled (no events, visits
or photos): the board reads nothing else.
"""

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.cases import records, workflow  # noqa: E402
from coordinator.cases.models import CHANNELS, Case  # noqa: E402
from coordinator.categories import CATEGORIES  # noqa: E402
from coordinator.demo import story  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402
from coordinator.places.models import Building, Community, Compound, Entrance  # noqa: E402
from coordinator.teams.models import Team  # noqa: E402

CASES = 1_000_000
CHUNK = 20_000
HOME = "红联北村社区"
WORDS = [
    "厨房下水道堵塞",
    "卫生间漏水",
    "楼道灯不亮",
    "暖气不热",
    "树枝压线",
    "井盖松动",
    "垃圾未清运",
    "电梯异响",
    "外墙脱落",
    "路面积水",
    "共享单车堆放",
    "噪音扰民",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
OPEN = [
    "received",
    "dispatched",
    "accepted",
    "in_progress",
    "extended",
    "parked",
    "handled",
    "verified",
    "callback",
    "reopened",
    "returned",
]
COLUMNS = [
    "id",
    "category",
    "tier",
    "channel",
    "hotline_ticket",
    "community_id",
    "compound_id",
    "building_id",
    "entrance_id",
    "floor",
    "household",
    "reporter_name",
    "reporter_phone",
    "description",
    "status",
    "team_id",
    "created_at",
    "dispatched_at",
    "accepted_at",
    "due_at",
    "handled_at",
    "closed_at",
    "updated_at",
    "tracking_token",
    "root_cause",
    "follow_up",
    "created_by_id",
    "affects_building",
]


def places() -> dict[int, list[tuple]]:
    """community id → [(compound, building, entrance)] from the demo's places."""
    rows = db.session.execute(
        select(Community.id, Compound.id, Building.id, Entrance.id)
        .join(Compound, Compound.community_id == Community.id)
        .outerjoin(Building, Building.compound_id == Compound.id)
        .outerjoin(Entrance, Entrance.building_id == Building.id)
    ).all()
    out: dict[int, list[tuple]] = {}
    for community, compound, building, entrance in rows:
        out.setdefault(community, []).append((compound, building, entrance))
    return out


def rows(start_id: int):
    rnd = random.Random(3)
    where = places()
    home = db.session.scalar(select(Community.id).where(Community.name == HOME))
    others = [c for c in where if c != home]
    teams = list(db.session.scalars(select(Team.id).where(Team.active.is_(True))))
    categories, channels = list(CATEGORIES), list(CHANNELS)
    now = utcnow()
    span = timedelta(days=5 * 365).total_seconds()
    for i in range(CASES):
        community = home if rnd.random() < 0.3 else rnd.choice(others)
        compound, building, entrance = rnd.choice(where[community])
        created = now - timedelta(seconds=span * (1 - i / CASES))
        status = (
            rnd.choice(OPEN)
            if rnd.random() < 0.03
            else ("closed" if rnd.random() < 0.95 else "void")
        )
        team = None if status in ("received", "void") else rnd.choice(teams)
        dispatched = created + timedelta(minutes=20) if team else None
        accepted = due = handled = closed = None
        if status not in ("received", "void", "dispatched", "returned"):
            accepted = created + timedelta(hours=1)
            # A few open cases run late: the board shows them as overdue.
            due = accepted + timedelta(hours=rnd.choice((2, 24, 168)))
            if status in workflow.ON_THE_CLOCK and rnd.random() < 0.3:
                due = now - timedelta(hours=rnd.randint(1, 72))
        if status in ("handled", "verified", "callback", "closed"):
            handled = created + timedelta(hours=rnd.randint(2, 72))
        if status == "closed":
            closed = handled + timedelta(days=1)
        yield (
            start_id + i,
            rnd.choice(categories),
            rnd.choice(("general", "general", "utilities", "emergency", "complex")),
            rnd.choice(channels),
            "",
            community,
            compound,
            building,
            entrance,
            rnd.randint(1, 6) if building else None,
            "",
            rnd.choice(SURNAMES) + rnd.choice(("阿姨", "先生", "女士", "大爷")),
            f"139{rnd.randrange(10**8):08d}",
            rnd.choice(WORDS),
            status,
            team,
            created,
            dispatched,
            accepted,
            due,
            handled,
            closed,
            created,
            f"bench{start_id + i:027d}",
            "",
            "",
            None,
            False,
        )


def seed_sqlite(start_id: int) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        sql = f"INSERT INTO cases ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        batch = []
        for row in rows(start_id):
            batch.append(row)
            if len(batch) == CHUNK:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def seed_postgres(start_id: int) -> None:
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY cases ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows(start_id):
                    copy.write_row(row)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )
        raw.commit()
    finally:
        raw.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE cases"))


def seed() -> int:
    story.load()
    db.session.commit()
    from coordinator.cases import demo as cases_demo

    cases_demo.load()
    db.session.commit()
    start = db.session.scalar(select(func.coalesce(func.max(Case.id), 0))) + 1
    db.session.close()
    (seed_postgres if db.engine.dialect.name == "postgresql" else seed_sqlite)(start)
    # The rows went in around the ORM: work out matching's per-team figures from them.
    records.refresh(db.session.connection())
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Case))


if __name__ == "__main__":
    began = time.perf_counter()
    app = create_app()
    with app.app_context():
        count = seed()
    print(f"seeded: {count:,} cases in {time.perf_counter() - began:.0f} s")
