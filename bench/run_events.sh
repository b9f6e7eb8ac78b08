#!/usr/bin/env bash
# The signed-in event list at 100,000 events against the floor page: run.sh with BENCH_PAGE=events.
# Usage: bench/run_events.sh     (SQLite)      BENCH_DB=postgres bench/run_events.sh
exec env BENCH_PAGE=events bash "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
