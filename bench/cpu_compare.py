"""CPU ms per request in-process, two trees taking turns in short blocks (bench/compare.sh).

    python bench/cpu_compare.py run PAGE ROUNDS PROCESSES RESULTS BEFORE DB_B AFTER DB_A
    python bench/cpu_compare.py report RESULTS OUT.json [LIMIT]
    (worker: TREE/.venv/bin/python bench/cpu_compare.py worker TREE PAGE [FIRST_DRIVE])

`run` starts one worker per tree for PAGE (teams | board | events | signup): the tree's own
venv Python, cwd the tree, DATABASE_URL its database. Both build the app, sign in and warm up
(every URL once, then one untimed block); then for each round, for every row of the page,
the two are asked in turn (before first in odd rounds, after first in even ones) to time one
block on the same core: one pass over the row's URLs, or 80 sign-ups. One worker runs while
the other waits on its pipe, so a pair is measured within a second and a burst of other load
on the machine hits both halves of most pairs. CPU time is time.process_time() of the worker
around the block only. The ROUNDS are shared out over PROCESSES such pairs of workers, one
pair after another. Results: one JSON line per row, tree and round.

A worker is always this copy of the script (the after tree's) run by the tree's Python: it
puts TREE first on sys.path, checks that `coordinator` really comes from TREE, and imports
nothing of the app but `coordinator.create_app` (and `auth.models.session_id` if it is still
there), so that whatever the reshape moved, both trees are measured by the same code. The
signed-in clients carry a session cookie made with the app's own signing from the users
table (as bench/signup_bench.py does): no sign-in, no rate-limit counter. It counts the SQL
statements of the first and the last URL of a row (of one sign-up) from SQLAlchemy's events.

`report` prints, per row, the median CPU ms of each tree, the median of the rounds'
after/before ratios with a 90 % bootstrap interval (how far the noise leaves it uncertain),
the SQL statements per request, and whether the median ratio stays within LIMIT (1.10).
"""

import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cpu_ratio import (
    BOARD_FILTERS,
    BOARD_PAGES,
    EVENT_FILTERS,
    EVENT_PAGES,
    TEAM_PAGES,
    TEAM_SEARCHES,
)

ADMIN, STAFF, VOLUNTEER = "13800000001", "13800000002", "13800000007"  # the demo's people
SIGNUPS = 80  # a block: 4 × seed_signups.CAPACITY on a fresh drive, half to each role
SIGNUP_ROW = "sign-up POST (seat / waitlist)"

# Each page: (who is signed in, the marker of the signed-in list, rows: (name, URLs, passes
# over the URLs a block)).
PAGES = {
    "teams": [
        (
            ADMIN,
            'id="results"',
            [
                ("team list pages 1..20 (admin)", TEAM_PAGES, 1),
                ("team list search/skill", TEAM_SEARCHES, 4),
            ],
        )
    ],
    "board": [
        (
            phone,
            'id="results"',
            [
                (f"board pages 1..20 ({who})", BOARD_PAGES, 1),
                (f"board filters ({who})", BOARD_FILTERS, 2),
            ],
        )
        for who, phone in (("staff", STAFF), ("admin", ADMIN))
    ],
    "events": [
        (
            VOLUNTEER,
            'id="event-list"',
            [
                ("event list pages 1..20 (vol.)", EVENT_PAGES, 1),
                ("event list past/kind", EVENT_FILTERS, 3),
            ],
        )
    ],
}


# --- the worker: one tree, one page ------------------------------------------------------------


class Statements:
    """Counts the SQL statements every engine runs (no import of the app's db object)."""

    def __init__(self):
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.count += 1

    def of(self, request) -> int:
        before = self.count
        request()
        return self.count - before


