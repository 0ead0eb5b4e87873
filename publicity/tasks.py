"""Celery entry points of publicity: thin wrappers (STYLE B7)."""

from celery import shared_task


@shared_task(acks_late=True)
def send_weekly_digest(delivery_id: int) -> bool:
    """Hand one planned digest to the outbox, which sends it (planning hands them over
    itself; tasks queued before the outbox still arrive). Twice changes nothing."""
    from publicity import digests

    return digests.hand_over_digest(delivery_id=delivery_id)


@shared_task(acks_late=True)
def plan_weekly_digests(week_start: str) -> list[int]:
    """Plan a week's digests and hand them to the outbox: the weekly dispatch
    (petitions.review) runs this task by its name, "publicity.tasks.plan_weekly_digests",
    after it commits; by hand too. Planning twice plans nothing new (one row per
    recipient and week)."""
    from datetime import date

    from publicity import digests

    return digests.plan_weekly_digests(week_start=date.fromisoformat(week_start))


@shared_task(acks_late=True)
def publish_due_articles() -> int:
    """Beat entry point (every five minutes): scheduled articles whose time has come."""
    from publicity import services

    return services.publish_due_articles()


@shared_task(acks_late=True)
def send_monthly_news(delivery_id: int) -> bool:
    """Hand one member's planned monthly news to the outbox, which sends it (tasks
    queued before the outbox still arrive). Twice changes nothing."""
    from publicity import newsletter

    return newsletter.hand_over_news(delivery_id=delivery_id)


@shared_task(acks_late=True)
def plan_monthly_news(month: str | None = None) -> list[int]:
    """Beat entry point (the 1st, 09:00): the month's news to its subscribers, handed to
    the outbox; by hand with an ISO date of the month (2026-04-01)."""
    from datetime import date

    from django.utils import timezone

    from publicity import newsletter

    day = date.fromisoformat(month) if month else timezone.localdate()
    return newsletter.plan_monthly_news(month=newsletter.month_of(day))
