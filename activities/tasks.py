"""Celery entry points of the activities app: thin wrappers (STYLE B7)."""

from celery import shared_task


@shared_task(acks_late=True)
def run_activities_day(on: str | None = None) -> dict:
    """Beat entry point: tomorrow's reminders and the 20th-of-the-month group warnings."""
    from datetime import date

    from django.utils import timezone

    from activities import services

    day = date.fromisoformat(on) if on else timezone.localdate()
    return services.run_activities_day(today=day)
