# Shared by the bench scripts (sourced): tool checks, a scratch folder, the servers and
# databases to stop and drop on exit, and two helpers. Expects BIN, FLOOR_SRC and OUT.

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
