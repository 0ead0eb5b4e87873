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

ROOT = Path(__file__).resolve().parent.parent


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
