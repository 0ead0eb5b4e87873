import logging
from functools import partial

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

# Every message of the outbox (chamber/outbox.py) is tried again on the same rising
# waits: a minute, then doubling up to 15 minutes (60, 120, 240, 480, 900 s), about half
# an hour in all, so a mail server that greylists (451, try again in five minutes) still
# gets it. No jitter: one mail server and a few senders have no herd to spread, and staff
# (and the tests, CF-5) can tell when the next attempt comes.
MAIL_RETRY_WAITS = tuple(min(60 * 2**n, 900) for n in range(5))


def enqueue_after_commit(task, *args, countdown: int = 0) -> None:
    """Queue `task` once the transaction commits (at once outside one). A broker that
    cannot be reached is logged, not raised: the change is made and the request answers
    as usual (messages wait in the outbox, deliveries for the sweep)."""
    transaction.on_commit(partial(enqueue, task, *args, countdown=countdown))


def enqueue(task, *args, countdown: int = 0) -> None:
    """Queue `task` now, best effort: a broker that cannot be reached is logged."""
    try:
        task.apply_async(args, countdown=countdown)
    except Exception as error:  # the broker is down; what the task does is not lost
        logger.warning("%s%r not queued: %s", task.name, args, error)


@shared_task(acks_late=True)
def record_heartbeat(name: str = "worker") -> None:
    """Beat entry point: record that a worker is taking tasks (shown on the staff dashboard)."""
    from chamber import services

    services.record_heartbeat(name=name)


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> bool:
    """Send one message of the outbox (it retries by its own row, not by Celery)."""
    from chamber import outbox

    return outbox.deliver(message_id)


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Beat entry point (every minute): queue the outbox's due and stale messages."""
    from chamber import outbox

    asked = len(outbox.sweep())
    if (
        asked == outbox.SWEEP_BATCH
    ):  # a backlog: take the next batch now, not in a minute
        enqueue(sweep_outbox)
    return asked


@shared_task(acks_late=True)
def build_download(download_id: str) -> str:
    """Make the file of a download (chamber.downloads.build); its state, or "" if
    another task has it."""
    from chamber import downloads

    download = downloads.build(download_id)
    return download.status if download else ""


@shared_task(acks_late=True)
def delete_old_downloads() -> int:
    """Beat entry point (daily): delete the downloads older than downloads.KEEP_DAYS."""
    from chamber import downloads

    deleted = downloads.delete_old()
    if deleted == 500:  # more left: the next batch now, not tomorrow
        enqueue(delete_old_downloads)
    return deleted
