#!/usr/bin/env bash
# The benchmark, start to end:  bash bench/run.sh      (a few minutes; root, or sudo for apt)
#                               BENCH_PAGES=all bash bench/run.sh    (every page, ~25 minutes)
#
# gunicorn (2 × cores sync workers, DEBUG off) + PostgreSQL + Redis on this machine, the demo
# data plus BENCH_SCALE × more enterprises and members and BENCH_PETITIONS petitions over two
# years (bench/petitions.py generate), then wrk on each page. Writes
# bench/results/queries.json and bench/results/latest.json and prints the table that goes
# into docs/performance.md. Re-runnable: the database `bench` is dropped and created again.
#
# Uses PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379, db 14 as the
# cache, db 13 as the broker) where they run; otherwise installs and starts them, as .ci/run
# does, and stops only what it started. At exit it stops gunicorn; it drops nothing.
#
# Knobs: BENCH_SCALE (default 12: ~500 members), BENCH_PETITIONS (50000; 0: none),
# BENCH_PAGES (core: the 14 pages of bench/pages.py's CORE; all: its whole CATALOGUE),
# BENCH_DURATION (seconds per page, 10), BENCH_CONNECTIONS (8), BENCH_THREADS (2),
# BENCH_WARMUP (2), BENCH_REPEAT (100 serial in-process requests per page for
# queries.py), BENCH_ATTEMPTS (3) and BENCH_MAX_OTHER (0.2): a page is run again, up to
# BENCH_ATTEMPTS times, while other work on the machine used more than BENCH_MAX_OTHER
# cores during its run (see bench/load.py). With BENCH_PAGES=all the staff, official and
# leader pages and the files get BENCH_DURATION_INFO (4) seconds after BENCH_WARMUP_INFO
# (1), and BENCH_REPEAT_INFO (20) and BENCH_REPEAT_FILE (5) serial requests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
SCALE=${BENCH_SCALE:-12}
PETITIONS=${BENCH_PETITIONS:-50000}
export BENCH_PAGES=${BENCH_PAGES:-core}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2}
REPEAT=${BENCH_REPEAT:-100}
case $BENCH_PAGES in
  core)
    DURATION_INFO=${BENCH_DURATION_INFO:-$DURATION} WARMUP_INFO=${BENCH_WARMUP_INFO:-$WARMUP}
    REPEAT_INFO=${BENCH_REPEAT_INFO:-$REPEAT} REPEAT_FILE=${BENCH_REPEAT_FILE:-$REPEAT} ;;
  all)
    DURATION_INFO=${BENCH_DURATION_INFO:-4} WARMUP_INFO=${BENCH_WARMUP_INFO:-1}
    REPEAT_INFO=${BENCH_REPEAT_INFO:-20} REPEAT_FILE=${BENCH_REPEAT_FILE:-5} ;;
  *) echo "BENCH_PAGES is core or all, not $BENCH_PAGES" >&2; exit 2 ;;
esac
ATTEMPTS=${BENCH_ATTEMPTS:-3}
MAX_OTHER=${BENCH_MAX_OTHER:-0.2}
PY=$ROOT/.venv/bin/python
RESULTS=$ROOT/bench/results
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*" >&2; }

SUDO=""
[[ $EUID -eq 0 ]] || SUDO=sudo

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cleanup() { bench_stop $?; }
trap cleanup EXIT
bench_setup bench 14 13
export VAR_DIR=$RUNTMP/var LOG_LEVEL=WARNING

step "data: demo + scale $SCALE"
"$PY" manage.py compile_translations >/dev/null
"$PY" bench/generate.py --scale "$SCALE"
if ((PETITIONS > 0)); then
  # The petitions of two years in place of the demo's (issue 22 measures the member
  # pages with 50,000 in the database); about two minutes.
  step "data: $PETITIONS petitions (bench/petitions.py generate)"
  BENCH_PETITIONS_DB=bench "$PY" bench/petitions.py generate --petitions "$PETITIONS"
fi
# What only a user's action makes and the generators leave out (a guest's petition, a
# batch, a topic, uploads, certificates…: PREPARE in bench/pages.py), by the portal's services.
"$PY" bench/pages.py prepare
"$PY" manage.py collectstatic --noinput -v 0

step "queries per page ($BENCH_PAGES)"
mkdir -p "$RESULTS"
"$PY" bench/queries.py --out "$RESULTS/queries.json" --pages "$BENCH_PAGES" \
  --repeat "$REPEAT" --repeat-info "$REPEAT_INFO" --repeat-file "$REPEAT_FILE"

step "gunicorn"
bench_gunicorn
"$PY" bench/sessions.py --pages "$BENCH_PAGES" >"$RUNTMP/sessions.json"

step "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per page (${DURATION_INFO}s for staff pages and files), $WORKERS gunicorn workers"
BENCH_VERSIONS=$("$PY" - "$WORKERS" "$SCALE" "$PETITIONS" <<'PYEOF'
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
    "postgresql": out(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "bench", "-Atc", "show server_version"]),
    "redis": next((line.split(":", 1)[1] for line in out(["redis-cli", "info", "server"]).splitlines() if line.startswith("redis_version:")), "unknown"),
    "scale": int(sys.argv[2]),
    "petitions": int(sys.argv[3]),
    "git_commit": out(["git", "rev-parse", "--short", "HEAD"]) or "unknown",
    "git_dirty": bool(out(["git", "status", "--porcelain", "--untracked-files=no"])),
    "loadavg_before": open("/proc/loadavg").read().split()[:3],
}))
PYEOF
)
export BENCH_VERSIONS
"$PY" bench/load.py --base "http://127.0.0.1:$PORT" --sessions "$RUNTMP/sessions.json" \
  --queries "$RESULTS/queries.json" --out "$RESULTS/latest.json" \
  --threads "$THREADS" --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" \
  --duration-info "$DURATION_INFO" --warmup-info "$WARMUP_INFO" \
  --server-pid "$GUNICORN_PID" --attempts "$ATTEMPTS" --max-other "$MAX_OTHER"
step "done: $RESULTS/latest.json (.venv/bin/python bench/report.py prints the Markdown tables)"
