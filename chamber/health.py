"""Is the portal able to work: the database answers and the broker takes messages."""

import os
from pathlib import Path

from django.conf import settings
from django.db import connection

from chamber.celery import app as celery_app


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    if settings.CELERY_FS_DIR is not None:
        return _filesystem_broker_ok(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel.client.ping()  # a real round trip, not just a socket
        return True
    except Exception:
        return False


def _filesystem_broker_ok(options: dict) -> bool:
    # The filesystem transport "connects" even to a missing folder; what matters is
    # that the queue folder exists and this process may write into it.
    folders = {options["data_folder_in"], options["data_folder_out"]}
    return all(Path(f).is_dir() and os.access(f, os.W_OK | os.X_OK) for f in folders)
