"""Celery entry points of the activities app: thin wrappers (STYLE B7)."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notify_promoted(registration_id: int) -> None:
    """Tell a member they moved up from the waiting list (once)."""
    from activities import emails

    emails.promoted(registration_id)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notify_cancelled(activity_id: int) -> None:
    """Tell everyone registered or waiting that the activity is cancelled (once each)."""
    from activities import emails

    emails.cancelled(activity_id)
