#!/usr/bin/env bash
# Petitions at two years' size (issue 8):  bash bench/petitions.sh   (10-15 minutes; root, or sudo for apt)
#
# The database `bench_petitions` (dropped and created again), the demo district with ~300
# enterprises (bench/generate.py), 50,000 petitions with their events from 2025-01-01 to
# 2026-11-24 (bench/petitions.py generate), then:
#   - each review step timed on its date, with its queries (bench/petitions.py steps);
#   - queries per page and one request at a time in-process (bench/petitions.py pages);
#   - gunicorn (2 × cores sync workers, DEBUG off) + PostgreSQL + Redis, wrk on each page
#     with the bare template view first and last (bench/petitions.py load).
# Writes bench/results/petitions.json and prints the tables of docs/performance.md,
# section "Petitions at two years' size".
#
# PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are used where
# they run, otherwise installed and started as bench/run.sh does, and stopped at exit.
# Redis db BENCH_CACHE_DB (12) is the cache and BENCH_BROKER_DB (11) the broker; both
# are emptied first, and the broker again at exit (the review steps enqueue e-mails that
# no worker takes). At exit gunicorn stops; the database is kept for EXPLAIN and
# bench/hotspots.py unless BENCH_DROP=1.
#
# Knobs: BENCH_PETITIONS_DB (bench_petitions: another name keeps a second run's data apart),
# BENCH_PETITIONS (50000), BENCH_SCALE (9: 300 enterprises), BENCH_STEP_REPEAT (3
# rolled-back runs of each step before the committed one), BENCH_REPEAT (30 in-process
# requests per page), BENCH_DURATION (10 s per page), BENCH_CONNECTIONS (8),
# BENCH_THREADS (2), BENCH_WARMUP (2), BENCH_ATTEMPTS (3), BENCH_MAX_OTHER (0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=${BENCH_PETITIONS_DB:-bench_petitions}
export BENCH_PETITIONS_DB=$DB
PETITIONS=${BENCH_PETITIONS:-50000}
SCALE=${BENCH_SCALE:-9}
CACHE_DB=${BENCH_CACHE_DB:-12}
BROKER_DB=${BENCH_BROKER_DB:-11}
PY=$ROOT/.venv/bin/python
RESULTS=$ROOT/bench/results
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*" >&2; }

SUDO=""
[[ $EUID -eq 0 ]] || SUDO=sudo

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cleanup() {
  local status=$?
  set +e
  # The review steps enqueue e-mails that no worker takes.
  redis-cli -n "$BROKER_DB" flushdb >/dev/null 2>&1
  if [[ ${BENCH_DROP:-0} == 1 ]]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  fi
  bench_stop $status
}
trap cleanup EXIT
bench_setup "$DB" "$CACHE_DB" "$BROKER_DB"
export VAR_DIR=$RUNTMP/var LOG_LEVEL=WARNING

step "data: demo + scale $SCALE (bench/generate.py)"
"$PY" manage.py compile_translations >/dev/null
"$PY" bench/generate.py --scale "$SCALE"
"$PY" manage.py collectstatic --noinput -v 0

step "data: $PETITIONS petitions (bench/petitions.py generate)"
"$PY" bench/petitions.py generate --petitions "$PETITIONS"

step "review steps (bench/petitions.py steps)"
mkdir -p "$RESULTS"
"$PY" bench/petitions.py steps --repeat "${BENCH_STEP_REPEAT:-3}" --out "$RUNTMP/steps.json"

step "queries per page (bench/petitions.py pages)"
"$PY" bench/petitions.py pages --repeat "${BENCH_REPEAT:-30}" --out "$RUNTMP/queries.json" \
  --sessions "$RUNTMP/sessions.json"

step "gunicorn"
bench_gunicorn

step "load: wrk per page, $WORKERS gunicorn workers"
BENCH_VERSIONS=$("$PY" - "$WORKERS" "$DB" <<'PYEOF'
import json, platform, subprocess, sys

import django
import gunicorn


def out(command):
    return subprocess.run(command, capture_output=True, text=True).stdout.strip()


print(json.dumps({
    "python": platform.python_version(),
    "django": django.get_version(),
    "gunicorn": gunicorn.__version__,
    "gunicorn_workers": int(sys.argv[1]),
    "gunicorn_worker_class": "sync",
    "postgresql": out(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", sys.argv[2], "-Atc", "show server_version"]),
    "redis": next((line.split(":", 1)[1] for line in out(["redis-cli", "info", "server"]).splitlines() if line.startswith("redis_version:")), "unknown"),
    "git_commit": out(["git", "rev-parse", "--short", "HEAD"]) or "unknown",
    "git_dirty": bool(out(["git", "status", "--porcelain", "--untracked-files=no"])),
    "loadavg_before": open("/proc/loadavg").read().split()[:3],
}))
PYEOF
)
export BENCH_VERSIONS
"$PY" bench/petitions.py load --base "http://127.0.0.1:$PORT" --sessions "$RUNTMP/sessions.json" \
  --queries "$RUNTMP/queries.json" --steps "$RUNTMP/steps.json" --out "$RESULTS/petitions.json" \
  --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-8}" \
  --duration "${BENCH_DURATION:-10}" --warmup "${BENCH_WARMUP:-2}" \
  --server-pid "$GUNICORN_PID" --attempts "${BENCH_ATTEMPTS:-3}" --max-other "${BENCH_MAX_OTHER:-0.2}"
step "done: $RESULTS/petitions.json"
