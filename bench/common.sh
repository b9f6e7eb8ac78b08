# Shared by the bench scripts (sourced): tool checks, a scratch folder, the servers and
# databases to stop and drop on exit, and the helpers: free_port, wait_for, start_servers
# (the floor and the app under gunicorn, WORKERS each), sign_in (phone, PASSWORD) and measure
# (one wrk run after a 2 s warm-up; expects THREADS, CONNECTIONS, DURATION, STAMP, DB_KIND). Expects BIN, FLOOR_SRC and OUT.

for tool in wrk curl; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$BIN/gunicorn" ] || { echo "bench: run 'make setup' first (no $BIN/gunicorn)" >&2; exit 2; }
[ -f "$FLOOR_SRC/app.py" ] || {
  echo "bench: no floor page at $FLOOR_SRC; set BENCH_FLOOR=/path/to/bench-floor" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
mkdir -p "$OUT"
PIDS=()
DATABASES=()

cleanup() {
  for pidfile in "${PIDS[@]}"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  for name in "${DATABASES[@]}"; do
    dropdb -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" \
      --if-exists "$name" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
  "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # url: wait up to 30 s for a 200
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up; see $WORK/*.log" >&2
  cat "$WORK"/*.log >&2 || true
  exit 1
}

start_servers() {  # the floor (from $WORK/floor) and the app, on free ports: sets FLOOR and APP
  FLOOR_PORT=$(free_port)
  APP_PORT=$(free_port)
  while [ "$APP_PORT" = "$FLOOR_PORT" ]; do APP_PORT=$(free_port); done
  PIDS+=("$WORK/floor.pid" "$WORK/app.pid")
  (cd "$WORK/floor" && exec "$BIN/gunicorn" --no-control-socket -w "$WORKERS" \
    -b "127.0.0.1:$FLOOR_PORT" --pid "$WORK/floor.pid" 'app:create_app()' \
    >"$WORK/floor.log" 2>&1) &
  (cd "$ROOT" && exec "$BIN/gunicorn" --no-control-socket -w "$WORKERS" \
    -b "127.0.0.1:$APP_PORT" --pid "$WORK/app.pid" 'coordinator:create_app()' \
    >"$WORK/app.log" 2>&1) &
  FLOOR=http://127.0.0.1:$FLOOR_PORT
  APP=http://127.0.0.1:$APP_PORT
  wait_for "$FLOOR/plain"
  wait_for "$APP/healthz"
}

sign_in() {  # phone → prints "session=..."
  local jar=$WORK/cookies-$1.txt token status
  token=$(curl -s -c "$jar" "$APP/login" \
    | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)
  [ -n "$token" ] || { echo "bench: no CSRF token on /login" >&2; exit 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
    --data-urlencode "csrf_token=$token" --data-urlencode "phone=$1" \
    --data-urlencode "password=$PASSWORD" "$APP/login")
  [ "$status" = 302 ] || { echo "bench: sign-in of $1 answered $status, not 302" >&2; exit 1; }
  awk -F'\t' '$6 == "session" {print "session=" $7}' "$jar"
}

measure() {  # name script url [cookie, else an exported BENCH_COOKIE]; the load script reads BENCH_*
  echo "== $1: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $3"
  BENCH_COOKIE=${4:-${BENCH_COOKIE:-}} BENCH_RESULT=/dev/null \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$2" "$3" >/dev/null  # warm-up
  BENCH_COOKIE=${4:-${BENCH_COOKIE:-}} BENCH_RESULT=$WORK/$1.json wrk -t"$THREADS" -c"$CONNECTIONS" \
    -d"$DURATION" --latency -s "$2" "$3" | tee "$OUT/$STAMP-$DB_KIND-$1.txt"
}
