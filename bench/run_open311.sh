#!/usr/bin/env bash
# Open311 GET requests.json at 1,000,000 cases against the floor page, same machine, same run,
# same load: the default window (the last 90 days, first page) and the standard filters
# (bench/open311.lua). No sign-in: it is the public read.
# Usage: bench/run_open311.sh      (SQLite)      BENCH_DB=postgres bench/run_open311.sh
# BENCH_COPY_OF=<SQLite file | PostgreSQL database> runs on a copy of a database seeded before
#   by bench/seed_cases.py (e.g. /tmp/bench-dbs/cases-1m.db, or bench_cases_1m), dropped after;
# BENCH_APP_DB=<database URL> uses that database itself (kept; Open311's tables are added);
# neither: migrations, demo story and 1,000,000 cases seeded here (4-5 minutes).
# Env: BENCH_FLOOR (default ../shared/bench-floor from the repo root), BENCH_DURATION (10s),
#      BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_WORKERS (gunicorn workers, 2),
#      PGHOST/PGPORT/PGUSER for BENCH_DB=postgres (127.0.0.1, 5432, postgres).
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
OUT=$ROOT/bench/out
STAMP=$(date +%Y%m%d-%H%M%S)
PG=(-h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}")

source "$ROOT/bench/common.sh"

# --- databases --------------------------------------------------------------------------------
pgurl="postgresql+psycopg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
if [ "$DB_KIND" = postgres ]; then
  floor_db=bench_floor_$$
  createdb "${PG[@]}" "$floor_db"
  DATABASES+=("$floor_db")
  export FLOOR_DB_URL=$pgurl/$floor_db
elif [ "$DB_KIND" = sqlite ]; then
  unset FLOOR_DB_URL  # the floor's own default: floor.db beside its app.py
else
  echo "bench: BENCH_DB must be sqlite or postgres" >&2; exit 2
fi

echo "== seeding the floor ($DB_KIND)"
cp -r "$FLOOR_SRC" "$WORK/floor"
rm -f "$WORK"/floor/floor.db*
(cd "$WORK/floor" && "$BIN/python" seed.py)

export SECRET_KEY=bench-$$
migrate() {
  (cd "$ROOT" && DATABASE_URL=$APP_DB_URL "$BIN/flask" --app wsgi db upgrade >/dev/null \
    2>"$WORK/migrate.log") || { cat "$WORK/migrate.log" >&2; exit 1; }
}
if [ -n "${BENCH_APP_DB:-}" ]; then
  echo "== using the app database $BENCH_APP_DB (kept)"
  APP_DB_URL=$BENCH_APP_DB
  migrate
elif [ -n "${BENCH_COPY_OF:-}" ]; then
  echo "== copying $BENCH_COPY_OF (dropped after)"
  if [ "$DB_KIND" = postgres ]; then
    app_db=bench_open311_$$
    createdb "${PG[@]}" -T "$BENCH_COPY_OF" "$app_db"
    DATABASES+=("$app_db")
    APP_DB_URL=$pgurl/$app_db
  else
    cp "$BENCH_COPY_OF" "$WORK/app.db"
    APP_DB_URL=sqlite:///$WORK/app.db
  fi
  migrate
else
  if [ "$DB_KIND" = postgres ]; then
    app_db=bench_open311_$$
    createdb "${PG[@]}" "$app_db"
    DATABASES+=("$app_db")
    APP_DB_URL=$pgurl/$app_db
  else
    APP_DB_URL=sqlite:///$WORK/app.db
  fi
  echo "== seeding the app ($DB_KIND): migrations, demo story, 1,000,000 cases"
  migrate
  DATABASE_URL=$APP_DB_URL "$BIN/python" "$ROOT/bench/seed_cases.py"
fi
export DATABASE_URL=$APP_DB_URL

# --- servers ----------------------------------------------------------------------------------
start_servers

# Every kind of URL the load script asks for must be a 200 with a JSON list of requests.
day() { date -u -d "$1 days ago" +%Y-%m-%dT00:00:00Z; }
for query in "" "service_code=drain" "status=open" "status=closed" "status=open,closed" \
             "service_code=drain,trees&status=open" "page=20" "service_request_id=17,24,517" \
             "start_date=$(day 400)&end_date=$(day 320)"; do
  code=$(curl -s -o "$WORK/check.json" -w '%{http_code}' "$APP/open311/v2/requests.json?$query")
  if [ "$code" != 200 ] || ! head -c 40 "$WORK/check.json" | grep -q '^\[{"service_request_id"'; then
    echo "bench: requests.json?$query answered $code without requests" >&2
    head -c 300 "$WORK/check.json" >&2; exit 1
  fi
done

# --- load -------------------------------------------------------------------------------------
cat "$WORK/floor/rand.lua" "$ROOT/bench/report.lua" >"$WORK/floor.lua"
cat "$ROOT/bench/open311.lua" "$ROOT/bench/report.lua" >"$WORK/filters.lua"
printf 'request = function() return wrk.format("GET", "/open311/v2/requests.json") end\n' \
  | cat - "$ROOT/bench/report.lua" >"$WORK/default.lua"

measure floor "$WORK/floor.lua" "$FLOOR/items"
measure open311_default "$WORK/default.lua" "$APP/open311/v2/requests.json"
measure open311_filters "$WORK/filters.lua" "$APP/open311/v2/requests.json"

"$BIN/python" - "$WORK" "$OUT/$STAMP-$DB_KIND-open311.json" "$DB_KIND" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" <<'PY'
import json, sys
work, out, db, threads, conns, duration, workers = sys.argv[1:]
floor, default, filters = (json.load(open(f"{work}/{n}.json"))
                           for n in ("floor", "open311_default", "open311_filters"))
result = {"database": db, "wrk": f"-t{threads} -c{conns} -d{duration}",
          "gunicorn_workers": workers, "floor": floor, "open311_default": default,
          "open311_filters": filters}
print(f"\n{'page':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
for name, r in (("floor /items", floor), ("requests.json (default)", default),
                ("requests.json (filters)", filters)):
    errors = sum(r["errors"].values())
    r["ratio"] = round(r["rps"] / floor["rps"], 3) if floor["rps"] else 0.0
    print(f"{name:<34}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{errors:>8}"
          f"{r['ratio']:>8.2f}")
for name, r in (("default", default), ("filters", filters)):
    print(f"{name}: ratio {r['ratio']:.2f} (target >= 0.50), p99 {r['p99_ms']:.1f} ms: "
          f"{'met' if r['ratio'] >= 0.5 else 'MISSED'}")
json.dump(result, open(out, "w"), indent=2)
print(f"database {db}, wrk -t{threads} -c{conns} -d{duration}, gunicorn -w {workers}; "
      f"written to {out}")
PY

# The same comparison in CPU time per request, which other load on the machine disturbs less.
(cd "$ROOT" && "$BIN/python" bench/open311_cpu.py "$WORK/floor") \
  | tee "$OUT/$STAMP-$DB_KIND-open311-cpu.txt"
