"""Celery entry points of the petitions app: thin wrappers (STYLE B7).

The four review steps are scheduled by django-celery-beat (seeded by a data migration,
editable in the admin). Each step writes its notices to the outbox in its own
transaction (chamber/outbox.py), which sends each once. The staff's daily digest of
petition events is scheduled the same way (seeded with the users' notice choices, by
chamber's migration 0010).
"""

from celery import shared_task


def _day(on: str | None):
    from datetime import date

    from django.utils import timezone

    return date.fromisoformat(on) if on else timezone.localdate()


def _run(kind: str, on: str | None) -> list[int]:
    from petitions import review

    return [run.pk for run in review.run_step(kind, on=_day(on))]


@shared_task(acks_late=True)
def run_daily_study(on: str | None = None) -> list[int]:
    """Beat entry point for 日研究 (every morning; does nothing on days off)."""
    return _run("daily", on)


@shared_task(acks_late=True)
def run_weekly_dispatch(on: str | None = None) -> list[int]:
    """Beat entry point for 周调度 (Monday morning)."""
    return _run("weekly", on)


@shared_task(acks_late=True)
def run_monthly_summary(on: str | None = None) -> list[int]:
    """Beat entry point for 月总结 (the 1st, for the month before)."""
    return _run("monthly", on)


@shared_task(acks_late=True)
def run_quarterly_clearance(on: str | None = None) -> list[int]:
    """Beat entry point for 季清零 (a quarter's first day, for the quarter before)."""
    return _run("quarterly", on)


@shared_task(acks_late=True)
def send_staff_digests(on: str | None = None) -> list[int]:
    """Beat entry point: each morning, the digest of petition events to the staff who
    chose one (petitions.emails.staff_digest; nothing on days off, once per day)."""
    from petitions import emails

    return [message.pk for message in emails.staff_digest(_day(on))]
