"""Seed the app's database for the benchmark: the demo story, then 2,000 teams, 20,000 members.

Run with DATABASE_URL pointing at a fresh, migrated database (bench/run.sh does both).
Rows go in with bulk INSERTs (executemany), a few thousand at a time; the same seed every run.
"""

import random
import sys
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.categories import CATEGORIES  # noqa: E402
from coordinator.demo import story  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402
from coordinator.places.models import Community  # noqa: E402
from coordinator.teams.models import (  # noqa: E402
    KINDS,
    Team,
    TeamMember,
    TeamSkill,
    search_text_update,
    team_communities,
)

TEAMS = 2_000
MEMBERS_PER_TEAM = 10  # 20,000 members
CHUNK = 5_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PLACES = ["海淀", "西城", "朝阳", "昌平", "北太平庄", "学院路", "蓟门", "牡丹园"]
SUFFIX = ["物业服务队", "维修组", "志愿服务队", "保洁公司", "园林队", "水电工作室"]


def chunks(rows):
    for k in range(0, len(rows), CHUNK):
        yield rows[k : k + CHUNK]


def seed() -> dict:
    rnd = random.Random(2)
    story.load()
    db.session.commit()
    communities = list(db.session.scalars(select(Community.id)))
    start = db.session.scalar(select(func.coalesce(func.max(Team.id), 0))) + 1
    now = utcnow()
    kinds, skills = list(KINDS), list(CATEGORIES)
    teams, team_skills, covers, members = [], [], [], []
    for i in range(TEAMS):
        team_id = start + i
        teams.append(
            dict(
                id=team_id,
                name=f"{rnd.choice(PLACES)}{rnd.choice(SUFFIX)}{i:04d}",
                kind=rnd.choice(kinds),
                phone=f"010-6{rnd.randrange(10**7):07d}",
                capacity=rnd.randint(1, 20),
                description="",
                active=rnd.random() > 0.1,
                created_at=now,
            )
        )
        team_skills += [
            dict(team_id=team_id, skill=s) for s in rnd.sample(skills, rnd.randint(1, 4))
        ]
        covers += [
            dict(team_id=team_id, community_id=c)
            for c in rnd.sample(communities, rnd.randint(1, 3))
        ]
        for m in range(MEMBERS_PER_TEAM):
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + ("师傅" if m % 3 == 0 else "")
            members.append(
                dict(
                    team_id=team_id,
                    name=name,
                    phone=f"13{rnd.randrange(10**9):09d}",
                    is_lead=m == 0,
                )
            )
    for table, rows in (
        (Team.__table__, teams),
        (TeamSkill.__table__, team_skills),
        (team_communities, covers),
        (TeamMember.__table__, members),
    ):
        for part in chunks(rows):
            db.session.execute(insert(table), part)
    # Core INSERTs bypass the flush that keeps search_text: fill it as the migration does.
    db.session.execute(search_text_update())
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Explicit ids bypass the sequence; move it past them so the app can add teams.
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('teams', 'id'), (SELECT max(id) FROM teams))"
            )
        )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {
        "teams": db.session.scalar(select(func.count()).select_from(Team)),
        "members": db.session.scalar(select(func.count()).select_from(TeamMember)),
    }


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        counts = seed()
    print(f"seeded: {counts['teams']} teams, {counts['members']} members")
