#!/usr/bin/env bash
# The dispatch board at 1,000,000 cases against the floor page, same machine, same run, same
# load, signed in as 红联北村社区's staff (王伟, 13800000002) and as the admin.
# Usage: bench/run_board.sh      (SQLite)      BENCH_DB=postgres bench/run_board.sh (PostgreSQL)
# BENCH_APP_DB=<database URL> reuses a database seeded before by bench/seed_cases.py (kept).
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
ADMIN_PHONE=13800000001
STAFF_PHONE=13800000002
PASSWORD=demo1234
OUT=$ROOT/bench/out
STAMP=$(date +%Y%m%d-%H%M%S)

source "$ROOT/bench/common.sh"

# --- databases --------------------------------------------------------------------------------
pgurl="postgresql+psycopg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
if [ "$DB_KIND" = postgres ]; then
  floor_db=bench_floor_$$
  createdb -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" "$floor_db"
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
if [ -n "${BENCH_APP_DB:-}" ]; then
  echo "== reusing the seeded app database $BENCH_APP_DB"
  APP_DB_URL=$BENCH_APP_DB
else
  if [ "$DB_KIND" = postgres ]; then
    app_db=bench_board_$$
    createdb -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" "$app_db"
    DATABASES+=("$app_db")
    APP_DB_URL=$pgurl/$app_db
  else
    APP_DB_URL=sqlite:///$WORK/app.db
  fi
  echo "== seeding the app ($DB_KIND): migrations, demo story, 1,000,000 cases"
  (cd "$ROOT" && DATABASE_URL=$APP_DB_URL "$BIN/flask" --app wsgi db upgrade >/dev/null \
    2>"$WORK/migrate.log") || { cat "$WORK/migrate.log" >&2; exit 1; }
  DATABASE_URL=$APP_DB_URL "$BIN/python" "$ROOT/bench/seed_cases.py"
fi
export DATABASE_URL=$APP_DB_URL

# --- servers ----------------------------------------------------------------------------------
start_servers

STAFF_COOKIE=$(sign_in $STAFF_PHONE)
ADMIN_COOKIE=$(sign_in $ADMIN_PHONE)
[ -n "$STAFF_COOKIE" ] && [ -n "$ADMIN_COOKIE" ] || { echo "bench: no session cookie" >&2; exit 1; }

# Every kind of URL the load script asks for must be a signed-in 200 with the board.
for cookie in "$STAFF_COOKIE" "$ADMIN_COOKIE"; do
  for path in "/cases?page=1" "/cases?page=20" "/cases?q=%E4%B8%8B%E6%B0%B4%E9%81%93" \
              "/cases?status=overdue&page=2" "/cases?category=drain&status=all&page=5" \
              "/cases?channel=phone&since=2026-01-01&page=3"; do
    code=$(curl -s -o "$WORK/check.html" -w '%{http_code}' -H "Cookie: $cookie" "$APP$path")
    if [ "$code" != 200 ] || ! grep -q 'id="results"' "$WORK/check.html"; then
      echo "bench: $path answered $code without the board" >&2; exit 1
    fi
  done
done

# --- load -------------------------------------------------------------------------------------
cat "$WORK/floor/rand.lua" "$ROOT/bench/report.lua" >"$WORK/floor.lua"
cat "$ROOT/bench/board.lua" "$ROOT/bench/report.lua" >"$WORK/board.lua"

measure floor "$WORK/floor.lua" "$FLOOR/items"
measure board_staff "$WORK/board.lua" "$APP/cases" "$STAFF_COOKIE"
measure board_admin "$WORK/board.lua" "$APP/cases" "$ADMIN_COOKIE"

"$BIN/python" - "$WORK" "$OUT/$STAMP-$DB_KIND-board.json" "$DB_KIND" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" <<'EOF'
import json, sys
work, out, db, threads, conns, duration, workers = sys.argv[1:]
floor, staff, admin = (json.load(open(f"{work}/{n}.json"))
                       for n in ("floor", "board_staff", "board_admin"))
result = {"database": db, "wrk": f"-t{threads} -c{conns} -d{duration}",
          "gunicorn_workers": workers, "floor": floor, "board_staff": staff,
          "board_admin": admin}
print(f"\n{'page':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
for name, r in (("floor /items", floor), ("board /cases (staff)", staff),
                ("board /cases (admin)", admin)):
    errors = sum(r["errors"].values())
    r["ratio"] = round(r["rps"] / floor["rps"], 3) if floor["rps"] else 0.0
    print(f"{name:<28}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{errors:>8}"
          f"{r['ratio']:>8.2f}")
for name, r in (("staff", staff), ("admin", admin)):
    ok = r["ratio"] >= 0.5 and r["p99_ms"] <= 50
    print(f"{name}: ratio {r['ratio']:.2f} (target >= 0.50), p99 {r['p99_ms']:.1f} ms "
          f"(target <= 50 ms): {'met' if ok else 'MISSED'}")
json.dump(result, open(out, "w"), indent=2)
print(f"database {db}, wrk -t{threads} -c{conns} -d{duration}, gunicorn -w {workers}; "
      f"written to {out}")
EOF

# The same comparison in CPU time per request, which other load on the machine disturbs less.
(cd "$ROOT" && "$BIN/python" bench/cpu_ratio.py "$WORK/floor" board) \
  | tee "$OUT/$STAMP-$DB_KIND-board-cpu.txt"
