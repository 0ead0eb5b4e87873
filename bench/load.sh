#!/usr/bin/env bash
# Load checks LD-1 and LD-3 (issue 10, part 8):  bash bench/load.sh   (~25 minutes with the defaults)
#
# The database `bench_load` (dropped and created again): the demo district at 10 × its size
# (bench/generate.py --scale 10: 330 enterprises, 440 members) and a year of petitions with
# their events (bench/petitions.py's generator, 365 days, BENCH_PETITIONS = 25,000), then
# gunicorn (2 × cores sync workers, DEBUG off) + PostgreSQL + Redis (cache and sessions), and:
#   LD-1  locust, headless (bench/locustfile.py): BENCH_USERS (50) members on the phone
#         journey - log in once, home, my petitions, a petition of their own, their group's
#         points, the activities, an activity, sign up and cancel - with 1-3 s of think time,
#         for BENCH_LD1_TIME (10m), BENCH_SPAWN_RATE (2) logins a second, plus one anonymous
#         user on /bench/bare/ as the same run's baseline. Pass: no failure and p95 < 500 ms
#         (the quitting listener sets the exit code).
#   LD-3  bench/burst.py run: BENCH_CLIENTS (20) staff clients enter exactly BENCH_BURST (200)
#         petitions over BENCH_LD3_SECONDS (600) through the staff form and the batch intake
#         (one batch posted twice: the idempotency key), while `manage.py run_cycle daily`
#         runs; then the count, the duplicates and the daily run's figures are checked.
# Writes bench/results/load.json and prints the tables of docs/performance.md, section
# "Load: the member journey and a consultation-day burst".
#
# locust is pinned in requirements-dev.txt (installed here if missing; it changes no other
# pin). Redis db BENCH_CACHE_DB (8) is the cache and BENCH_BROKER_DB (7) the broker, both
# emptied first and the broker again at exit. At exit gunicorn stops; the
# database is kept unless BENCH_DROP=1. Exit status: 0 when both checks pass.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=bench_load
SCALE=${BENCH_SCALE:-10}
PETITIONS=${BENCH_PETITIONS:-25000}
USERS=${BENCH_USERS:-50}
LD1_TIME=${BENCH_LD1_TIME:-10m}
SPAWN_RATE=${BENCH_SPAWN_RATE:-2}
CLIENTS=${BENCH_CLIENTS:-20}
BURST=${BENCH_BURST:-200}
LD3_SECONDS=${BENCH_LD3_SECONDS:-600}
CACHE_DB=${BENCH_CACHE_DB:-8}
BROKER_DB=${BENCH_BROKER_DB:-7}
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

step "LD-1: locust, $USERS members for $LD1_TIME, $WORKERS gunicorn workers"
ld1=0
BENCH_LOGINS=$RUNTMP/logins.json BENCH_LD1_SUMMARY=$RUNTMP/ld1_summary.json .venv/bin/locust -f bench/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" --users $((USERS + 1)) --spawn-rate "$SPAWN_RATE" --run-time "$LD1_TIME" \
  --stop-timeout 5 --csv "$RUNTMP/ld1" --only-summary --loglevel WARNING || ld1=$?

step "LD-3: $CLIENTS staff clients, $BURST petitions in ${LD3_SECONDS}s, daily step alongside"
ld3=0
"$PY" bench/burst.py run --base "http://127.0.0.1:$PORT" --logins "$RUNTMP/logins.json" \
  --clients "$CLIENTS" --petitions "$BURST" --seconds "$LD3_SECONDS" \
  --out "$RUNTMP/ld3.json" || ld3=$?

"$PY" bench/burst.py report --ld1 "$RUNTMP/ld1_stats.csv" --ld1-summary "$RUNTMP/ld1_summary.json" --ld1-exit "$ld1" --ld1-time "$LD1_TIME" \
  --users "$USERS" --workers "$WORKERS" --ld3 "$RUNTMP/ld3.json" --out "$RESULTS/load.json"
step "done: $RESULTS/load.json (LD-1 exit $ld1, LD-3 exit $ld3)"
((ld1 == 0 && ld3 == 0))
