#!/usr/bin/env bash
# Publicity (issue 9):  bash bench/publicity.sh   (4-9 minutes; root, or sudo for apt)
#
# The database `bench_publicity` (dropped and created again), the demo district with ~300
# enterprises (bench/generate.py), then (bench/publicity.py):
#   - data: 50,000 petitions of two years (bench/petitions.py's generator), 600 published
#     articles, and officials up to 1,000 in the departments;
#   - pages: queries per public page and one request at a time in-process;
#   - build: this week's digests planned and a sample built in-process, rolled back;
#   - send: an SMTP sink (aiosmtpd, loopback) and a real Celery worker (prefork, Redis
#     broker, EMAIL_HOST/EMAIL_PORT at the sink); the week's plan is enqueued through
#     Redis and timed until every digest is sent and received;
#   - load: gunicorn (2 × cores sync workers, DEBUG off) + PostgreSQL + Redis, wrk on the
#     news home, an article, the feeds, a kind's list and a search, with the bare
#     template view first and last.
# Writes bench/results/publicity.json and prints the tables of docs/performance.md,
# section "Publicity: the news site and the weekly digests".
#
# PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are used where
# they run, otherwise installed and started as bench/run.sh does, and stopped at exit.
# Redis db BENCH_CACHE_DB (10) is the cache and BENCH_BROKER_DB (9) the broker; both are
# emptied first, the broker again before the worker starts (seed_demo's weekly dispatch
# enqueues the demo's digests) and at exit. At exit the worker, the sink and gunicorn
# stop; the database is kept for EXPLAIN and bench/hotspots.py unless BENCH_DROP=1.
#
# Knobs: BENCH_PETITIONS (50000), BENCH_ARTICLES (600), BENCH_OFFICIALS (1000),
# BENCH_SCALE (9: 300 enterprises), BENCH_CONCURRENCY (the worker's processes: the
# cores, Celery's default), BENCH_SAMPLE (100 digests built in-process),
# BENCH_SEND_TIMEOUT (600 s), BENCH_REPEAT (30 in-process requests per page),
# BENCH_DURATION (10 s per page), BENCH_CONNECTIONS (8), BENCH_THREADS (2),
# BENCH_WARMUP (2), BENCH_ATTEMPTS (3), BENCH_MAX_OTHER (0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=bench_publicity
SCALE=${BENCH_SCALE:-9}
CACHE_DB=${BENCH_CACHE_DB:-10}
BROKER_DB=${BENCH_BROKER_DB:-9}
CONCURRENCY=${BENCH_CONCURRENCY:-$(nproc)}
PY=$ROOT/.venv/bin/python
RESULTS=$ROOT/bench/results
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*" >&2; }

SUDO=""
[[ $EUID -eq 0 ]] || SUDO=sudo

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
WORKER_PID="" SINK_PID=""


cleanup() {
  local status=$?
  set +e
  stop_pid "$WORKER_PID"
  stop_pid "$SINK_PID"
  if ((status != 0)) && [[ -s $RUNTMP/worker.log ]]; then
    echo "--- last lines of the worker's log:" >&2
    tail -n 30 "$RUNTMP/worker.log" >&2
  fi
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

step "data: petitions, articles, officials (bench/publicity.py data)"
"$PY" bench/publicity.py data --petitions "${BENCH_PETITIONS:-50000}" \
  --articles "${BENCH_ARTICLES:-600}" --officials "${BENCH_OFFICIALS:-1000}"

step "queries per page (bench/publicity.py pages)"
mkdir -p "$RESULTS"
"$PY" bench/publicity.py pages --repeat "${BENCH_REPEAT:-30}" --out "$RUNTMP/queries.json" \
  --sessions "$RUNTMP/sessions.json"

step "digests planned and built in-process, rolled back (bench/publicity.py build)"
"$PY" bench/publicity.py build --sample "${BENCH_SAMPLE:-100}" --out "$RUNTMP/build.json"

step "smtp sink"
# seed_demo's weekly dispatch enqueued the demo's digests: no worker may take them.
redis-cli -n "$BROKER_DB" flushdb >/dev/null
bench_sink

step "celery worker: prefork, concurrency $CONCURRENCY, mail to 127.0.0.1:$SINK_PORT"
bench_worker "$CONCURRENCY"

step "digests through the worker (bench/publicity.py send)"
"$PY" bench/publicity.py send --sink-log "$RUNTMP/sink.jsonl" --worker-pid "$WORKER_PID" \
  --sink-pid "$SINK_PID" --concurrency "$CONCURRENCY" --timeout "${BENCH_SEND_TIMEOUT:-600}" \
  --out "$RUNTMP/send.json"
stop_pid "$WORKER_PID"
WORKER_PID=""
stop_pid "$SINK_PID"
SINK_PID=""
errors=$(grep -c -E "ERROR|Traceback" "$RUNTMP/worker.log" || true)
echo "worker log: $(wc -l <"$RUNTMP/worker.log") lines, $errors with ERROR or Traceback" >&2

step "gunicorn"
bench_gunicorn

step "load: wrk per page, $WORKERS gunicorn workers"
"$PY" bench/publicity.py load --base "http://127.0.0.1:$PORT" --sessions "$RUNTMP/sessions.json" \
  --queries "$RUNTMP/queries.json" --build "$RUNTMP/build.json" --send "$RUNTMP/send.json" \
  --out "$RESULTS/publicity.json" --workers "$WORKERS" --concurrency "$CONCURRENCY" \
  --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-8}" \
  --duration "${BENCH_DURATION:-10}" --warmup "${BENCH_WARMUP:-2}" \
  --server-pid "$GUNICORN_PID" --attempts "${BENCH_ATTEMPTS:-3}" --max-other "${BENCH_MAX_OTHER:-0.2}"
step "done: $RESULTS/publicity.json"
