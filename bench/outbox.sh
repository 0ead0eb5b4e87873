#!/usr/bin/env bash
# The outbox (issue 17):  bash bench/outbox.sh   (13-16 minutes here; root, or sudo for apt)
#
# The database `bench_outbox` (dropped and created again) with the demo district
# (bench/generate.py --scale 1), then (bench/outbox.py):
#   - for each batch size in BENCH_BATCHES ("500", the outbox's SWEEP_BATCH; "500 10000"
#     adds a run whose one sweep asks for everything): data: 10,000 queued messages (a
#     real dispatch notice to distinct addresses, due, no task asked for any: what a
#     broker down at commit leaves), the sweep's query timed and explained at this
#     size; send: the sweep in a loop drives a real Celery worker (prefork, Redis broker,
#     EMAIL_HOST/EMAIL_PORT at an aiosmtpd sink that logs each Message-ID) until every
#     message is sent: messages per second, duplicates;
#   - pages with Redis stopped: a redis-server of this run's own on a free port holds
#     the cache and the broker (the README's layout); gunicorn (2 × cores sync workers,
#     DEBUG off) is started against it, wrk loads the bare view, `/`, `/news/`,
#     `/accounts/login/` and a member's `/petitions/` with that Redis up, then again
#     after it is stopped, and /healthz's answer is kept with each.
# Writes bench/results/outbox.json and prints the tables of docs/performance.md,
# section "The outbox".
#
# PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are used where
# they run, otherwise installed and started as bench/run.sh does, and stopped at exit.
# Redis db BENCH_CACHE_DB (6) is the cache and BENCH_BROKER_DB (5) the broker of the
# worker run; both are emptied first, the broker again before the worker starts
# (seed_demo enqueues the demo's mail) and at exit. The shared Redis is never stopped:
# the one stopped is this run's own. At exit the worker, the sink, gunicorn and the own
# Redis stop; the database is kept unless BENCH_DROP=1.
#
# Knobs: BENCH_MESSAGES (10000), BENCH_BATCHES ("500"), BENCH_CONCURRENCY (the
# worker's processes: the cores, Celery's default), BENCH_SEND_TIMEOUT (900 s),
# BENCH_DURATION (10 s per page), BENCH_CONNECTIONS (8), BENCH_THREADS (2),
# BENCH_WARMUP (2), BENCH_ATTEMPTS (3), BENCH_MAX_OTHER (0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=bench_outbox
CACHE_DB=${BENCH_CACHE_DB:-6}
BROKER_DB=${BENCH_BROKER_DB:-5}
MESSAGES=${BENCH_MESSAGES:-10000}
BATCHES=${BENCH_BATCHES:-500}
CONCURRENCY=${BENCH_CONCURRENCY:-$(nproc)}
PY=$ROOT/.venv/bin/python
RESULTS=$ROOT/bench/results
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*" >&2; }

SUDO=""
[[ $EUID -eq 0 ]] || SUDO=sudo

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
WORKER_PID="" SINK_PID="" OWN_REDIS_PID=""

cleanup() {
  local status=$?
  set +e
  stop_pid "$WORKER_PID"
  stop_pid "$SINK_PID"
  stop_pid "$OWN_REDIS_PID"
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

step "data: the demo district (bench/generate.py --scale 1)"
"$PY" manage.py compile_translations >/dev/null
"$PY" bench/generate.py --scale 1
"$PY" manage.py collectstatic --noinput -v 0

step "smtp sink (bench/outbox.py sink)"
# seed_demo enqueued the demo's mail: no worker may take it.
redis-cli -n "$BROKER_DB" flushdb >/dev/null
"$PY" bench/outbox.py sink --port-file "$RUNTMP/sink.port" --log "$RUNTMP/sink.jsonl" &
SINK_PID=$!
for _ in $(seq 100); do
  [[ -s $RUNTMP/sink.port ]] && break
  kill -0 "$SINK_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -s $RUNTMP/sink.port ]] || { echo "the SMTP sink did not start" >&2; exit 1; }
SINK_PORT=$(cat "$RUNTMP/sink.port")

step "celery worker: prefork, concurrency $CONCURRENCY, mail to 127.0.0.1:$SINK_PORT"
bench_worker "$CONCURRENCY"

SENDS=()
for batch in $BATCHES; do
  step "data: $MESSAGES queued messages (bench/outbox.py data)"
  "$PY" bench/outbox.py data --messages "$MESSAGES" --out "$RUNTMP/data-$batch.json"
  step "send: the sweep asks for $batch at a time (bench/outbox.py send)"
  "$PY" bench/outbox.py send --sink-log "$RUNTMP/sink.jsonl" --worker-pid "$WORKER_PID" \
    --sink-pid "$SINK_PID" --batch "$batch" --concurrency "$CONCURRENCY" \
    --timeout "${BENCH_SEND_TIMEOUT:-900}" --out "$RUNTMP/send-$batch.json"
  SENDS+=("$RUNTMP/send-$batch.json")
done
stop_pid "$WORKER_PID"
WORKER_PID=""
stop_pid "$SINK_PID"
SINK_PID=""
errors=$(grep -c -E "ERROR|Traceback" "$RUNTMP/worker.log" || true)
echo "worker log: $(wc -l <"$RUNTMP/worker.log") lines, $errors with ERROR or Traceback" >&2

step "redis of this run's own: the cache and the broker of gunicorn"
OWN_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$OWN_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$RUNTMP" \
  >"$RUNTMP/own-redis.log" 2>&1 &
OWN_REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$OWN_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
export CACHE_URL=redis://127.0.0.1:$OWN_PORT/1 CELERY_BROKER_URL=redis://127.0.0.1:$OWN_PORT/0
"$PY" bench/outbox.py sessions --out "$RUNTMP/sessions.json"

step "gunicorn"
bench_gunicorn

load_pages() {   # load_pages up|down
  "$PY" bench/outbox.py load --base "http://127.0.0.1:$PORT" --sessions "$RUNTMP/sessions.json" \
    --redis "$1" --out "$RUNTMP/pages-$1.json" --workers "$WORKERS" --concurrency "$CONCURRENCY" \
    --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-8}" \
    --duration "${BENCH_DURATION:-10}" --warmup "${BENCH_WARMUP:-2}" \
    --server-pid "$GUNICORN_PID" --attempts "${BENCH_ATTEMPTS:-3}" --max-other "${BENCH_MAX_OTHER:-0.2}"
}
step "load: Redis up, wrk per page, $WORKERS gunicorn workers"
load_pages up
step "load: Redis stopped"
stop_pid "$OWN_REDIS_PID"
OWN_REDIS_PID=""
load_pages down

mkdir -p "$RESULTS"
"$PY" - "$RESULTS/outbox.json" "$RUNTMP" "${SENDS[@]}" <<'PYEOF'
import json, sys
from pathlib import Path

out, tmp, sends = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
read = lambda path: json.loads(Path(path).read_text(encoding="utf-8"))
first = sends[0].replace("send-", "data-")
result = {
    "data": read(first),
    "sends": [read(path) for path in sends],
    "pages_up": read(tmp / "pages-up.json"),
    "pages_down": read(tmp / "pages-down.json"),
}
out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
PYEOF
"$PY" bench/outbox.py report "$RESULTS/outbox.json"
step "done: $RESULTS/outbox.json"
