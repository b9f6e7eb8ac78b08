"""How long does launching a campaign over 100 compounds take? (issue 11: ≤ 2 s)

    .venv/bin/python bench/campaign_bench.py [runs]                 # a fresh SQLite file
    BENCH_DB=postgres .venv/bin/python bench/campaign_bench.py [runs]  # a fresh PostgreSQL
        database campaign_bench on $PGHOST:$PGPORT (127.0.0.1:5432, user postgres),
        made here and dropped at the end

Seeds (not timed) one community of 100 old compounds with 20 other teams of other skills and
one drain team covering the community (lead with a phone), then times
`campaigns.services.launch` as the form calls it: 100 compounds chosen by the targets rule,
each a case dispatched by matching (no team chosen: the best match per compound), plus the
targets and the team's one text, in one unit of work; and once more with the team chosen.
Each run is its own campaign on the same seed. Prints median / min / max wall ms and the SQL
statements of a run.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
PG = os.environ.get("BENCH_DB") == "postgres"
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")
PGNAME = "campaign_bench"

tmp = tempfile.TemporaryDirectory()
if PG:
    subprocess.run(["dropdb", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "--if-exists", PGNAME])
    subprocess.run(["createdb", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, PGNAME], check=True)
    os.environ["DATABASE_URL"] = f"postgresql+psycopg://{PGUSER}@{PGHOST}:{PGPORT}/{PGNAME}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/campaign.db"
os.environ.setdefault("SECRET_KEY", "bench")

from coordinator import create_app  # noqa: E402
from coordinator.config import Config  # noqa: E402

app = create_app(Config)

from sqlalchemy import event  # noqa: E402

from coordinator.auth.models import User  # noqa: E402
from coordinator.campaigns import services, targets  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.places.models import Community, Compound, Subdistrict  # noqa: E402
from coordinator.teams.models import Team, TeamMember, TeamSkill  # noqa: E402
from coordinator.teams.services import refresh_search_text  # noqa: E402


def seed():
    db.create_all()
    subdistrict = Subdistrict(name="北太平庄街道")
    community = Community(subdistrict=subdistrict, name="测试社区")
    db.session.add_all([subdistrict, community])
    db.session.flush()
    db.session.add_all(
        Compound(community_id=community.id, name=f"小区{i:03d}", year_built=1980 + i % 20)
        for i in range(100)
    )
    for i in range(20):
        other = Team(name=f"其他队{i}", kind="property", capacity=50)
        other.skills = [TeamSkill(skill="lights")]
        other.communities = [community]
        db.session.add(other)
    team = Team(name="疏通队", kind="property", capacity=100_000)
    team.skills = [TeamSkill(skill="drain")]
    team.communities = [community]
    team.members = [TeamMember(name="队长", phone="13900000001", is_lead=True)]
    db.session.add(team)
    admin = User(name="管理员", phone="13800000001", role="admin")
    admin.set_password("demo1234")
    db.session.add(admin)
    db.session.flush()
    for t in db.session.query(Team):
        refresh_search_text(t.id)
    db.session.commit()
    return admin.id, team.id


def run(admin_id, team_id, chosen: bool):
    admin = db.session.get(User, admin_id)
    rule = targets.Targets(old=True)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    start = time.perf_counter()
    compounds = targets.compounds(rule, admin)
    work = services.Work(
        title="主立管疏通专项行动", category="drain", team_id=team_id if chosen else None
    )
    campaign = services.launch(admin, work, compounds, criteria=rule)
    ms = (time.perf_counter() - start) * 1000
    event.remove(engine, "before_cursor_execute", count)
    assert len(campaign.targets) == 100
    db.session.remove()
    return ms, len(statements)


def main():
    with app.app_context():
        admin_id, team_id = seed()
        print(f"database: {db.engine.dialect.name}; {RUNS} runs of 100 compounds each")
        for chosen in (False, True):
            results = [run(admin_id, team_id, chosen) for _ in range(RUNS)]
            times = [r[0] for r in results]
            label = "team chosen" if chosen else "matching"
            print(
                f"  {label:12s} median {statistics.median(times):7.0f} ms  "
                f"min {min(times):6.0f}  max {max(times):6.0f}  "
                f"statements {results[-1][1]}  (target ≤ 2000 ms: "
                f"{'met' if statistics.median(times) <= 2000 else 'MISSED'})"
            )
        db.session.remove()
        db.engine.dispose()
    if PG:
        subprocess.run(["dropdb", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, PGNAME])


main()
