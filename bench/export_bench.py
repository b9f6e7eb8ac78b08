"""The board as a file at a million cases: /cases.csv and /cases.xlsx over real HTTP from
gunicorn, rows per second and the worker's peak memory.

    DATABASE_URL=sqlite:////tmp/copy-of-cases-1m.db .venv/bin/python bench/export_bench.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/copy_of_bench_cases_1m \
        .venv/bin/python bench/export_bench.py

DATABASE_URL: a database seeded by bench/seed_cases.py (the demo story and 1,000,000 cases);
use a copy, nothing is written but the sign-in. Env: BENCH_PORT (5040), BENCH_QUERY
("status=all": every case; the admin signs in, so all of them), BENCH_FORMATS ("csv xlsx"),
BENCH_PHONE (13800000001, the admin; 13800000002 is 王伟, staff of 红联北村社区).

For each format: a fresh gunicorn (one worker, gthread as in production: a long download does
not stop the worker's heartbeat), sign in, read the worker's VmHWM (/proc/<pid>/status: its
peak resident memory so far), download the file once reading it in 64 KiB pieces, read VmHWM
again. rows/s = the rows in the file (CSV: its lines, checked against a COUNT of the board's
own filter; XLSX: the same count) over the wall time of the download, first byte to last.
rows/cpu s = the rows over the worker's CPU seconds (/proc/<pid>/stat), which other load on
the machine disturbs less. Prints a table and writes JSON to bench/out/<time>-export-<db>.json.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
PORT = int(os.environ.get("BENCH_PORT", "5040"))
QUERY = os.environ.get("BENCH_QUERY", "status=all")
FORMATS = os.environ.get("BENCH_FORMATS", "csv xlsx").split()
PHONE = os.environ.get("BENCH_PHONE", "13800000001")
PASSWORD = "demo1234"
BASE = f"http://127.0.0.1:{PORT}"


def count_rows(url: str) -> int:
    """COUNT(*) of the board's filter for the signed-in role, in an app context."""
    from werkzeug.datastructures import MultiDict

    from coordinator import create_app
    from coordinator.auth.models import User
    from coordinator.cases import queries
    from coordinator.extensions import db
    from coordinator.i18n import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context():
        from sqlalchemy import func, select

        actor = db.session.scalar(select(User).where(User.phone == PHONE))
        values, _shown = queries.parse_board_filters(
            MultiDict(urllib.parse.parse_qsl(QUERY, keep_blank_values=True))
        )
        shape, params = queries.board_query(actor, values, utcnow())
        stmt = queries.export_statement(actor.role, shape).order_by(None)
        total = db.session.execute(
            select(func.count()).select_from(stmt.subquery()), params
        ).scalar_one()
        db.session.remove()
        db.engine.dispose()
        return total


def worker_pid(master: int) -> int:
    for _ in range(300):
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except FileNotFoundError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("bench: gunicorn started no worker")


def vm(pid: int) -> dict:
    """The worker's peak (VmHWM) and current (VmRSS) resident memory, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0]) / 1024
    return found


def cpu_seconds(pid: int) -> float:
    """The worker's CPU time so far (user + system), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sign_in() -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "phone": PHONE, "password": PASSWORD})
    opener.open(f"{BASE}/login", data.encode()).read()
    session = [c for c in jar if c.name == "session"]
    assert session, "bench: no session cookie after sign-in"
    return opener, f"session={session[0].value}"


def download(cookie: str, fmt: str) -> dict:
    """One download with curl (the client costs little next to the server), its bytes
    counted through a pipe."""
    started = time.perf_counter()
    curl = subprocess.Popen(
        ["curl", "-sS", "-D", "-", "-H", f"Cookie: {cookie}", f"{BASE}/cases.{fmt}?{QUERY}"],
        stdout=subprocess.PIPE,
    )
    first = None
    size = lines = 0
    head = b""
    while chunk := curl.stdout.read(1 << 20):
        if first is None:
            first = time.perf_counter()
            head, _, chunk = chunk.partition(b"\r\n\r\n")
        size += len(chunk)
        lines += chunk.count(b"\n")
    curl.wait()
    ended = time.perf_counter()
    status = int(head.split()[1]) if head else 0
    disposition = re.search(rb"Content-Disposition: ([^\r]+)", head)
    return {
        "status": status,
        "bytes": size,
        "lines": lines,
        "seconds": ended - started,
        "first_byte_s": (first or ended) - started,
        "disposition": disposition.group(1).decode() if disposition else None,
    }


def serve() -> subprocess.Popen:
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-export")}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--no-control-socket",
            "-w",
            "1",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "600",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "bench" / "out" / "export-gunicorn.log", "a"),  # noqa: SIM115
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("bench: gunicorn did not come up (bench/out/export-gunicorn.log)")


def main():
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("bench: set DATABASE_URL to a copy of the seeded 1M database")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    kind = "postgres" if url.startswith("postgres") else "sqlite"
    rows = count_rows(url)
    print(f"== {kind}: {rows:,} cases match ?{QUERY} for {PHONE}")
    results = []
    for fmt in FORMATS:
        server = serve()
        try:
            pid = worker_pid(server.pid)
            opener, cookie = sign_in()
            opener.open(f"{BASE}/cases?{QUERY}").read()  # warm: imports, statements, catalog
            before, cpu_before = vm(pid), cpu_seconds(pid)
            got = download(cookie, fmt)
            after, cpu_after = vm(pid), cpu_seconds(pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        assert got["status"] == 200, got
        if fmt == "csv":
            assert got["lines"] == rows + 1, (got["lines"], rows)
        result = {
            "database": kind,
            "format": fmt,
            "rows": rows,
            "rows_per_s": round(rows / got["seconds"]),
            # Rows per second of the worker's own CPU: what the load of the machine (other
            # processes on the same cores) disturbs less than the wall time.
            "rows_per_cpu_s": round(rows / max(cpu_after - cpu_before, 1e-9)),
            "seconds": round(got["seconds"], 1),
            "first_byte_s": round(got["first_byte_s"], 2),
            "MB": round(got["bytes"] / 1e6, 1),
            "worker_peak_MB_before": round(before["VmHWM"], 1),
            "worker_peak_MB_after": round(after["VmHWM"], 1),
            "worker_rss_MB_after": round(after["VmRSS"], 1),
        }
        results.append(result)
        print(json.dumps(result, ensure_ascii=False))
    print(
        f"\n{'db':<10}{'fmt':<6}{'rows':>10}{'rows/s':>9}{'rows/cpu s':>11}{'s':>7}"
        f"{'1st byte s':>11}{'file MB':>9}   worker peak MB before → after"
    )
    for r in results:
        print(
            f"{r['database']:<10}{r['format']:<6}{r['rows']:>10,}{r['rows_per_s']:>9,}"
            f"{r['rows_per_cpu_s']:>11,}{r['seconds']:>7}{r['first_byte_s']:>11}{r['MB']:>9}"
            f"   {r['worker_peak_MB_before']} → {r['worker_peak_MB_after']}"
        )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = ROOT / "bench" / "out" / f"{stamp}-export-{kind}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