class Session:
    """Session cookies and CSRF tokens as Flask-Login and Flask-WTF would have set them."""

    def __init__(self, app):
        from flask_login.utils import _create_identifier
        from itsdangerous import URLSafeTimedSerializer
        from sqlalchemy import text

        self.app = app
        self.signing = app.session_interface.get_signing_serializer(app)
        self.tokens = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
        environ = app.test_client().environ_base  # the test client's address and user agent
        with app.test_request_context(environ_base=environ):
            self.ident = _create_identifier()  # what Flask-Login's session protection checks
        try:  # the tree's own spelling of what the cookie names (auth.models today)
            from coordinator.auth.models import session_id
        except ImportError:
            session_id = "{}:{}".format  # what auth.models.session_id writes
        self.session_id = session_id
        with app.app_context():
            self.engine = app.extensions["sqlalchemy"].engine
            with self.engine.connect() as conn:
                self.users = {
                    phone: (uid, token)
                    for phone, uid, token in conn.execute(
                        text("SELECT phone, id, session_token FROM users ORDER BY id")
                    )
                }

    def cookie(self, phone: str) -> tuple[str, str]:
        """(session cookie, CSRF token for a form) of the person with this phone."""
        raw = secrets.token_hex(20)
        cookie = self.signing.dumps(
            {
                "_user_id": self.session_id(*self.users[phone]),
                "_fresh": True,
                "_id": self.ident,
                "csrf_token": raw,
            }
        )
        return cookie, self.tokens.dumps(raw)

    def client(self, phone: str):
        client = self.app.test_client()
        client.set_cookie("session", self.cookie(phone)[0])
        return client


def page_rows(session, counter, page: str):
    """Warmed-up rows: (name, statements, block) where block() times one block in CPU ms."""
    rows = []
    for phone, marker, specs in PAGES[page]:
        client = session.client(phone)
        for name, urls, passes in specs:
            response = client.get(urls[0])
            assert response.status_code == 200 and marker in response.get_data(as_text=True), (
                f"{name}: {urls[0]} answered {response.status_code} without {marker}"
            )
            block_urls = urls * passes

            def block(client=client, block_urls=block_urls, check=False):
                start = time.process_time()
                for url in block_urls:
                    response = client.get(url)
                    if check:
                        assert response.status_code == 200, (url, response.status_code)
                return (time.process_time() - start) / len(block_urls) * 1000

            block(check=True)  # warm-up: every URL, caches, templates
            statements = ",".join(  # the first and the last (the board's page 1 has one more)
                str(counter.of(lambda c=client, u=u: c.get(u))) for u in (urls[0], urls[-1])
            )
            rows.append((name, statements, block))
    return rows


class Signups:
    """Blocks of sign-ups by distinct volunteers, each on a drive nobody signed up for yet."""

    def __init__(self, session, counter, first: int):
        from sqlalchemy import text

        self.session, self.text = session, text
        with session.engine.connect() as conn:
            self.roles = {}
            for event_id, role_id in conn.execute(
                text(
                    "SELECT r.event_id, r.id FROM event_roles r JOIN events e ON e.id = r.event_id"
                    " WHERE e.title LIKE '报名测试%' ORDER BY e.id, r.position"
                )
            ):
                self.roles.setdefault(event_id, []).append(role_id)
        self.drives = list(self.roles)
        self.volunteers = [p for p in session.users if p.startswith("177")]
        self.client = session.app.test_client()
        self.first = self.used = first  # drives before `first` are an earlier worker's
        posts = self.posts()
        self.statements = str(counter.of(lambda: self.post(*posts[0])))
        for args in posts[1:]:  # the rest of the warm-up block
            self.post(*args)

    def posts(self):
        """(cookie, token, URL) for SIGNUPS volunteers on the next drive, half to each role."""
        assert self.used < len(self.drives), "seed_signups.py: more rounds than drives"
        k, event_id = self.used, self.drives[self.used]
        self.used += 1
        out = []
        for i in range(SIGNUPS):
            phone = self.volunteers[(k * SIGNUPS + i) % len(self.volunteers)]
            role = self.roles[event_id][i % 2]
            out.append((*self.session.cookie(phone), f"/events/{event_id}/roles/{role}/sign-up"))
        return out

    def post(self, cookie, token, url):
        self.client.set_cookie("session", cookie)
        response = self.client.post(url, data={"csrf_token": token})
        where = response.headers.get("Location", "")
        assert response.status_code == 302 and "/login" not in where, (url, response.status)

    def block(self) -> float:
        posts = self.posts()  # cookies made before the clock starts
        start = time.process_time()
        for args in posts:
            self.post(*args)
        return (time.process_time() - start) / len(posts) * 1000

    def check(self) -> str:
        """Every POST made its row: half seats, half waitlist."""
        ids = ",".join(str(d) for d in self.drives[self.first : self.used])
        made_here = (self.used - self.first) * SIGNUPS
        with self.session.engine.connect() as conn:
            made = dict(
                conn.execute(
                    self.text(
                        f"SELECT status, count(*) FROM signups WHERE event_id IN ({ids})"
                        " GROUP BY status"
                    )
                ).all()
            )
        if sum(made.values()) != made_here or made.get("confirmed") != made.get("waitlisted"):
            return f"sign-ups made: {made}, expected {made_here}, half of them seats"
        return ""


