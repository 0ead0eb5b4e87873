"""Celery entry points of the activities app: thin wrappers (STYLE B7)."""

from celery import shared_task

from chamber.tasks import MAIL_RETRY


@shared_task(**MAIL_RETRY)
def notify_promoted(registration_id: int) -> None:
    """Tell a member they moved up from the waiting list (once)."""
    from activities import emails

    emails.promoted(registration_id)


@shared_task(**MAIL_RETRY)
def notify_cancelled(activity_id: int) -> None:
    """Tell everyone registered or waiting that the activity is cancelled (once each)."""
    from activities import emails

    emails.cancelled(activity_id)


@shared_task(acks_late=True)
def run_activities_day(on: str | None = None) -> dict:
    """Beat entry point: tomorrow's reminders and the 20th-of-the-month group warnings."""
    from datetime import date

    from django.db import transaction
    from django.utils import timezone

    from activities import services

    day = date.fromisoformat(on) if on else timezone.localdate()
    with transaction.atomic():
        return services.run_activities_day(today=day)


@shared_task(**MAIL_RETRY)
def remind_registration(registration_id: int) -> None:
    """Remind one registered member of tomorrow's activity (once)."""
    from activities import emails

    emails.reminder(registration_id)


@shared_task(**MAIL_RETRY)
def warn_group(group_id: int, month: str) -> None:
    """Warn a group's leaders and the staff that the group has held nothing this month (once)."""
    from activities import emails

    emails.group_without_activity(group_id, month)
