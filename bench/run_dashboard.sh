#!/usr/bin/env bash
# The dashboard at 1,000,000 cases against the floor page, same machine, same run, same load,
# signed in as 红联北村社区's staff (王伟, 13800000002) and as the admin; then what the
# dashboard's signal receivers add to a case write.
# Usage: bench/run_dashboard.sh      (SQLite)      BENCH_DB=postgres bench/run_dashboard.sh
# The 1M-case database is copied, never written: BENCH_SEEDED (SQLite file, default
# /tmp/bench-dbs/cases-1m.db) or BENCH_SEEDED_PG (database name, default bench_cases_1m),
# both made by bench/seed_cases.py. Then `flask db upgrade` on the copy, bench/seed_callbacks.py
# (call-backs for the closed cases, `flask dashboard rebuild`'s work), the servers, wrk.
# BENCH_APP_DB=<database URL> reuses a database those steps prepared before (kept).
# Env: BENCH_FLOOR (default ../shared/bench-floor from the repo root), BENCH_DURATION (10s),
#      BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_WORKERS (gunicorn workers, 2),
#      BENCH_WRITE_ROUNDS (20), PGHOST/PGPORT/PGUSER for postgres (127.0.0.1, 5432, postgres).
# Everything listens on and loads 127.0.0.1 only; every wrk run is bounded by its duration.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/.venv/bin
FLOOR_SRC=${BENCH_FLOOR:-$ROOT/../shared/bench-floor}
DB_KIND=${BENCH_DB:-sqlite}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-2}
ADMIN_PHONE=13800000001
STAFF_PHONE=13800000002
PASSWORD=demo1234
OUT=$ROOT/bench/out
STAMP=$(date +%Y%m%d-%H%M%S)
PGARGS=(-h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}")

source "$ROOT/bench/common.sh"

# --- databases --------------------------------------------------------------------------------
pgurl="postgresql+psycopg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
if [ -n "${BENCH_APP_DB:-}" ] && [ "$DB_KIND" = postgres ]; then
  floor_db=bench_floor_$$
  createdb "${PGARGS[@]}" "$floor_db"
  DATABASES+=("$floor_db")
  export FLOOR_DB_URL=$pgurl/$floor_db
  APP_DB_URL=$BENCH_APP_DB
elif [ -n "${BENCH_APP_DB:-}" ]; then
  unset FLOOR_DB_URL
  APP_DB_URL=$BENCH_APP_DB
elif [ "$DB_KIND" = postgres ]; then
  floor_db=bench_floor_$$
  createdb "${PGARGS[@]}" "$floor_db"
  DATABASES+=("$floor_db")
  export FLOOR_DB_URL=$pgurl/$floor_db
  app_db=${BENCH_PG_PREFIX:-h1_}dashboard_$$
  echo "== copying ${BENCH_SEEDED_PG:-bench_cases_1m} to $app_db"
  createdb "${PGARGS[@]}" -T "${BENCH_SEEDED_PG:-bench_cases_1m}" "$app_db"
  DATABASES+=("$app_db")
  APP_DB_URL=$pgurl/$app_db
elif [ "$DB_KIND" = sqlite ]; then
  unset FLOOR_DB_URL
  seeded=${BENCH_SEEDED:-/tmp/bench-dbs/cases-1m.db}
  echo "== copying $seeded"
  cp "$seeded" "$WORK/app.db"
  APP_DB_URL=sqlite:///$WORK/app.db
else
  echo "bench: BENCH_DB must be sqlite or postgres" >&2; exit 2
fi

echo "== seeding the floor ($DB_KIND)"
cp -r "$FLOOR_SRC" "$WORK/floor"
rm -f "$WORK"/floor/floor.db*
(cd "$WORK/floor" && "$BIN/python" seed.py)

export SECRET_KEY=bench-$$
export DATABASE_URL=$APP_DB_URL
if [ -n "${BENCH_APP_DB:-}" ]; then
  echo "== reusing $BENCH_APP_DB (prepared by an earlier run's steps: kept, written to)"
else
echo "== flask db upgrade, call-backs, dashboard rebuild"
began=$(date +%s)
(cd "$ROOT" && "$BIN/flask" --app wsgi db upgrade >/dev/null 2>"$WORK/migrate.log") \
  || { cat "$WORK/migrate.log" >&2; exit 1; }
echo "   migrations (the new indexes on 1M cases) in $(( $(date +%s) - began )) s"
"$BIN/python" "$ROOT/bench/seed_callbacks.py" | tee "$OUT/$STAMP-$DB_KIND-dashboard-seed.txt"
began=$(date +%s)
(cd "$ROOT" && "$BIN/flask" --app wsgi dashboard rebuild --months 12)
echo "   flask dashboard rebuild --months 12 in $(( $(date +%s) - began )) s" \
  | tee -a "$OUT/$STAMP-$DB_KIND-dashboard-seed.txt"
