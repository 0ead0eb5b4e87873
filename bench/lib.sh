# Shared by bench/run.sh, bench/petitions.sh and bench/publicity.sh (sourced after PY, T0, step and SUDO are set):
# tools and the venv, PostgreSQL and Redis (installed and started only where missing, and
# stopped at exit only if started here), a fresh database, and the production-like
# environment gunicorn and the scripts run in.

GUNICORN_PID="" STARTED_PG="" STARTED_REDIS_PID=""
RUNTMP=$(mktemp -d)

# Stop gunicorn (its log's tail on failure) and what this run started; remove RUNTMP.
bench_stop() {
  local status=$1
  set +e
  if [[ -n $GUNICORN_PID ]]; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
    if ((status != 0)) && [[ -s $RUNTMP/gunicorn.log ]]; then
      echo "--- last lines of the gunicorn log:" >&2
      tail -n 30 "$RUNTMP/gunicorn.log" >&2
    fi
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

APT_UPDATED=""
apt_install() {   # apt_install PKG...  (only what is missing)
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  # another apt on the machine may hold the dpkg lock: wait for it rather than fail
  [[ -n $APT_UPDATED ]] || { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq; APT_UPDATED=1; }
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# bench_setup DB CACHE_DB BROKER_DB: tools, PostgreSQL with DB created afresh, Redis with
# both indexes emptied, and the environment exported.
bench_setup() {
  local db=$1 cache_db=$2 broker_db=$3
  step "tools"
  command -v wrk >/dev/null || apt_install wrk
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  if [[ ! -x $PY ]]; then
    python3 -m venv .venv
    "$PY" -m pip install -q --upgrade pip
  fi
  # The same stamp as the Makefile's: requirements.txt installed since it last changed.
  if [[ ! .venv/.runtime -nt requirements.txt ]]; then
    "$PY" -m pip install -q -r requirements.txt
    touch .venv/.runtime
  fi

  step "postgresql: database $db"
  PG_HOST=127.0.0.1 PG_PORT=5432
  if ! pg_isready -q -h $PG_HOST -p $PG_PORT; then
    local ver
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    if [[ -z $ver ]] || ! pg_lsclusters -h | awk '{print $2}' | grep -qx main; then
      ver=${ver:-$(ls /usr/lib/postgresql | sort -V | tail -1)}
      $SUDO pg_createcluster "$ver" main --port $PG_PORT >/dev/null
    fi
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    STARTED_PG="$ver main"
    for _ in $(seq 50); do pg_isready -q -h $PG_HOST -p $PG_PORT && break; sleep 0.2; done
  fi
  # trust auth ignores the password; Debian's default (scram) needs one: set it once.
  export PGPASSWORD=postgres
  if ! psql -h $PG_HOST -p $PG_PORT -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    $SUDO runuser -u postgres -- psql -qc "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
  fi
  psql -h $PG_HOST -p $PG_PORT -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  createdb -h $PG_HOST -p $PG_PORT -U postgres "$db"

  step "redis: cache db $cache_db, broker db $broker_db"
  if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$RUNTMP" --logfile "$RUNTMP/redis.log" --pidfile "$RUNTMP/redis.pid"
    for _ in $(seq 50); do redis-cli ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    STARTED_REDIS_PID=$(cat "$RUNTMP/redis.pid")
  fi
  # Indexes of our own, emptied: no session or cache entry of an earlier run survives.
  redis-cli -n "$cache_db" flushdb >/dev/null
  redis-cli -n "$broker_db" flushdb >/dev/null

  export DJANGO_SETTINGS_MODULE=chamber.settings
  export DATABASE_URL="postgres://postgres:postgres@$PG_HOST:$PG_PORT/$db"
  export CACHE_URL=redis://127.0.0.1:6379/$cache_db
  export CELERY_BROKER_URL=redis://127.0.0.1:6379/$broker_db
  export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
  export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false
  # The pages are measured, not the login: staff and officials skip the second factor here.
  export SECOND_FACTOR_REQUIRED=false
  export SECRET_KEY
  SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
}

# bench_gunicorn: gunicorn on bench.wsgi, 2 × cores sync workers on a free loopback port,
# waited for until /healthz answers 200; sets WORKERS, PORT and GUNICORN_PID (bench_stop
# stops it). Exits the script if it never answers.
bench_gunicorn() {
  WORKERS=$((2 * $(nproc)))
  PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$PY" -m gunicorn bench.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --error-logfile "$RUNTMP/gunicorn.log" --log-level warning &
  GUNICORN_PID=$!
  local up=""
  for _ in $(seq 100); do
    if "$PY" - "$PORT" <<'PYEOF' 2>/dev/null; then up=1; break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
PYEOF
    kill -0 "$GUNICORN_PID" 2>/dev/null || break
    sleep 0.2
  done
  [[ -n $up ]] || { echo "gunicorn did not answer /healthz with 200" >&2; exit 1; }
}

# stop_pid PID: SIGTERM (the worker finishes its task, the sink closes), SIGKILL after
# 30 s, together with the children it had (the worker's pool), by their ids.
stop_pid() {
  local pid=$1 children
  [[ -n $pid ]] || return 0
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' || true)
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  # shellcheck disable=SC2086  # one id per word
  kill -KILL "$pid" $children 2>/dev/null || true
}

# bench_sink: the aiosmtpd sink of bench/publicity.py on a free loopback port, logging each
# message to $RUNTMP/sink.jsonl; sets SINK_PID and SINK_PORT. Exits if it never listens.
bench_sink() {
  "$PY" bench/publicity.py sink --port-file "$RUNTMP/sink.port" --log "$RUNTMP/sink.jsonl" &
  SINK_PID=$!
  for _ in $(seq 100); do
    [[ -s $RUNTMP/sink.port ]] && break
    kill -0 "$SINK_PID" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s $RUNTMP/sink.port ]] || { echo "the SMTP sink did not start" >&2; exit 1; }
  SINK_PORT=$(cat "$RUNTMP/sink.port")
}

# bench_worker CONCURRENCY: a prefork Celery worker mailing to the sink, logging to
# $RUNTMP/worker.log (LOG_LEVEL=INFO as in production: each task received and done);
# sets WORKER_PID. Exits if it is not ready within a minute.
bench_worker() {
  EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SINK_PORT LOG_LEVEL=INFO "$PY" -m celery -A chamber worker \
    --loglevel=info --concurrency "$1" --without-gossip --without-mingle \
    >"$RUNTMP/worker.log" 2>&1 &
  WORKER_PID=$!
  local ready=""
  for _ in $(seq 600); do
    if grep -q " ready\." "$RUNTMP/worker.log"; then ready=1; break; fi
    kill -0 "$WORKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $ready ]] || { echo "the Celery worker did not start" >&2; exit 1; }
}
