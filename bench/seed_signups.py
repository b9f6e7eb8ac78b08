"""Seed the app's database for sign-ups: volunteers (bulk INSERT) and published drives.

    DATABASE_URL=... python bench/seed_signups.py    # what bench/compare.sh seeds (any database)

The demo story, VOLUNTEERS volunteers of 师大北路社区 (phones 177xxxxxxxx, one password hash
shared: nobody signs in with it, the benches make their session cookies) and DRIVES published
drives there, far enough ahead that a database seeded today is still open for sign-up months
later, each with two roles of CAPACITY places. bench/cpu_compare.py signs up 4 × CAPACITY
volunteers per drive, half to each role: half get a seat (with its reminders), half a place
on the waitlist. bench/signup_bench.py uses the two helpers for its own drive.
"""

import secrets
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.auth.models import User  # noqa: E402
from coordinator.demo import story  # noqa: E402
from coordinator.events.models import Event, EventRole  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402
from coordinator.places.models import Community  # noqa: E402

VOLUNTEERS = 2_000
DRIVES = 160  # cpu_compare.py takes 4 a round per tree (a warm-up and 3 runs): 40 rounds
CAPACITY = 20
COMMUNITY = "师大北路社区"
ORGANISER = "13800000003"


def add_volunteers(count: int, community_id: int) -> None:
    """`count` volunteers, phones 177 + their number; one password hash shared."""
    template = User(name="x", phone="x", role="volunteer")
    template.set_password(secrets.token_hex(8))
    now = utcnow()
    rows = [
        dict(
            name=f"志愿者{i:05d}",
            phone=f"177{i:08d}",
            role="volunteer",
            community_id=community_id,
            password_hash=template.password_hash,
            locale="",
            active=True,
            created_at=now,
        )
        for i in range(count)
    ]
    for k in range(0, len(rows), 5_000):
        db.session.execute(insert(User.__table__), rows[k : k + 5_000])


def add_drive(community_id: int, organiser_id: int, starts_at, title: str, roles) -> Event:
    """A published bike drive of three hours with `roles` ((name, capacity), ...)."""
    now = utcnow()
    event = Event(
        title=title,
        kind="bike_drive",
        community_id=community_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        meeting_place="车棚",
        organiser_id=organiser_id,
        status="published",
        sequence=1,
        claim_days=15,
        description="",
        published_at=now,
        created_at=now,
        updated_at=now,
    )
    event.roles = [
        EventRole(name=name, capacity=capacity, position=i, confirmed_count=0, waitlist_seq=0)
        for i, (name, capacity) in enumerate(roles)
    ]
    db.session.add(event)
    return event


def place_ids() -> tuple[int, int]:
    """The community the volunteers live in and the organiser of the drives (the demo's)."""
    community = db.session.scalar(select(Community.id).where(Community.name == COMMUNITY))
    organiser = db.session.scalar(select(User.id).where(User.phone == ORGANISER))
    return community, organiser


def seed() -> dict:
    story.load()
    db.session.commit()
    community, organiser = place_ids()
    add_volunteers(VOLUNTEERS, community)
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=400)
    for k in range(DRIVES):
        add_drive(
            community,
            organiser,
            start + timedelta(hours=4 * k),
            f"报名测试{k:03d}：车棚清理",
            (("搬运", CAPACITY), ("清扫", CAPACITY)),
        )
    db.session.commit()
    return {"volunteers": VOLUNTEERS, "drives": DRIVES, "capacity per role": CAPACITY}


if __name__ == "__main__":
    with create_app().app_context():
        print("seeded:", seed())
