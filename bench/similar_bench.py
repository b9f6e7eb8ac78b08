"""How long does the similar-cases lookup take at a million cases? (issue 10: ≤ 20 ms)

    DATABASE_URL=sqlite:////tmp/h3/cases-1m.db .venv/bin/python bench/similar_bench.py [rounds]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/h3_bench \\
        .venv/bin/python bench/similar_bench.py [rounds] [--plan]

Run it on a COPY of the seeded database (bench/seed_cases.py; then `flask db upgrade` for the
partial indexes of migration j3c0f6d7e8a9). It only reads. Each round times similar.find() as
the intake panel calls it, for: the busiest building and category, the busiest compound (no
building chosen), a quiet building, a building and a compound with no cases at all, each with
and without a description to score, as admin (every case) and as the busiest community's staff
(scoped), and the public /report lookup. Prints p50 / p95 / max per scenario and over all, and
with --plan the database's plan of each statement shape.
"""

import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordinator import create_app  # noqa: E402
from coordinator.config import Config  # noqa: E402

if not os.environ.get("DATABASE_URL"):
    sys.exit("set DATABASE_URL to a copy of the seeded database")

app = create_app(Config)

from sqlalchemy import func, select  # noqa: E402

from coordinator.cases import similar  # noqa: E402
from coordinator.cases.models import Case  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.places.models import Building, Compound  # noqa: E402


def pick():
    """The places the scenarios look at, found once (this is not timed)."""
    busiest = db.session.execute(
        select(Case.building_id, Case.category, Case.compound_id, Case.community_id, func.count())
        .where(Case.building_id.is_not(None))
        .group_by(Case.building_id, Case.category, Case.compound_id, Case.community_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    compound = db.session.execute(
        select(Case.compound_id, Case.community_id, func.count())
        .group_by(Case.compound_id, Case.community_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    quiet = db.session.execute(
        select(Case.building_id, Case.category, Case.compound_id, func.count())
        .where(Case.building_id.is_not(None))
        .group_by(Case.building_id, Case.category, Case.compound_id)
        .order_by(func.count())
        .limit(1)
    ).one()
    # A place with no cases: a real building and compound if the data has one, else ids no
    # row has (the index walk is the same: it finds nothing).
    empty_building = db.session.scalar(
        select(Building.id).where(~select(Case.id).where(Case.building_id == Building.id).exists())
    ) or (db.session.scalar(select(func.max(Building.id))) + 1000)
    empty_compound = db.session.scalar(
        select(Compound.id).where(~select(Case.id).where(Case.compound_id == Compound.id).exists())
    ) or (db.session.scalar(select(func.max(Compound.id))) + 1000)
    return busiest, compound, quiet, empty_building, empty_compound


def scenarios():
    busiest, compound, quiet, empty_building, empty_compound = pick()
    admin = SimpleNamespace(role="admin", id=None, community_id=None, team_id=None)
    staff = SimpleNamespace(role="staff", id=None, community_id=busiest[3], team_id=None)
    texts = {"no text": "", "text": "厨房下水道反水，已经三天了"}
    places = {
        f"busiest building ({busiest[4]:,} cases of {busiest[1]})": dict(
            compound_id=busiest[2], building_id=busiest[0], category=busiest[1]
        ),
        f"busiest compound, no building ({compound[2]:,} cases)": dict(
            compound_id=compound[0], building_id=None, category="drain"
        ),
        f"quiet building ({quiet[3]:,} cases of {quiet[1]})": dict(
            compound_id=quiet[2], building_id=quiet[0], category=quiet[1]
        ),
        "building with no cases": dict(
            compound_id=busiest[2], building_id=empty_building, category="drain"
        ),
        "compound with no cases": dict(
            compound_id=empty_compound, building_id=None, category="drain"
        ),
    }
    out = []
    for place_name, place in places.items():
        for text_name, text in texts.items():
            for who_name, who in (("admin", admin), ("staff", staff)):
                out.append(
                    (f"{place_name} · {text_name} · {who_name}", who, dict(place, description=text))
                )
        out.append((f"{place_name} · public /report", None, dict(place, public=True)))
    return out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    rounds = int(next((a for a in sys.argv[1:] if a.isdigit()), "200"))
    with app.app_context(), app.test_request_context():
        db.session.execute(select(1))
        print(f"{db.engine.dialect.name}: {db.session.scalar(select(func.count(Case.id))):,} cases")
        cases = scenarios()
        if "--plan" in sys.argv:
            show_plans(cases)
        for _name, who, args in cases:  # warm: statements built and cached, pages in memory
            similar.find(who, **args)
        every = []
        rows = []
        for name, who, args in cases:
            times = []
            found = 0
            cpu = time.process_time()
            for _ in range(rounds):
                start = time.perf_counter()
                found = len(similar.find(who, **args))
                times.append((time.perf_counter() - start) * 1000)
            cpu = (time.process_time() - cpu) * 1000 / rounds  # this process's CPU, not the DB's
            db.session.rollback()  # each lookup is one request's: no transaction held over
            every += times
            rows.append((name, found, statistics.median(times), pct(times, 95), max(times), cpu))
        width = max(len(r[0]) for r in rows)
        print(f"{'scenario':<{width}}  found   p50 ms   p95 ms   max ms   cpu ms")
        for name, found, p50, p95, top, cpu in rows:
            print(f"{name:<{width}}  {found:>5}  {p50:7.2f}  {p95:7.2f}  {top:7.2f}  {cpu:7.2f}")
        print(
            f"{'ALL (' + str(len(every)) + ' lookups)':<{width}}         "
            f"{statistics.median(every):7.2f}  {pct(every, 95):7.2f}  {max(every):7.2f}"
        )


def show_plans(cases):
    """The database's plan for each statement shape (one per building/text/public shape)."""
    seen = set()
    for name, who, args in cases:
        public = args.get("public", False)
        role = "public" if public else who.role
        shape = (role, bool(args["building_id"]), bool(args.get("description")))
        if shape in seen:
            continue
        seen.add(shape)
        stmt = similar.statement(role, *shape[1:], 3 if public else 5)
        prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        params = {
            "exclude": 0,
            "since": datetime(2026, 9, 1),
            "compound": args["compound_id"],
            "building": args["building_id"],
            "category": args["category"],
            "actor_community": getattr(who, "community_id", None),
            "actor_id": None,
            "actor_team": None,
        }
        compiled = stmt.compile(db.engine)
        if compiled.positional:
            values = tuple(params.get(k, compiled.params[k]) for k in compiled.positiontup)
        else:
            values = {k: params.get(k, v) for k, v in compiled.params.items()}
        rows = db.session.connection().exec_driver_sql(prefix + str(compiled), values).all()
        print(f"-- plan: {name}")
        for row in rows:
            print("   ", " | ".join(str(c) for c in row))


if __name__ == "__main__":
    main()
