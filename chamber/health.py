"""Is the portal able to work: the database answers and the broker takes messages; and
is the work done: how long the oldest due message has waited, when a worker last beat."""

import contextlib
import os
import threading
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from chamber import selectors
from chamber.celery import app as celery_app


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


# One broker connection per process and broker URL, kept between checks: opening one
# (a kombu connection, a redis pool, a TCP connection) was 80% of the check's time
# (docs/performance.md, Finding 7). A kept connection that fails (the broker restarted)
# is dropped and the check tried once more on a new one, so only a broker that does not
# answer a fresh connection is reported unavailable.
_broker = {"url": None, "connection": None}
_broker_lock = threading.Lock()


def broker_ok() -> bool:
    if settings.CELERY_FS_DIR is not None:
        return _filesystem_broker_ok(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    url = celery_app.conf.broker_write_url
    with _broker_lock:
        if _broker["url"] != url:
            _drop_broker_connection()
        for fresh in (_broker["connection"] is None, True):
            if fresh:
                _drop_broker_connection()
                _broker["connection"], _broker["url"] = (
                    celery_app.connection_for_write(),
                    url,
                )
            try:
                conn = _broker["connection"]
                conn.ensure_connection(max_retries=1, timeout=2)
                conn.default_channel.client.ping()  # a real round trip
                return True
            except Exception:
                if fresh:
                    _drop_broker_connection()
                    return False
        return False


def _drop_broker_connection() -> None:
    conn, _broker["connection"], _broker["url"] = _broker["connection"], None, None
    if conn is not None:
        with contextlib.suppress(Exception):  # already broken: nothing to give back
            conn.release()


def _filesystem_broker_ok(options: dict) -> bool:
    # The filesystem transport "connects" even to a missing folder; what matters is
    # that the queue folder exists and this process may write into it.
    folders = {options["data_folder_in"], options["data_folder_out"]}
    return all(Path(f).is_dir() and os.access(f, os.W_OK | os.X_OK) for f in folders)


def ages(*, now: datetime | None = None) -> dict[str, int | None]:
    """Whole seconds since the oldest queued message fell due and since the newest
    heartbeat; None for none (or when the database does not answer)."""
    now = now or timezone.now()
    try:
        oldest_due_at = selectors.outbox_status(now=now)["oldest_due_at"]
        heartbeat_at = selectors.newest_heartbeat_at()
    except DatabaseError:
        oldest_due_at = heartbeat_at = None
    return {
        "oldest_due_message_seconds": _seconds_since(oldest_due_at, now),
        "last_heartbeat_seconds": _seconds_since(heartbeat_at, now),
    }


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    # A clock a little ahead on another host must not make an age negative.
    return None if moment is None else max(0, int((now - moment).total_seconds()))