fi

# --- servers ----------------------------------------------------------------------------------
start_servers

STAFF_COOKIE=$(sign_in $STAFF_PHONE)
ADMIN_COOKIE=$(sign_in $ADMIN_PHONE)
[ -n "$STAFF_COOKIE" ] && [ -n "$ADMIN_COOKIE" ] || { echo "bench: no session cookie" >&2; exit 1; }

MONTHS=$("$BIN/python" -c '
from coordinator import months
print(" ".join(months.label(m) for m in months.window(months.month_of(), 12)))')
COMMUNITIES=$(cd "$ROOT" && "$BIN/python" -c '
from coordinator import create_app
from coordinator.dashboard.queries import communities
app = create_app()
with app.app_context():
    print(" ".join(str(i) for i, _ in communities()))')
echo "== months: $MONTHS; communities: $COMMUNITIES"

# Every kind of URL the load script asks for must be a signed-in 200 with the dashboard.
for cookie in "$STAFF_COOKIE" "$ADMIN_COOKIE"; do
  for path in "/dashboard/" "/dashboard/?month=${MONTHS%% *}"; do
    code=$(curl -s -o "$WORK/check.html" -w '%{http_code}' -H "Cookie: $cookie" "$APP$path")
    if [ "$code" != 200 ] || ! grep -q 'id="rates-table"' "$WORK/check.html"; then
      echo "bench: $path answered $code without the dashboard" >&2; exit 1
    fi
  done
done
grep -o 'id="received-stat" href="[^"]*"><span class="number">[0-9]*' "$WORK/check.html" \
  | sed 's/.*number">/   cases received this month (admin, first community): /'

# --- load -------------------------------------------------------------------------------------
cat "$WORK/floor/rand.lua" "$ROOT/bench/report.lua" >"$WORK/floor.lua"
cat "$ROOT/bench/dashboard.lua" "$ROOT/bench/report.lua" >"$WORK/dashboard.lua"

export BENCH_MONTHS=$MONTHS BENCH_COMMUNITIES=  # bench/dashboard.lua: staff see one community
measure floor "$WORK/floor.lua" "$FLOOR/items"
measure dashboard_staff "$WORK/dashboard.lua" "$APP/dashboard/" "$STAFF_COOKIE"
export BENCH_COMMUNITIES=$COMMUNITIES  # the admin also picks a community
measure dashboard_admin "$WORK/dashboard.lua" "$APP/dashboard/" "$ADMIN_COOKIE"

"$BIN/python" - "$WORK" "$OUT/$STAMP-$DB_KIND-dashboard.json" "$DB_KIND" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" <<'PY'
import json, sys
work, out, db, threads, conns, duration, workers = sys.argv[1:]
floor, staff, admin = (json.load(open(f"{work}/{n}.json"))
                       for n in ("floor", "dashboard_staff", "dashboard_admin"))
result = {"database": db, "wrk": f"-t{threads} -c{conns} -d{duration}",
          "gunicorn_workers": workers, "floor": floor, "dashboard_staff": staff,
          "dashboard_admin": admin}
print(f"\n{'page':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
for name, r in (("floor /items", floor), ("/dashboard (staff)", staff),
                ("/dashboard (admin)", admin)):
    errors = sum(r["errors"].values())
    r["ratio"] = round(r["rps"] / floor["rps"], 3) if floor["rps"] else 0.0
    print(f"{name:<30}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{errors:>8}"
          f"{r['ratio']:>8.2f}")
for name, r in (("staff", staff), ("admin", admin)):
    print(f"{name}: ratio {r['ratio']:.2f} (target >= 0.50): "
          f"{'met' if r['ratio'] >= 0.5 else 'MISSED'}, p99 {r['p99_ms']:.1f} ms")
json.dump(result, open(out, "w"), indent=2)
print(f"database {db}, wrk -t{threads} -c{conns} -d{duration}, gunicorn -w {workers}; "
      f"written to {out}")
PY

echo "== CPU ms per request, in-process"
(cd "$ROOT" && "$BIN/python" bench/dashboard_cpu.py "$WORK/floor") \
  | tee "$OUT/$STAMP-$DB_KIND-dashboard-cpu.txt"

echo "== a case write with and without the dashboard's receivers"

"$BIN/python" "$ROOT/bench/dashboard_write.py" "${BENCH_WRITE_ROUNDS:-20}" \
  | tee "$OUT/$STAMP-$DB_KIND-dashboard-write.txt"
