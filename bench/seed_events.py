"""Seed the app's database for the events-list benchmark: the demo story, then 100,000 events.

Run with DATABASE_URL pointing at a fresh, migrated database (bench/run_events.sh does both).
Five years of events across the communities, 98 % in the past (done, some cancelled), the rest
coming up (published, some drafts); two roles each. Bulk INSERTs (executemany) in chunks; the
same seed every run.
"""

import random
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.auth.models import User  # noqa: E402
from coordinator.demo import story  # noqa: E402
from coordinator.events.models import KINDS, Event, EventRole  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402
from coordinator.places.models import Community  # noqa: E402

EVENTS = 100_000
CHUNK = 10_000
PLACES = ["车棚", "小广场", "居委会门口", "东门", "北侧绿地", "3号楼下"]
WHAT = ["环境清扫", "废弃自行车清理", "旧物回收兑换", "通知发放", "陪同老人就医", "楼道清理"]


def seed() -> dict:
    rnd = random.Random(4)
    story.load()
    db.session.commit()
    communities = list(db.session.scalars(select(Community.id)))
    organisers = list(db.session.scalars(select(User.id).where(User.role.in_(("staff", "admin")))))
    start = db.session.scalar(select(func.coalesce(func.max(Event.id), 0))) + 1
    now = utcnow().replace(second=0, microsecond=0)
    kinds = list(KINDS)
    events, roles = [], []
    for i in range(EVENTS):
        event_id = start + i
        upcoming = rnd.random() < 0.02
        if upcoming:
            starts = now + timedelta(hours=rnd.randint(2, 60 * 24))
            status = "published" if rnd.random() < 0.8 else "draft"
        else:
            starts = now - timedelta(hours=rnd.randint(24, 5 * 365 * 24))
            status = "done" if rnd.random() < 0.95 else "cancelled"
        events.append(
            dict(
                id=event_id,
                uid=f"{uuid.uuid4()}@bench",
                kind=rnd.choice(kinds),
                title=f"{rnd.choice(WHAT)}{i:06d}",
                community_id=rnd.choice(communities),
                starts_at=starts,
                ends_at=starts + timedelta(hours=rnd.choice((2, 3, 4))),
                meeting_place=rnd.choice(PLACES),
                organiser_id=rnd.choice(organisers),
                description="",
                status=status,
                cancel_reason="",
                sequence=1,
                claim_days=15,
                notice_text="",
                created_at=starts - timedelta(days=7),
                updated_at=starts - timedelta(days=7),
            )
        )
        for position, (name, capacity) in enumerate((("搬运", 8), ("清扫", 6))):
            confirmed = rnd.randint(0, capacity)
            roles.append(
                dict(
                    event_id=event_id,
                    name=name,
                    capacity=capacity,
                    confirmed_count=confirmed,
                    waitlist_seq=0,
                    position=position,
                )
            )
    for table, rows in ((Event.__table__, events), (EventRole.__table__, roles)):
        for k in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[k : k + CHUNK])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval('events_id_seq', (SELECT max(id) FROM events))"))
        db.session.commit()
    with db.engine.connect() as conn:  # fresh statistics for the planner
        # VACUUM too: the list reads its ids by index-only scans, which need the visibility map
        # (autovacuum keeps it in a live database).
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        )
    return {
        "events": len(events),
        "roles": len(roles),
        "upcoming": sum(1 for e in events if e["starts_at"] > now),
    }


if __name__ == "__main__":
    with create_app().app_context():
        print("seeded:", seed())
