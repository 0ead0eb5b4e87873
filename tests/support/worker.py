"""A real Celery worker (and beat) in a subprocess, talking to the test database."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from chamber.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_children() -> str:
    """The test database (not the development one) as a DATABASE_URL for another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_children(),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    return env


@contextmanager
def celery_worker(
    *extra_args: str, ready_timeout: float = 60
) -> Iterator[subprocess.Popen]:
    """Start `celery -A chamber worker`, wait for its "ready." line, stop it with SIGTERM after."""
    cmd = [
        sys.executable, "-m", "celery", "-A", "chamber", "worker", "--loglevel=info", "--pool=solo",
        "--without-gossip", "--without-mingle", "--without-heartbeat", *extra_args,
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    proc.lines = lines  # what it has printed so far (for a failing test's message)
    ready = threading.Event()

    def pump() -> None:
        for line in proc.stdout:
            lines.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        if not ready.wait(ready_timeout):
            raise RuntimeError(
                "the Celery worker did not start:\n" + "".join(lines[-40:])
            )
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.output = "".join(lines)


def redeliver_unacknowledged() -> None:
    """Give back the tasks a dead worker took and never acknowledged: Redis does it by
    itself once CELERY_VISIBILITY_TIMEOUT has passed (minutes); a test does not wait."""
    if celery_app.conf.broker_url.startswith("redis"):
        with celery_app.connection_for_write(
            transport_options={"visibility_timeout": 0}
        ) as conn:
            conn.default_channel.qos.restore_visible(num=1000)


def empty_broker() -> None:
    """Drop every task queued or taken by a dead worker: a test's worker starts on an
    empty queue and leaves nothing for the next test."""
    redeliver_unacknowledged()
    celery_app.control.purge()


@contextmanager
def tasks_to_the_broker() -> Iterator[None]:
    """Send tasks to this lane's broker (for a real worker) instead of running them
    in-process; the queue starts and ends empty."""
    celery_app.conf.task_always_eager = False
    empty_broker()
    try:
        yield
    finally:
        empty_broker()
        celery_app.conf.task_always_eager = True


def wait_for(predicate, timeout: float = 20, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@contextmanager
def lock_held(take) -> Iterator[None]:
    """Run `take()` (which locks something) in a transaction of another connection, in a
    thread, and hold that transaction open until the block ends."""
    from django.db import transaction

    locked, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                take()
                locked.set()
                release.wait(timeout=120)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10), failures
        yield
    finally:
        release.set()
        holder.join(timeout=30)
    assert failures == []


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Tasks sent from this process go to the broker at `url` during the block: the
    environment (which Celery reads first), the app's setting, and fresh connection and
    producer pools; the lane's broker is put back afterwards."""
    env = os.environ.get("CELERY_BROKER_URL")
    saved = (
        celery_app.conf.get("broker_url"),
        celery_app.conf.get("broker_transport_options"),
        celery_app._pool,
        celery_app.amqp._producer_pool,
    )
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf["broker_url"] = url
    celery_app.conf["broker_transport_options"] = {"socket_connect_timeout": 0.5}
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        for pool in (celery_app.amqp._producer_pool, celery_app._pool):
            if pool is not None:
                pool.force_close_all()
        if env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env
        (
            celery_app.conf["broker_url"],
            celery_app.conf["broker_transport_options"],
            celery_app._pool,
            celery_app.amqp._producer_pool,
        ) = saved
