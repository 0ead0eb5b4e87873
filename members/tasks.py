"""Celery entry points of the members app: thin wrappers around services (STYLE B7)."""

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def run_rota_day(on: str | None = None) -> dict:
    """Beat entry point: lapse swap requests of started weeks, queue today's duty reminders."""
    from members.services import rota

    day = date.fromisoformat(on) if on else timezone.localdate()
    return rota.run_rota_day(today=day)
