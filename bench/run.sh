#!/usr/bin/env bash
# The signed-in team list against the floor page, same machine, same run, same load.
# Usage: bench/run.sh            (SQLite)      BENCH_DB=postgres bench/run.sh   (PostgreSQL)
#        BENCH_PAGE=events bench/run.sh (or bench/run_events.sh): the event list at 100,000 events
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
ROUNDS=${BENCH_ROUNDS:-3}  # floor and ours alternate, so a burst of other load hits both
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-2}
PAGE=${BENCH_PAGE:-teams}
ADMIN_PASSWORD=demo1234
# What is measured: who signs in, the seed, the load script, the URLs checked first, the page.
case "$PAGE" in
  teams)
    ADMIN_PHONE=13800000001; SEED=seed_teams.py; LUA=teams.lua; URL=/teams/; MARKER='id="results"'
    CHECKS=("/teams/?page=1" "/teams/?page=20" "/teams/?q=%E9%A6%96%E5%8D%8E" "/teams/?skill=drain&page=3")
    SEEDING="2,000 teams, 20,000 members"; LABEL="teams /teams/ (admin)"; P99_TARGET=40; CPU_MODE=""
    ;;
  events)  # signed in as 刘芳, a volunteer: she sees every community's events
    ADMIN_PHONE=13800000007; SEED=seed_events.py; LUA=events.lua; URL=/events; MARKER='id="event-list"'
    CHECKS=("/events?page=1" "/events?page=20" "/events?when=past&page=20" "/events?kind=bike_drive&page=3")
    SEEDING="100,000 events"; LABEL="events /events (vol.)"; P99_TARGET=0; CPU_MODE=events
    ;;
  *) echo "bench: BENCH_PAGE must be teams or events" >&2; exit 2 ;;
esac
OUT=$ROOT/bench/out
STAMP=$(date +%Y%m%d-%H%M%S)

source "$ROOT/bench/common.sh"

# --- databases --------------------------------------------------------------------------------
if [ "$DB_KIND" = postgres ]; then
  pg="postgresql+psycopg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}"
  floor_db=bench_floor_$$; app_db=bench_app_$$
  for name in $floor_db $app_db; do
    createdb -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" "$name"
    DATABASES+=("$name")
  done
  export FLOOR_DB_URL=$pg/$floor_db
  APP_DB_URL=$pg/$app_db
elif [ "$DB_KIND" = sqlite ]; then
  unset FLOOR_DB_URL  # the floor's own default: floor.db beside its app.py
  APP_DB_URL=sqlite:///$WORK/app.db
else
  echo "bench: BENCH_DB must be sqlite or postgres" >&2; exit 2
fi

echo "== seeding the floor ($DB_KIND)"
cp -r "$FLOOR_SRC" "$WORK/floor"
rm -f "$WORK"/floor/floor.db*
(cd "$WORK/floor" && "$BIN/python" seed.py)

echo "== seeding the app ($DB_KIND): migrations, demo story, $SEEDING"
export SECRET_KEY=bench-$$ DATABASE_URL=$APP_DB_URL
(cd "$ROOT" && "$BIN/flask" --app wsgi db upgrade >/dev/null 2>"$WORK/migrate.log") \
  || { cat "$WORK/migrate.log" >&2; exit 1; }
"$BIN/python" "$ROOT/bench/$SEED"

# --- servers ----------------------------------------------------------------------------------
start_servers

# --- sign in once as the admin ----------------------------------------------------------------
JAR=$WORK/cookies.txt
token=$(curl -s -c "$JAR" "$APP/login" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$token" ] || { echo "bench: no CSRF token on /login" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
  --data-urlencode "csrf_token=$token" --data-urlencode "phone=$ADMIN_PHONE" \
  --data-urlencode "password=$ADMIN_PASSWORD" "$APP/login")
