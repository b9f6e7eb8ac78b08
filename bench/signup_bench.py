"""Sign-up throughput on PostgreSQL with many clients, then a check that nothing was lost.

    .venv/bin/python bench/signup_bench.py     # a fresh database on 127.0.0.1:5432, dropped after
    BENCH_DURATION=10s BENCH_CONNECTIONS=64 BENCH_WORKERS=4 .venv/bin/python bench/signup_bench.py

What it does, start to end:
1. createdb bench_signup_<pid>, `flask db upgrade`, the demo story (places and people), then
   VOLUNTEERS volunteers (bulk INSERT, one password hash shared) and one published drive with
   ROLES roles of CAPACITY places each (fewer places than sign-ups, so the waitlist is used);
2. a session cookie and CSRF token per volunteer, made with the app's own signing (as if each had
   signed in), written for bench/signup.lua: volunteer i signs up for role i % ROLES; every
   BENCH_DUP_EVERY-th request repeats an earlier volunteer on another role (must be a 409);
3. gunicorn (--pid, stopped by that pid) and `wrk -t2 -cN -dD` with bench/signup.lua;
4. the verdict from the database: per role, confirmed == min(capacity, sign-ups) and the
   counter agrees with the rows, waitlist positions 1..k without gaps or repeats, no
   (event, user) twice, and as many active sign-ups as 302 answers (none lost, none invented).
Prints one JSON line of figures and writes it to bench/out/<time>-signup.json.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgresql+psycopg://{user}@{host}:{port}".format(
    user=os.environ.get("PGUSER", "postgres"),
    host=os.environ.get("PGHOST", "127.0.0.1"),
    port=os.environ.get("PGPORT", "5432"),
)
PG_ARGS = [
    "-h",
    os.environ.get("PGHOST", "127.0.0.1"),
    "-p",
    os.environ.get("PGPORT", "5432"),
    "-U",
    os.environ.get("PGUSER", "postgres"),
]
DB_NAME = f"bench_signup_{os.getpid()}"
# The app's config reads these when it is imported.
os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
os.environ["SECRET_KEY"] = f"bench-{secrets.token_hex(8)}"

from seed_signups import add_drive, add_volunteers, place_ids  # noqa: E402

from coordinator import create_app  # noqa: E402
from coordinator.auth.models import User, session_id  # noqa: E402
from coordinator.demo import story  # noqa: E402
from coordinator.events.models import EventRole, Signup  # noqa: E402
from coordinator.extensions import db  # noqa: E402
from coordinator.i18n import utcnow  # noqa: E402

BIN = ROOT / ".venv" / "bin"
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 12_000))
ROLES = int(os.environ.get("BENCH_ROLES", 4))
CAPACITY = int(os.environ.get("BENCH_CAPACITY", 60))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 64))
THREADS = int(os.environ.get("BENCH_THREADS", 2))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
DUP_EVERY = int(os.environ.get("BENCH_DUP_EVERY", 20))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(master: int) -> float:
    """User + system CPU of a gunicorn master's workers (the master itself sleeps)."""
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def postgres_cpu_seconds(database: str) -> float:
    """User + system CPU of the PostgreSQL backends serving this database (same host only)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (
                f" {database} ".encode()
                not in (proc / "cmdline").read_bytes().replace(b"\0", b" ") + b" "
            ):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone, or not ours to read
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def seed(app) -> tuple[int, list[tuple[int, int]]]:
    """Volunteers and one published drive; returns the event id and its (role id, capacity)."""
    with app.app_context():
        story.load()
        db.session.commit()
        community, organiser = place_ids()
        add_volunteers(VOLUNTEERS, community)
        event = add_drive(
            community,
            organiser,
            utcnow() + timedelta(days=2),
            "压力测试：车棚清理",
            [(f"岗位{i + 1}", CAPACITY) for i in range(ROLES)],
        )
        db.session.commit()
        return event.id, [(r.id, r.capacity) for r in event.roles]


def sessions(app, event_id: int, roles: list[tuple[int, int]], path: Path) -> None:
    """One signed session per volunteer, as Flask-Login and Flask-WTF would have set it."""
    cookies = app.session_interface.get_signing_serializer(app)
    tokens = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    with app.app_context():
        ids = list(
            db.session.execute(
                select(User.id, User.session_token).where(User.phone.like("177%")).order_by(User.id)
            )
        )
    with path.open("w") as out:
        for i, (user_id, token) in enumerate(ids):
            raw = secrets.token_hex(20)
            cookie = cookies.dumps(
                {"_user_id": session_id(user_id, token), "_fresh": True, "csrf_token": raw}
            )
            role = roles[i % len(roles)][0]
            other = roles[(i + 1) % len(roles)][0]
            url = f"/events/{event_id}/roles/{{}}/sign-up"
            out.write(
                f"session={cookie}\t{tokens.dumps(raw)}\t{url.format(role)}\t{url.format(other)}\n"
            )


def verify(app, event_id: int, signed_up: int, in_flight: int) -> dict:
    with app.app_context():
        active = Signup.status != "cancelled"
        problems = []
        per_role = []
        for role in db.session.scalars(
            select(EventRole).where(EventRole.event_id == event_id).order_by(EventRole.position)
        ):
            rows = db.session.execute(
                select(Signup.status, func.count())
                .where(Signup.role_id == role.id, active)
                .group_by(Signup.status)
            ).all()
            counts = dict(rows)
            confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
            total = confirmed + waitlisted
            positions = list(
                db.session.scalars(
                    select(Signup.position)
                    .where(Signup.role_id == role.id, Signup.status == "waitlisted")
                    .order_by(Signup.position)
                )
            )
            if confirmed != min(role.capacity, total):
                problems.append(
                    f"{role.name}: {confirmed} confirmed of {total}, capacity {role.capacity}"
                )
            if role.confirmed_count != confirmed:
                problems.append(f"{role.name}: counter {role.confirmed_count} != {confirmed}")
            if positions != list(range(1, len(positions) + 1)):
                problems.append(f"{role.name}: waitlist positions are not 1..{len(positions)}")
            per_role.append(
                {
                    "role": role.name,
                    "capacity": role.capacity,
                    "confirmed": confirmed,
                    "waitlisted": waitlisted,
                }
            )
        doubles = db.session.execute(
            text(
                "SELECT user_id, count(*) FROM signups"
                " WHERE event_id = :e AND status <> 'cancelled'"
                " GROUP BY user_id HAVING count(*) > 1"
            ),
            {"e": event_id},
        ).all()
        if doubles:
            problems.append(f"{len(doubles)} volunteers booked twice")
        rows = db.session.scalar(
            select(func.count()).select_from(Signup).where(Signup.event_id == event_id, active)
        )
        # wrk stops with requests in flight: those may have booked without the answer counted.
        if not signed_up <= rows <= signed_up + in_flight:
            problems.append(
                f"{rows} sign-ups in the database, {signed_up} answered 302, "
                f"{in_flight} unanswered when wrk stopped"
            )
        return {"roles": per_role, "rows": rows, "duplicates": len(doubles), "problems": problems}


def main() -> int:
    name = DB_NAME
    work = Path(f"/tmp/{name}")
    work.mkdir(exist_ok=True)
    env = dict(os.environ)
    subprocess.run(["createdb", *PG_ARGS, name], check=True)
    server = None
    try:
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        app = create_app()
        started = time.time()
        event_id, roles = seed(app)
        lines = work / "sessions.tsv"
        sessions(app, event_id, roles, lines)
        seeded = time.time() - started
        with app.app_context():
            db.engine.dispose()

        port = free_port()
        pidfile = work / "gunicorn.pid"
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--no-control-socket",
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--pid",
                str(pidfile),
                "coordinator:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(work / "app.log", "w"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        # Warm-up: every worker loads its templates, catalogs and connections before the count.
        with app.app_context():
            organiser = db.session.execute(
                select(User.id, User.session_token).where(User.phone == "13800000003")
            ).one()
            db.engine.dispose()
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": session_id(*organiser), "_fresh": True}
        )
        subprocess.run(
            [
                "wrk",
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                "-d3s",
                "-H",
                f"Cookie: session={cookie}",
                f"http://127.0.0.1:{port}/events/{event_id}",
            ],
            capture_output=True,
            timeout=60,
        )
        result = work / "wrk.json"
        wrk_env = {
            **os.environ,
            "BENCH_SESSIONS": str(lines),
            "BENCH_RESULT": str(result),
            "BENCH_THREADS": str(THREADS),
            "BENCH_DUP_EVERY": str(DUP_EVERY),
        }
        cpu_before, pg_before = cpu_seconds(server.pid), postgres_cpu_seconds(name)
        wrk = subprocess.run(
            [
                "wrk",
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{DURATION}",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                str(ROOT / "bench" / "signup.lua"),
                f"http://127.0.0.1:{port}",
            ],
            env=wrk_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        print(wrk.stdout)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        postgres_cpu = postgres_cpu_seconds(name) - pg_before
        figures = json.loads(result.read_text())
        in_flight = figures["sent"] - figures["requests"]
        check = verify(app, event_id, figures["signed_up_302"], in_flight)
        with app.app_context():
            db.engine.dispose()
        # Every repeat is refused, except one still in flight when wrk stopped.
        if not (
            figures["duplicates_sent"] - in_flight
            <= figures["refused_409"]
            <= figures["duplicates_sent"]
        ):
            check["problems"].append(
                f"{figures['refused_409']} refused, {figures['duplicates_sent']} repeats sent"
            )
        ok = (
            not check["problems"]
            and figures["other_status"] == 0
            and figures["socket_errors"] == 0
            and figures["exhausted"] == 0
        )
        signups_per_s = figures["signed_up_302"] / figures["seconds"]
        report = {
            "database": "postgresql",
            "gunicorn_workers": WORKERS,
            "wrk": f"-t{THREADS} -c{CONNECTIONS} -d{DURATION}",
            "volunteers": VOLUNTEERS,
            "seeded_s": round(seeded, 1),
            **figures,
            "signups_per_s": round(signups_per_s, 1),
            "server_cpu_ms_per_request": round(1000 * server_cpu / figures["requests"], 1),
            "postgres_cpu_ms_per_request": round(1000 * postgres_cpu / figures["requests"], 1),
            "check": check,
            "target": {"signups/s>=300": signups_per_s >= 300, "consistent": ok},
            "load": os.getloadavg(),
        }
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / f"{time.strftime('%Y%m%d-%H%M%S')}-signup.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False)
        )
        print(json.dumps(report, ensure_ascii=False))
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["dropdb", *PG_ARGS, "--if-exists", name], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
