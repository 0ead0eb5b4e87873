#!/usr/bin/env bash
# Load checks LD-1 to LD-4 (issue 10):  bash bench/load.sh   (~40 minutes with the defaults)
#
# The database BENCH_DB (bench_load; dropped and created again): the demo district at 10 × its
# size (bench/generate.py --scale 10: 330 enterprises, 440 members) and a year of petitions with
# their events (bench/petitions.py's generator, 365 days, BENCH_PETITIONS = 25,000), then
# gunicorn (2 × cores sync workers, DEBUG off) + PostgreSQL + Redis (cache and sessions), and:
#   LD-1  locust, headless (bench/locustfile.py): BENCH_USERS (50) members on the phone
#         journey - log in once, home, my petitions, a petition of their own, their group's
#         points, the activities, an activity, sign up and cancel - with 1-3 s of think time,
#         for BENCH_LD1_TIME (10m), BENCH_SPAWN_RATE (2) logins a second, plus one anonymous
#         user on /bench/bare/ as the same run's baseline. Pass: no failure and p95 < 500 ms
#         (the quitting listener sets the exit code).
#   LD-2  locust, headless (bench/locustfile_staff.py): BENCH_LD2_USERS (10) staff on their
#         day - the triage board, the open petitions, a search, a petition's staff page, the
#         escalations, the reports and a monthly report, the staff dashboard, the list's Excel
#         export (open petitions, or all of them every other round) and the monthly report's -
#         with 1-3 s of think time, for BENCH_LD2_TIME (10m), plus the baseline user. Pass: no
#         failure, p95 of the pages < 1,000 ms, every export < 10 s.
#   LD-3  bench/burst.py run: BENCH_CLIENTS (20) staff clients enter exactly BENCH_BURST (200)
#         petitions over BENCH_LD3_SECONDS (600) through the staff form and the batch intake
#         (one batch posted twice: the idempotency key), while `manage.py run_cycle daily`
#         runs; then the count, the duplicates and the daily run's figures are checked.
#   LD-4  officials up to BENCH_LD4_OFFICIALS (200) and the queries of a sample of digests
#         (bench/digests_load.py prepare); an SMTP sink (bench/publicity.py sink) and a real
#         Celery worker (prefork, BENCH_CONCURRENCY = the cores); then locust
#         (bench/locustfile_digests.py) with BENCH_LD4_USERS (20) members on LD-1's journey
#         and the baseline: once they are all logged in, the statistics start afresh and the
#         week's digests are planned and sent (bench/digests_load.py send); locust stops
#         when the last one is sent. Pass: every digest sent exactly once (the sink's count),
#         none failed, all within 300 s (BENCH_LD4_TIMEOUT, 600 s, is when the wait gives
#         up), no failed web request and the members' p95 < 500 ms in that window.
# BENCH_ONLY ("ld1 ld2 ld3 ld4") runs only the checks named (the data and the logins always).
# Writes bench/results/load.json (the sections of checks not run now are kept from the file
# as it was) and prints the tables of docs/performance.md, section "Load: ...".
#
# locust is pinned in requirements-dev.txt (installed here if missing; it changes no other
# pin). Redis db BENCH_CACHE_DB (8) is the cache and BENCH_BROKER_DB (7) the broker, both
# emptied first, the broker again before the worker starts and at exit. At exit the worker,
# the sink and gunicorn stop; the database is kept unless BENCH_DROP=1. Exit status: 0 when
# every check run passes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=${BENCH_DB:-bench_load}
ONLY=" ${BENCH_ONLY:-ld1 ld2 ld3 ld4} "
SCALE=${BENCH_SCALE:-10}
PETITIONS=${BENCH_PETITIONS:-25000}
USERS=${BENCH_USERS:-50}
LD1_TIME=${BENCH_LD1_TIME:-10m}
SPAWN_RATE=${BENCH_SPAWN_RATE:-2}
CLIENTS=${BENCH_CLIENTS:-20}
BURST=${BENCH_BURST:-200}
LD3_SECONDS=${BENCH_LD3_SECONDS:-600}
LD2_USERS=${BENCH_LD2_USERS:-10}
LD2_TIME=${BENCH_LD2_TIME:-10m}
LD4_OFFICIALS=${BENCH_LD4_OFFICIALS:-200}
LD4_USERS=${BENCH_LD4_USERS:-20}
LD4_TIMEOUT=${BENCH_LD4_TIMEOUT:-600}
CONCURRENCY=${BENCH_CONCURRENCY:-$(nproc)}
CACHE_DB=${BENCH_CACHE_DB:-8}
BROKER_DB=${BENCH_BROKER_DB:-7}
PY=$ROOT/.venv/bin/python
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*" >&2; }
want() { [[ $ONLY == *" $1 "* ]]; }
for check in $ONLY; do
  [[ $check =~ ^ld[1-4]$ ]] || { echo "BENCH_ONLY: unknown check $check (ld1 ld2 ld3 ld4)" >&2; exit 2; }
done

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

step "locust (requirements-dev.txt)"
[[ -x .venv/bin/locust ]] || "$PY" -m pip install -q "$(grep '^locust==' requirements-dev.txt)"

step "data: demo + scale $SCALE (bench/generate.py)"
"$PY" manage.py compile_translations >/dev/null
"$PY" bench/generate.py --scale "$SCALE"
"$PY" manage.py collectstatic --noinput -v 0

step "data: $PETITIONS petitions over a year (bench/petitions.py's generator)"
# petitions.py writes only to bench_petitions and spans two years: the same generator,
# pointed at this database and at 365 days.
"$PY" - "$DB" "$PETITIONS" <<'PYEOF'
import sys

