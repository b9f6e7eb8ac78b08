#!/usr/bin/env bash
# Before/after: CPU ms per request of the team list, the board at 1,000,000 cases (staff and
# admin), the event list at 100,000 events and the sign-up POST, for two trees measured in the
# same run, in alternating rounds, on the same SQLite databases (the tables are the same).
# Usage: BENCH_BEFORE=/path/to/old/tree bench/compare.sh         (or: make bench-compare)
# Env: BENCH_BEFORE (required), BENCH_AFTER (default: the tree this script is in),
#      BENCH_ROUNDS (40: pairs of blocks per row), BENCH_PROCESSES (4: pairs of worker
#      processes per page, started in turn, that share the rounds),
#      BENCH_PAGES ("teams board events signup"),
#      BENCH_LIMIT (1.10: after/before allowed),
#      BENCH_DBS (/tmp/bench-dbs: the seeded databases, kept and reused), BENCH_RESEED=1 to
#      seed them again. Each tree needs its own .venv (make setup). Nothing listens on a port.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BEFORE=$(cd "${BENCH_BEFORE:?set BENCH_BEFORE to the tree before the change}" && pwd)
AFTER=$(cd "${BENCH_AFTER:-$ROOT}" && pwd)
ROUNDS=${BENCH_ROUNDS:-40}
PROCESSES=${BENCH_PROCESSES:-4}
PAGES=${BENCH_PAGES:-teams board events signup}
LIMIT=${BENCH_LIMIT:-1.10}
DBS=${BENCH_DBS:-/tmp/bench-dbs}
OUT=$AFTER/bench/out
STAMP=$(date +%Y%m%d-%H%M%S)
started=$(date +%s)

for tree in "$BEFORE" "$AFTER"; do
  [ -x "$tree/.venv/bin/python" ] || { echo "compare: no $tree/.venv (make setup there)" >&2; exit 2; }
done
# One set of databases serves both trees: only if their migrations are the same.
if ! diff -q <(ls "$BEFORE/migrations/versions") <(ls "$AFTER/migrations/versions") >/dev/null; then
  echo "compare: the trees' migrations differ; the same databases cannot serve both" >&2; exit 2
fi

mkdir -p "$DBS" "$OUT"
# Scratch: the sign-up databases (written to) on tmpfs, so commits do not wait for the disk.
SCRATCH=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && SCRATCH=/dev/shm
WORK=$(mktemp -d "$SCRATCH/bench-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
export SECRET_KEY=bench-compare-$$

# --- databases: seeded once by the after tree's migrations and seed scripts, then reused -----
seed_script() {
  case "$1" in
    teams) echo seed_teams.py ;; board) echo seed_cases.py ;;
    events) echo seed_events.py ;; signup) echo seed_signups.py ;;
    *) echo "compare: unknown page $1 (teams, board, events, signup)" >&2; exit 2 ;;
  esac
}
for page in $PAGES; do
  seed=$(seed_script "$page")
  db=$DBS/$page.db
  if [ -f "$db" ] && [ -f "$db.seeded" ] && [ -z "${BENCH_RESEED:-}" ]; then
    echo "== reusing $db ($(cat "$db.seeded"))"
    continue
  fi
  echo "== seeding $db with $AFTER/bench/$seed"
  rm -f "$db" "$db.seeded" "$db-wal" "$db-shm"
  t0=$(date +%s)
  (cd "$AFTER" && DATABASE_URL=sqlite:///$db .venv/bin/flask --app wsgi db upgrade \
    >"$WORK/migrate.log" 2>&1) || { cat "$WORK/migrate.log" >&2; exit 1; }
  (cd "$AFTER" && DATABASE_URL=sqlite:///$db .venv/bin/python "bench/$seed")
  echo "seeded $(date -u +%Y-%m-%dT%H:%MZ) by $seed of $(git -C "$AFTER" rev-parse --short HEAD)" \
    "in $(($(date +%s) - t0)) s" >"$db.seeded"
done

# --- rounds: per page, a worker per tree (its own venv); the two time short blocks in turn ---
echo "== before: $BEFORE ($(git -C "$BEFORE" log -1 --format='%h %s' | cut -c1-60))"
echo "== after:  $AFTER ($(git -C "$AFTER" log -1 --format='%h %s' | cut -c1-60))"
echo "== load at start: $(uptime)"
RESULTS=$WORK/results.jsonl
for page in $PAGES; do
  if [ "$page" = signup ]; then  # the sign-ups write: each tree its own copy, the same start
    for label in before after; do cp "$DBS/signup.db" "$WORK/signup-$label.db"; done
    db_before=$WORK/signup-before.db db_after=$WORK/signup-after.db
  else
    db_before=$DBS/$page.db db_after=$DBS/$page.db
  fi
  "$AFTER/.venv/bin/python" "$AFTER/bench/cpu_compare.py" run "$page" "$ROUNDS" "$PROCESSES" "$RESULTS" \
    "$BEFORE" "sqlite:///$db_before" "$AFTER" "sqlite:///$db_after"
done
echo "== load at end: $(uptime)"

cp "$RESULTS" "$OUT/$STAMP-compare.jsonl"
status=0
"$AFTER/.venv/bin/python" "$AFTER/bench/cpu_compare.py" report "$RESULTS" \
  "$OUT/$STAMP-compare.json" "$LIMIT" || status=$?
echo "before $BEFORE, after $AFTER; SQLite; $(($(date +%s) - started)) s;" \
  "written to $OUT/$STAMP-compare.json"
exit $status
