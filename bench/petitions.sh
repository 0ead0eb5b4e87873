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
# Knobs: BENCH_PETITIONS (50000), BENCH_SCALE (9: 300 enterprises), BENCH_STEP_REPEAT (3
# rolled-back runs of each step before the committed one), BENCH_REPEAT (30 in-process
# requests per page), BENCH_DURATION (10 s per page), BENCH_CONNECTIONS (8),
# BENCH_THREADS (2), BENCH_WARMUP (2), BENCH_ATTEMPTS (3), BENCH_MAX_OTHER (0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
DB=bench_petitions
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

GUNICORN_PID="" STARTED_PG="" STARTED_REDIS_PID=""
RUNTMP=$(mktemp -d)
cleanup() {
  local status=$?
  set +e
  if [[ -n $GUNICORN_PID ]]; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
    if ((status != 0)) && [[ -s $RUNTMP/gunicorn.log ]]; then
      echo "--- last lines of the gunicorn log:" >&2
      tail -n 30 "$RUNTMP/gunicorn.log" >&2
    fi
  fi
  redis-cli -n "$BROKER_DB" flushdb >/dev/null 2>&1
  if [[ ${BENCH_DROP:-0} == 1 ]]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  fi
  if [[ -n $STARTED_REDIS_PID ]]; then
    kill "$STARTED_REDIS_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$STARTED_REDIS_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ -n $STARTED_PG ]]; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect $STARTED_PG stop 2>/dev/null
  fi
  rm -rf "$RUNTMP"
}
trap cleanup EXIT

APT_UPDATED=""
apt_install() {   # apt_install PKG...  (only what is missing)
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ -n $APT_UPDATED ]] || { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq; APT_UPDATED=1; }
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

step "tools"
command -v wrk >/dev/null || apt_install wrk
command -v pg_ctlcluster >/dev/null || apt_install postgresql
command -v redis-server >/dev/null || apt_install redis-server redis-tools
if [[ ! -x $PY ]]; then
  python3 -m venv .venv
  "$PY" -m pip install -q --upgrade pip
fi
if [[ ! .venv/.runtime -nt requirements.txt ]]; then
  "$PY" -m pip install -q -r requirements.txt
  touch .venv/.runtime
fi

step "postgresql: database $DB"
PG_HOST=127.0.0.1 PG_PORT=5432
if ! pg_isready -q -h $PG_HOST -p $PG_PORT; then
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [[ -z $ver ]] || ! pg_lsclusters -h | awk '{print $2}' | grep -qx main; then
    ver=${ver:-$(ls /usr/lib/postgresql | sort -V | tail -1)}
    $SUDO pg_createcluster "$ver" main --port $PG_PORT >/dev/null
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  STARTED_PG="$ver main"
  for _ in $(seq 50); do pg_isready -q -h $PG_HOST -p $PG_PORT && break; sleep 0.2; done
fi
export PGPASSWORD=postgres
if ! psql -h $PG_HOST -p $PG_PORT -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  $SUDO runuser -u postgres -- psql -qc "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
fi
psql -h $PG_HOST -p $PG_PORT -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
createdb -h $PG_HOST -p $PG_PORT -U postgres $DB

step "redis: cache db $CACHE_DB, broker db $BROKER_DB"
if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$RUNTMP" --logfile "$RUNTMP/redis.log" --pidfile "$RUNTMP/redis.pid"
  for _ in $(seq 50); do redis-cli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  STARTED_REDIS_PID=$(cat "$RUNTMP/redis.pid")
fi
redis-cli -n "$CACHE_DB" flushdb >/dev/null
redis-cli -n "$BROKER_DB" flushdb >/dev/null

export DJANGO_SETTINGS_MODULE=chamber.settings
export DATABASE_URL="postgres://postgres:postgres@$PG_HOST:$PG_PORT/$DB"
export CACHE_URL=redis://127.0.0.1:6379/$CACHE_DB
export CELERY_BROKER_URL=redis://127.0.0.1:6379/$BROKER_DB
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false
export SECRET_KEY
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
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
WORKERS=$((2 * $(nproc)))
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" -m gunicorn bench.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
  --error-logfile "$RUNTMP/gunicorn.log" --log-level warning &
GUNICORN_PID=$!
up=""
for _ in $(seq 100); do
  if "$PY" - "$PORT" <<'PYEOF' 2>/dev/null; then up=1; break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
PYEOF
  kill -0 "$GUNICORN_PID" 2>/dev/null || break
  sleep 0.2
done
[[ -n $up ]] || { echo "gunicorn did not answer /healthz with 200" >&2; exit 1; }

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