def worker(tree: str, page: str, first_drive: str = "0") -> None:
    """Answers the coordinator on stdout (one JSON line a command); the app's output → stderr."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    tree = str(Path(tree).resolve())
    sys.path.insert(0, tree)
    import coordinator
    from coordinator import create_app

    here = Path(coordinator.__file__).resolve()
    assert here.is_relative_to(tree), f"coordinator imported from {here}, not from {tree}"
    app = create_app()
    session = Session(app)
    counter = Statements()
    if page == "signup":
        signups = Signups(session, counter, int(first_drive))
        rows = [(SIGNUP_ROW, signups.statements, signups.block)]
    else:
        signups = None
        rows = page_rows(session, counter, page)
    proto.write(json.dumps({"rows": [[name, statements] for name, statements, _ in rows]}) + "\n")
    for line in sys.stdin:
        command = json.loads(line)
        if command == "quit":
            proto.write(json.dumps({"problem": signups.check() if signups else ""}) + "\n")
            return
        row, cpu = command
        if cpu is not None:  # both halves of a pair on the same core (see run)
            os.sched_setaffinity(0, {cpu})
        proto.write(json.dumps({"ms": rows[row][2]()}) + "\n")


# --- the coordinator ---------------------------------------------------------------------------


class Worker:
    def __init__(self, label: str, tree: str, page: str, database: str, first_drive: int):
        self.label = label
        self.process = subprocess.Popen(
            [f"{tree}/.venv/bin/python", __file__, "worker", tree, page, str(first_drive)],
            cwd=tree,
            env={**os.environ, "DATABASE_URL": database},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.answer()

    def answer(self):
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"compare: the {self.label} worker stopped (its error is above)")
        return json.loads(line)


def run(page, rounds, processes, results, before, db_before, after, db_after) -> None:
    """`rounds` rounds shared out over `processes` pairs of workers started one after another:
    a process has its own hash seed and memory layout, which can make it a few per cent faster
    or slower for its whole life, so no pair of processes decides alone. Each pair of blocks
    runs on one core, the core changing from round to round (cores of a virtual machine are not
    equally busy)."""
    started = time.time()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else [None]
    processes = max(1, min(processes, rounds))
    round_, first_drive = 0, 0
    with open(results, "a", encoding="utf-8") as out:
        for generation in range(processes):
            share = rounds // processes + (generation < rounds % processes)
            workers = {
                label: Worker(label, tree, page, database, first_drive)
                for label, tree, database in (
                    ("before", before, db_before),
                    ("after", after, db_after),
                )
            }
            first_drive += share + 1  # the sign-ups' drives: a warm-up and one a round
            rows = {label: w.answer()["rows"] for label, w in workers.items()}  # warmed up
            names = [name for name, _ in rows["after"]]
            if names != [name for name, _ in rows["before"]]:
                sys.exit(f"compare: the workers measure different rows: {rows}")
            for _ in range(share):
                round_ += 1
                order = ("before", "after") if round_ % 2 else ("after", "before")
                cpu = cpus[round_ % len(cpus)]
                for i, name in enumerate(names):
                    for label in order:
                        line = {
                            "tree": label,
                            "page": page,
                            "row": name,
                            "round": round_,
                            "ms": round(workers[label].ask([i, cpu])["ms"], 4),
                            "statements": rows[label][i][1],
                            "load": os.getloadavg()[0],
                        }
                        out.write(json.dumps(line, ensure_ascii=False) + "\n")
            problems = [f"{label}: {w.ask('quit')['problem']}" for label, w in workers.items()]
            for w in workers.values():
                w.process.wait(timeout=60)
            problems = [p for p in problems if not p.endswith(": ")]
            if problems:
                sys.exit("compare: " + "; ".join(problems))
    print(
        f"  {page}: {len(names)} rows x {rounds} rounds x 2 trees ({processes} processes each)"
        f" in {time.time() - started:.0f} s (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )


def median_interval(ratios, resamples=2000):
    """A 90 % bootstrap interval of the median ratio (fixed seed: the same data, the same text)."""
    draw = random.Random(0).choices
    medians = sorted(statistics.median(draw(ratios, k=len(ratios))) for _ in range(resamples))
    return medians[int(0.05 * resamples)], medians[int(0.95 * resamples) - 1]


def report(results: str, out: str, limit: float = 1.10) -> int:
    lines = [json.loads(line) for line in open(results, encoding="utf-8")]
    table, missed = [], []
    for row in dict.fromkeys(line["row"] for line in lines):
        mine = [line for line in lines if line["row"] == row]
        ms = {t: [x["ms"] for x in mine if x["tree"] == t] for t in ("before", "after")}
        sql = {t: "|".join(sorted({x["statements"] for x in mine if x["tree"] == t})) for t in ms}
        pairs = {}
        for x in mine:
            pairs.setdefault(x["round"], {})[x["tree"]] = x["ms"]
        ratios = [p["after"] / p["before"] for p in pairs.values() if len(p) == 2]
        # The figure: the median of the rounds' ratios (the two of a pair ran one after the
        # other, so most of the other load on the machine hits both).
        ratio = statistics.median(ratios)
        low, high = median_interval(ratios)
        ok = ratio <= limit
        if not ok:
            missed.append(row)
        table.append(
            {
                "row": row,
                "before_ms": round(statistics.median(ms["before"]), 3),
                "after_ms": round(statistics.median(ms["after"]), 3),
                "ratio": round(ratio, 3),
                "ratio_90pct_interval": [round(low, 3), round(high, 3)],
                "rounds": len(ratios),
                "statements": sql,
                "within": ok,
            }
        )
    print(
        f"\n{'page':<34}{'before ms':>10}{'after ms':>10}{'after/before':>14}{'90% interval':>14}"
        f"{'SQL':>10}  within {limit - 1:.0%}"
    )
    for r in table:
        sql = r["statements"]["after"]
        if sql != r["statements"]["before"]:
            sql = f"{r['statements']['before']}->{sql}"
        low, high = r["ratio_90pct_interval"]
        print(
            f"{r['row']:<34}{r['before_ms']:>10.2f}{r['after_ms']:>10.2f}{r['ratio']:>14.2f}"
            f"{f'{low:.2f}-{high:.2f}':>14}{sql:>10}  {'yes' if r['within'] else 'NO'}"
        )
    loads = [line["load"] for line in lines]
    print(
        f"median of {max(r['rounds'] for r in table)} alternating rounds per row; load average "
        f"(1 min) {min(loads):.2f}-{max(loads):.2f} during the run; "
        + ("all within the limit" if not missed else f"OUTSIDE: {', '.join(missed)}")
    )
    Path(out).write_text(json.dumps({"limit": limit, "rows": table}, indent=2, ensure_ascii=False))
    return 1 if missed else 0


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    if command == "worker":
        worker(*args)
    elif command == "run":
        page, rounds, processes, results, before, db_before, after, db_after = args
        run(page, int(rounds), int(processes), results, before, db_before, after, db_after)
    elif command == "report":
        sys.exit(report(args[0], args[1], *(float(a) for a in args[2:])))
    else:
        sys.exit(__doc__)
