#!/usr/bin/env bash
# /hotspots at 1,000,000 cases against the floor page, same machine, same run, same load,
# signed in as 红联北村社区's staff (王伟, 13800000002) and as the admin, 12-month period.
# The app's database is a copy of the seeded 1M-case database (bench/seed_cases.py), migrated
# (adds the hot spots' tables), then `flask hotspots rebuild` (timed: the rebuild at 1M).
# Usage: bench/run_hotspots.sh      (SQLite)      BENCH_DB=postgres bench/run_hotspots.sh
# BENCH_APP_DB=<database URL> reuses a database made by an earlier run's copy, migration and
# rebuild (kept; the rebuild is not timed then).
# Env: BENCH_SOURCE (SQLite file, default /tmp/bench-dbs/cases-1m.db; PostgreSQL template
#      database, default bench_cases_1m), BENCH_FLOOR, BENCH_DURATION (10s), BENCH_CONNECTIONS
#      (16), BENCH_THREADS (2), BENCH_WORKERS (2), PGHOST/PGPORT/PGUSER.
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
if [ "$DB_KIND" = postgres ]; then
  floor_db=bench_floor_$$
  createdb "${PGARGS[@]}" "$floor_db"
  DATABASES+=("$floor_db")
  export FLOOR_DB_URL=$pgurl/$floor_db
else
  unset FLOOR_DB_URL  # the floor's own default: floor.db beside its app.py
fi
if [ -n "${BENCH_APP_DB:-}" ]; then
  APP_DB_URL=$BENCH_APP_DB
elif [ "$DB_KIND" = postgres ]; then
  app_db=bench_hotspots_$$
  echo "== copying ${BENCH_SOURCE:-bench_cases_1m} to $app_db"
  createdb "${PGARGS[@]}" -T "${BENCH_SOURCE:-bench_cases_1m}" "$app_db"
  DATABASES+=("$app_db")
  APP_DB_URL=$pgurl/$app_db
elif [ "$DB_KIND" = sqlite ]; then
  source_db=${BENCH_SOURCE:-/tmp/bench-dbs/cases-1m.db}
  echo "== copying $source_db"
  for f in "$source_db" "$source_db-wal" "$source_db-shm"; do
    [ -f "$f" ] && cp "$f" "$WORK/app.db${f#"$source_db"}"
  done
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
REBUILD_S=0
if [ -z "${BENCH_APP_DB:-}" ]; then
echo "== flask db upgrade, flask hotspots rebuild ($DB_KIND, 1,000,000 cases)"
(cd "$ROOT" && "$BIN/flask" --app wsgi db upgrade >/dev/null 2>"$WORK/migrate.log") \
  || { cat "$WORK/migrate.log" >&2; exit 1; }
began=$(date +%s.%N)
(cd "$ROOT" && "$BIN/flask" --app wsgi hotspots rebuild) | tee "$OUT/$STAMP-$DB_KIND-hotspots-rebuild.txt"
REBUILD_S=$(echo "$(date +%s.%N) - $began" | bc)
echo "rebuild (with the flask start): ${REBUILD_S} s"
if [ "$DB_KIND" = postgres ]; then
  psql "${PGARGS[@]}" -q -d "$app_db" -c "VACUUM ANALYZE place_month_counts" \
    -c "VACUUM ANALYZE repeat_spots"
else
  "$BIN/python" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('ANALYZE'); c.close()" "$WORK/app.db"
fi
fi

# --- servers ----------------------------------------------------------------------------------
start_servers

STAFF_COOKIE=$(sign_in $STAFF_PHONE)
ADMIN_COOKIE=$(sign_in $ADMIN_PHONE)
[ -n "$STAFF_COOKIE" ] && [ -n "$ADMIN_COOKIE" ] || { echo "bench: no session cookie" >&2; exit 1; }

# Every kind of URL the load script asks for must be a signed-in 200 with the grid.
for cookie in "$STAFF_COOKIE" "$ADMIN_COOKIE"; do
  for path in "/hotspots?period=12" "/hotspots?period=12&compound=1" "/hotspots?period=month" \
              "/hotspots?period=3" "/hotspots?period=6&compound=3"; do
    code=$(curl -s -o "$WORK/check.html" -w '%{http_code}' -H "Cookie: $cookie" "$APP$path")
    if [ "$code" != 200 ] || ! grep -q 'class="heat"' "$WORK/check.html"; then
      echo "bench: $path answered $code without the grid" >&2; exit 1
    fi
  done
done

# --- load -------------------------------------------------------------------------------------
cat "$WORK/floor/rand.lua" "$ROOT/bench/report.lua" >"$WORK/floor.lua"
cat "$ROOT/bench/hotspots.lua" "$ROOT/bench/report.lua" >"$WORK/hotspots.lua"

measure floor "$WORK/floor.lua" "$FLOOR/items"
measure hotspots_staff "$WORK/hotspots.lua" "$APP/hotspots" "$STAFF_COOKIE"
measure hotspots_admin "$WORK/hotspots.lua" "$APP/hotspots" "$ADMIN_COOKIE"

"$BIN/python" - "$WORK" "$OUT/$STAMP-$DB_KIND-hotspots.json" "$DB_KIND" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" "$REBUILD_S" <<'PY'
import json, sys
work, out, db, threads, conns, duration, workers, rebuild = sys.argv[1:]
floor, staff, admin = (json.load(open(f"{work}/{n}.json"))
                       for n in ("floor", "hotspots_staff", "hotspots_admin"))
result = {"database": db, "wrk": f"-t{threads} -c{conns} -d{duration}",
          "gunicorn_workers": workers, "rebuild_seconds": float(rebuild), "floor": floor,
          "hotspots_staff": staff, "hotspots_admin": admin}
print(f"\n{'page':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
for name, r in (("floor /items", floor), ("/hotspots 12 months (staff)", staff),
                ("/hotspots 12 months (admin)", admin)):
    errors = sum(r["errors"].values())
    r["ratio"] = round(r["rps"] / floor["rps"], 3) if floor["rps"] else 0.0
    print(f"{name:<30}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{errors:>8}"
          f"{r['ratio']:>8.2f}")
for name, r in (("staff", staff), ("admin", admin)):
    ok = r["ratio"] >= 0.5
    print(f"{name}: ratio {r['ratio']:.2f} (target >= 0.50), p99 {r['p99_ms']:.1f} ms: "
          f"{'met' if ok else 'MISSED'}")
print(f"rebuild at 1M cases: {float(rebuild):.1f} s (flask start included)")
json.dump(result, open(out, "w"), indent=2)
print(f"database {db}, wrk -t{threads} -c{conns} -d{duration}, gunicorn -w {workers}; "
      f"written to {out}")
PY

# The same comparison in CPU time per request, which other load on the machine disturbs less.
(cd "$ROOT" && "$BIN/python" bench/cpu_ratio.py "$WORK/floor" hotspots) \
  | tee "$OUT/$STAMP-$DB_KIND-hotspots-cpu.txt"