sys.path.insert(0, ".")
import bench.petitions as gen

gen.DATABASE = sys.argv[1]
gen.HISTORY_DAYS = 365
sys.argv = ["petitions.py", "generate", "--petitions", sys.argv[2]]
gen.main()
PYEOF

step "logins: $USERS members, $CLIENTS staff (bench/burst.py prepare)"
mkdir -p "$RESULTS"
"$PY" bench/burst.py prepare --members "$USERS" --staff "$CLIENTS" --out "$RUNTMP/logins.json"

step "gunicorn"
bench_gunicorn

ld1=0 ld2=0 ld3=0 ld4=0
report=()
if want ld1; then
  step "LD-1: locust, $USERS members for $LD1_TIME, $WORKERS gunicorn workers"
  BENCH_LOGINS=$RUNTMP/logins.json BENCH_LD1_SUMMARY=$RUNTMP/ld1_summary.json .venv/bin/locust -f bench/locustfile.py --headless \
    --host "http://127.0.0.1:$PORT" --users $((USERS + 1)) --spawn-rate "$SPAWN_RATE" --run-time "$LD1_TIME" \
    --stop-timeout 5 --csv "$RUNTMP/ld1" --only-summary --loglevel WARNING || ld1=$?
  report+=(--ld1 "$RUNTMP/ld1_stats.csv" --ld1-summary "$RUNTMP/ld1_summary.json" --ld1-exit "$ld1"
    --ld1-time "$LD1_TIME" --users "$USERS")
fi

if want ld2; then
  step "LD-2: locust, $LD2_USERS staff for $LD2_TIME"
  BENCH_LOGINS=$RUNTMP/logins.json BENCH_LD2_SUMMARY=$RUNTMP/ld2_summary.json .venv/bin/locust -f bench/locustfile_staff.py --headless \
    --host "http://127.0.0.1:$PORT" --users $((LD2_USERS + 1)) --spawn-rate "$SPAWN_RATE" --run-time "$LD2_TIME" \
    --stop-timeout 30 --csv "$RUNTMP/ld2" --only-summary --loglevel WARNING || ld2=$?
  report+=(--ld2 "$RUNTMP/ld2_stats.csv" --ld2-summary "$RUNTMP/ld2_summary.json" --ld2-exit "$ld2"
    --ld2-time "$LD2_TIME" --ld2-users "$LD2_USERS")
fi

if want ld3; then
  step "LD-3: $CLIENTS staff clients, $BURST petitions in ${LD3_SECONDS}s, daily step alongside"
  "$PY" bench/burst.py run --base "http://127.0.0.1:$PORT" --logins "$RUNTMP/logins.json" \
    --clients "$CLIENTS" --petitions "$BURST" --seconds "$LD3_SECONDS" \
    --out "$RUNTMP/ld3.json" || ld3=$?
  report+=(--ld3 "$RUNTMP/ld3.json")
fi

if want ld4; then
  step "LD-4: officials up to $LD4_OFFICIALS, a sample of digests built (bench/digests_load.py prepare)"
  "$PY" bench/digests_load.py prepare --officials "$LD4_OFFICIALS" --out "$RUNTMP/ld4_prepare.json"

  step "LD-4: smtp sink and celery worker (prefork, concurrency $CONCURRENCY)"
  # seed_demo's weekly dispatch and the checks before enqueued tasks: no worker may take them.
  redis-cli -n "$BROKER_DB" flushdb >/dev/null
  bench_sink
  bench_worker "$CONCURRENCY"

  step "LD-4: the week's digests through the worker while $LD4_USERS members use the portal"
  BENCH_LD4_SEND="$PY bench/digests_load.py send --sink-log $RUNTMP/sink.jsonl --worker-pid $WORKER_PID \
--sink-pid $SINK_PID --concurrency $CONCURRENCY --timeout $LD4_TIMEOUT --out $RUNTMP/ld4_send.json" \
  BENCH_LOGINS=$RUNTMP/logins.json BENCH_LD4_SUMMARY=$RUNTMP/ld4_summary.json .venv/bin/locust -f bench/locustfile_digests.py --headless \
    --host "http://127.0.0.1:$PORT" --users $((LD4_USERS + 1)) --spawn-rate "$SPAWN_RATE" \
    --run-time "$((LD4_TIMEOUT + 120))s" --stop-timeout 5 --csv "$RUNTMP/ld4" --only-summary \
    --loglevel WARNING || ld4=$?
  stop_pid "$WORKER_PID"
  WORKER_PID=""
  stop_pid "$SINK_PID"
  SINK_PID=""
  errors=$(grep -c -E "ERROR|Traceback" "$RUNTMP/worker.log" || true)
  echo "worker log: $(wc -l <"$RUNTMP/worker.log") lines, $errors with ERROR or Traceback" >&2
  report+=(--ld4 "$RUNTMP/ld4_stats.csv" --ld4-summary "$RUNTMP/ld4_summary.json" --ld4-exit "$ld4"
    --ld4-users "$LD4_USERS" --ld4-send "$RUNTMP/ld4_send.json" --ld4-prepare "$RUNTMP/ld4_prepare.json")
fi

"$PY" bench/burst.py report "${report[@]}" --workers "$WORKERS" --scale "$SCALE" \
  --petitions "$PETITIONS" --out "$RESULTS/load.json"
step "done: $RESULTS/load.json (exit LD-1 $ld1, LD-2 $ld2, LD-3 $ld3, LD-4 $ld4; BENCH_ONLY:$ONLY)"
((ld1 == 0 && ld2 == 0 && ld3 == 0 && ld4 == 0))