[ "$status" = 302 ] || { echo "bench: sign-in answered $status, not 302" >&2; exit 1; }
BENCH_COOKIE=$(awk -F'\t' '$6 == "session" {print "session=" $7}' "$JAR")
[ -n "$BENCH_COOKIE" ] || { echo "bench: no session cookie after sign-in" >&2; exit 1; }
export BENCH_COOKIE

# Every kind of URL the load script asks for must be a signed-in 200, not a redirect to /login.
for path in "${CHECKS[@]}"; do
  code=$(curl -s -o "$WORK/check.html" -w '%{http_code}' -H "Cookie: $BENCH_COOKIE" "$APP$path")
  if [ "$code" != 200 ] || ! grep -q "$MARKER" "$WORK/check.html"; then
    echo "bench: $path answered $code without the $PAGE list" >&2; exit 1
  fi
done

# --- load -------------------------------------------------------------------------------------
cat "$WORK/floor/rand.lua" "$ROOT/bench/report.lua" >"$WORK/floor.lua"
cat "$ROOT/bench/$LUA" "$ROOT/bench/report.lua" >"$WORK/teams.lua"

for round in $(seq "$ROUNDS"); do
  measure "floor-$round" "$WORK/floor.lua" "$FLOOR/items"
  measure "$PAGE-$round" "$WORK/teams.lua" "$APP$URL"
done

"$BIN/python" - "$WORK" "$PAGE" "$ROUNDS" "$OUT/$STAMP-$DB_KIND-$PAGE.json" "$DB_KIND" \
  "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" "$LABEL" "$P99_TARGET" <<'EOF'
import json, statistics, sys
work, page, rounds, out, db, threads, conns, duration, workers, label, p99_target = sys.argv[1:]
p99_target = float(p99_target)  # 0: no p99 target for this page
runs = [(json.load(open(f"{work}/floor-{r}.json")), json.load(open(f"{work}/{page}-{r}.json")))
        for r in range(1, int(rounds) + 1)]
ratios = [ours["rps"] / floor["rps"] if floor["rps"] else 0.0 for floor, ours in runs]
ratio = statistics.median(ratios)
p99 = statistics.median(o["p99_ms"] for _, o in runs)
floor_p99 = statistics.median(f["p99_ms"] for f, _ in runs)
ok_ratio, ok_p99 = ratio >= 0.6, not p99_target or p99 <= p99_target
result = {"database": db, "wrk": f"-t{threads} -c{conns} -d{duration}", "gunicorn_workers": workers,
          "rounds": [{"floor": f, label.split()[0]: o} for f, o in runs],
          "ratios": [round(r, 3) for r in ratios], "ratio": round(ratio, 3),
          "p99_ms": p99, "floor_p99_ms": floor_p99,
          "target": {"ratio>=0.6": ok_ratio, "p99": ok_p99}}
json.dump(result, open(out, "w"), indent=2)
print(f"\n{'round':<7}{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
for n, (f, o) in enumerate(runs, 1):
    for name, r in (("floor /items", f), (label, o)):
        errors = sum(r["errors"].values())
        print(f"{n:<7}{name:<22}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{errors:>8}")
print(f"\nratio ours/floor per round: {', '.join(f'{r:.2f}' for r in ratios)}; median {ratio:.2f}"
      f"  (target >= 0.60: {'met' if ok_ratio else 'MISSED'})")
print(f"p99 (median of rounds) {p99:.1f} ms, the floor's {floor_p99:.1f} ms" + (
    f" (target <= {p99_target:.0f} ms: {'met' if ok_p99 else 'MISSED'})" if p99_target else ""))
print(f"database {db}, wrk -t{threads} -c{conns} -d{duration}, gunicorn -w {workers}, "
      f"{rounds} rounds; written to {out}")
EOF

# The same comparison in CPU time per request, which other load on the machine disturbs less.
(cd "$ROOT" && "$BIN/python" bench/cpu_ratio.py "$WORK/floor" $CPU_MODE) \
  | tee "$OUT/$STAMP-$DB_KIND-$PAGE-cpu.txt"
