"""Celery entry points of publicity: thin wrappers (STYLE B7)."""

from smtplib import SMTPException

from celery import Task, shared_task


class DigestTask(Task):
    """After the last retry the delivery shows as failed on the staff dashboard."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from publicity import digests

        delivery_id = args[0] if args else kwargs.get("delivery_id")
        if delivery_id is not None:
            digests.mark_failed(
                delivery_id=delivery_id, error=f"{type(exc).__name__}: {exc}"
            )


@shared_task(
    base=DigestTask,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    # A minute, then doubling up to 15 minutes: about half an hour in all, so a mail server
    # that greylists (451, try again in five minutes) still gets the digest.
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def send_weekly_digest(delivery_id: int) -> bool:
    """Send one official's weekly digest once, even if the task is delivered twice."""
    from publicity import digests

    return digests.send_digest(delivery_id=delivery_id)


@shared_task(acks_late=True)
def plan_weekly_digests(week_start: str) -> list[int]:
    """Plan (and enqueue) a week's digests by hand or from beat; the weekly dispatch does it too."""
    from datetime import date

    from publicity import digests

    return digests.plan_weekly_digests(week_start=date.fromisoformat(week_start))


@shared_task(acks_late=True)
def publish_due_articles() -> int:
    """Beat entry point (every five minutes): scheduled articles whose time has come."""
    from publicity import services

    return services.publish_due_articles()


class NewsTask(Task):
    """After the last retry the monthly news delivery shows as failed in the admin."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from publicity import newsletter

        delivery_id = args[0] if args else kwargs.get("delivery_id")
        if delivery_id is not None:
            newsletter.mark_failed(
                delivery_id=delivery_id, error=f"{type(exc).__name__}: {exc}"
            )


@shared_task(
    base=NewsTask,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    # As the weekly digest: a minute, then doubling up to 15 minutes.
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def send_monthly_news(delivery_id: int) -> bool:
    """Send one member's monthly news once, even if the task is delivered twice."""
    from publicity import newsletter

    return newsletter.send_news(delivery_id=delivery_id)


@shared_task(acks_late=True)
def plan_monthly_news(month: str | None = None) -> list[int]:
    """Beat entry point (the 1st, 09:00): the month's news to its subscribers; by hand
    with an ISO date of the month (2026-04-01)."""
    from datetime import date

    from django.utils import timezone

    from publicity import newsletter

    day = date.fromisoformat(month) if month else timezone.localdate()
    return newsletter.plan_monthly_news(month=newsletter.month_of(day))
