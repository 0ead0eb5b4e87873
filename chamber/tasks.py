import logging
from functools import partial
from smtplib import SMTPException

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

# Every e-mail task of the portal retries the same way: a minute, then doubling up to 15
# minutes (60, 120, 240, 480, 900 s), about half an hour in all, so a mail server that
# greylists (451, try again in five minutes) still gets the e-mail. No jitter: one mail
# server and a few tasks have no herd to spread, and staff (and the tests, CF-5) can tell
# when the next attempt comes. Late acknowledgement: a killed worker's task is redone.
MAIL_RETRY = {
    "acks_late": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "retry_jitter": False,
    "max_retries": 5,
}
# The same waits for a message of the outbox (chamber/outbox.py): 60, 120, 240, 480, 900 s.
MAIL_RETRY_WAITS = tuple(
    min(MAIL_RETRY["retry_backoff"] * 2**n, MAIL_RETRY["retry_backoff_max"])
    for n in range(MAIL_RETRY["max_retries"])
)


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

    return len(outbox.sweep())


@shared_task(**MAIL_RETRY)
def send_password_reset(
    subject: str, body: str, html: str | None, to: str, from_email: str | None
) -> None:
    """Send a password-reset e-mail prepared in the request (see chamber.forms)."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject, body, from_email, [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
