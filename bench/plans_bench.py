"""`flask plans run` over 1,000 plans, on a fresh SQLite file and a fresh PostgreSQL database.

    .venv/bin/python bench/plans_bench.py                 # both; PostgreSQL on 127.0.0.1:5432
    BENCH_BACKENDS=sqlite .venv/bin/python bench/plans_bench.py
    BENCH_PLANS=1000 BENCH_DUE=100 BENCH_DB_PREFIX=bench .venv/bin/python bench/plans_bench.py

What it does, per backend:
1. a fresh database (db.create_all), ~100 compounds in 10 communities, one drain team covering
   every community (room for all the work);
2. BENCH_PLANS plans, each targeting one compound (so one case per created occurrence), on
   mixed rules (monthly, every 2 weeks, every 6 months, yearly, daily): BENCH_DUE of them start
   in two days with seven days' lead (due now, never run); the others started in 2024 and have
   already run every occurrence due now (their run rows are seeded as the scheduler would have
   left them), so they are not due until a later date;
3. times `services.run_due()` (what `flask plans run` calls) twice: the run where BENCH_DUE are
   due (each a campaign, a dispatched case, a text to the team) and a run right after, where none
   are; counts the SQL statements of each.
Prints one JSON line per run and writes them to bench/out/<time>-plans.json.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", f"bench-{secrets.token_hex(8)}")

from sqlalchemy import event, insert  # noqa: E402

from coordinator import create_app  # noqa: E402
from coordinator.campaigns.targets import Targets  # noqa: E402
from coordinator.config import Config  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402
from coordinator.places.models import Community, Compound, Subdistrict  # noqa: E402
from coordinator.plans import schedule, services  # noqa: E402
from coordinator.plans.models import Plan, PlanRun  # noqa: E402
from coordinator.teams.models import Team, TeamSkill  # noqa: E402

PLANS = int(os.environ.get("BENCH_PLANS", 1000))
DUE = int(os.environ.get("BENCH_DUE", 100))
COMPOUNDS = 100
RULES = [
    "FREQ=MONTHLY",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "FREQ=MONTHLY;INTERVAL=6",
    "FREQ=YEARLY",
    "FREQ=DAILY",
]
PG = "postgresql+psycopg://{user}@{host}:{port}".format(
    user=os.environ.get("PGUSER", "postgres"),
    host=os.environ.get("PGHOST", "127.0.0.1"),
    port=os.environ.get("PGPORT", "5432"),
)
PG_ARGS = ["-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432")]
PG_ARGS += ["-U", os.environ.get("PGUSER", "postgres")]


def app_for(url: str):
    settings = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=os.environ["SECRET_KEY"])
    settings.update(PLANS_EVERY_SECONDS=0, NOTIFY_WORKER=False)
    return create_app(settings)


def seed(now: datetime) -> None:
    db.create_all()
    sub = Subdistrict(name="北太平庄街道")
    db.session.add(sub)
    communities = [Community(subdistrict=sub, name=f"社区{i}") for i in range(10)]
    db.session.add_all(communities)
    db.session.flush()
    compounds = [
        Compound(community=communities[i % 10], name=f"小区{i}", year_built=1980 + i % 40)
        for i in range(COMPOUNDS)
    ]
    db.session.add_all(compounds)
    team = Team(name="管道队", kind="property", capacity=1_000_000, phone="01062020001")
    team.skills = [TeamSkill(skill="drain")]
    team.communities = communities
    db.session.add(team)
    db.session.flush()
    plans, runs = [], []
    for i in range(PLANS):
        rule = RULES[i % len(RULES)]
        due_now = i < DUE
        starts = (
            now + timedelta(days=2) if due_now else datetime(2024, 1, 1, 1) + timedelta(hours=i)
        )
        plans.append(
            {
                "title": f"计划{i}",
                "category": "drain",
                "criteria": Targets(compounds=(compounds[i % COMPOUNDS].id,)).to_json(),
                "team_id": team.id,
                "trigger": "schedule",
                "rrule": rule,
                "starts_at": starts,
                "lead_days": 7,
                "active": True,
                "instructions": "",
                "checklist": "",
                "tier": "general",
                "warning_kinds": "",
                "min_level": "blue",
                "version": 1,
                "created_at": now,
            }
        )
    db.session.execute(insert(Plan), plans)
    for plan_id, rule, starts, lead in db.session.execute(
        db.select(Plan.id, Plan.rrule, Plan.starts_at, Plan.lead_days).where(Plan.starts_at < now)
    ):
        found = schedule.due(rule, starts, lead, None, now)
        runs += services.missed_rows(plan_id, found.missed + found.work, now)
    for start in range(0, len(runs), 5000):
        db.session.execute(insert(PlanRun), runs[start : start + 5000])
    db.session.commit()
    return len(runs)


def timed(engine, now) -> dict:
    count = {"n": 0}

    def before(*_args):
        count["n"] += 1

    event.listen(engine, "before_cursor_execute", before)
    began = time.perf_counter()
    report = services.run_due(now=now)
    wall = time.perf_counter() - began
    event.remove(engine, "before_cursor_execute", before)
    return {
        "plans": report.plans,
        "created": report.created,
        "missed": report.missed,
        "failed": report.failed,
        "wall_s": round(wall, 3),
        "statements": count["n"],
        "per_plan_ms": round(wall * 1000 / max(report.plans, 1), 3),
        "per_created_ms": round(wall * 1000 / report.created, 1) if report.created else None,
    }


def bench(backend: str, url: str) -> list[dict]:
    app = app_for(url)
    now = utcnow()
    out = []
    with app.app_context():
        began = time.perf_counter()
        seeded_runs = seed(now)
        seeded = time.perf_counter() - began
        schedule.rule_for.cache_clear()  # the first run compiles every rule, as a fresh worker
        for label in (f"{DUE} due", "none due"):
            row = {
                "backend": backend,
                "run": label,
                "seeded_runs": seeded_runs,
                "seed_s": round(seeded, 1),
                **timed(db.engine, now),
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)
            out.append(row)
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    rows = []
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            rows += bench("sqlite", f"sqlite:///{folder}/plans.db")
    if "postgresql" in backends:
        name = f"{os.environ.get('BENCH_DB_PREFIX', 'bench')}_plans_{os.getpid()}"
        subprocess.run(["createdb", *PG_ARGS, name], check=True)
        try:
            rows += bench("postgresql", f"{PG}/{name}")
        finally:
            subprocess.run(["dropdb", *PG_ARGS, "--if-exists", name], check=True)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}-plans.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=1)
    )


if __name__ == "__main__":
    main()
