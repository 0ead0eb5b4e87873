"""Celery entry points of publicity: thin wrappers (STYLE B7)."""

import logging

from celery import Task, shared_task

from chamber.tasks import MAIL_RETRY

logger = logging.getLogger(__name__)


class DeliveryTask(Task):
    """After the last retry the delivery shows as failed (digests on the staff dashboard,
    the monthly news in the admin), where staff send it again."""

    mark_failed = ""  # dotted path of the app's mark_failed(delivery_id=, error=)
    model = ""  # the delivery model, "app_label.Model"

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from django.utils.module_loading import import_string

        delivery_id = args[0] if args else kwargs.get("delivery_id")
        if delivery_id is not None:
            error = f"{type(exc).__name__}: {exc}"
            logger.error(
                "%s %s failed after %d attempts, staff can send it again: %s",
                self.model,
                delivery_id,
                self.request.retries + 1,
                error,
            )
            import_string(self.mark_failed)(delivery_id=delivery_id, error=error)

    def check_back(self, delivery_id: int) -> None:
        """Another worker holds the delivery's claim, or died holding it (the broker then
        gave its task to us): look again once the claim is stale. Nothing when it is
        settled; nothing in eager mode, where no worker can have died."""
        from django.apps import apps
        from django.utils import timezone

        from publicity import deliveries

        stale_at = deliveries.claim_expires_at(apps.get_model(self.model), delivery_id)
        if stale_at is not None and not self.request.is_eager:
            # A countdown, never an ETA, and under an hour (CF-6): the stale claim is
            # 15 minutes, the broker's visibility timeout longer.
            wait = (stale_at - timezone.now()).total_seconds() + 1
            self.apply_async((delivery_id,), countdown=min(max(wait, 1), 3600))


class DigestTask(DeliveryTask):
    mark_failed = "publicity.digests.mark_failed"
    model = "publicity.DigestDelivery"


class NewsTask(DeliveryTask):
    mark_failed = "publicity.newsletter.mark_failed"
    model = "publicity.NewsletterDelivery"


@shared_task(base=DigestTask, bind=True, **MAIL_RETRY)
def send_weekly_digest(self, delivery_id: int) -> bool:
    """Send one official's weekly digest once, even if the task is delivered twice."""
    from publicity import digests

    sent = digests.send_digest(delivery_id=delivery_id)
    if not sent:
        self.check_back(delivery_id)
    return sent


@shared_task(acks_late=True)
def plan_weekly_digests(week_start: str) -> list[int]:
    """Plan (and enqueue) a week's digests: the weekly dispatch (petitions.review) sends
    this task by its name, "publicity.tasks.plan_weekly_digests", after it commits; by
    hand too. Planning twice plans nothing new (one row per recipient and week)."""
    from datetime import date

    from publicity import digests

    return digests.plan_weekly_digests(week_start=date.fromisoformat(week_start))


@shared_task(acks_late=True)
def publish_due_articles() -> int:
    """Beat entry point (every five minutes): scheduled articles whose time has come."""
    from publicity import services

    return services.publish_due_articles()


@shared_task(base=NewsTask, bind=True, **MAIL_RETRY)
def send_monthly_news(self, delivery_id: int) -> bool:
    """Send one member's monthly news once, even if the task is delivered twice."""
    from publicity import newsletter

    sent = newsletter.send_news(delivery_id=delivery_id)
    if not sent:
        self.check_back(delivery_id)
    return sent


@shared_task(acks_late=True)
def plan_monthly_news(month: str | None = None) -> list[int]:
    """Beat entry point (the 1st, 09:00): the month's news to its subscribers; by hand
    with an ISO date of the month (2026-04-01)."""
    from datetime import date

    from django.utils import timezone

    from publicity import newsletter

    day = date.fromisoformat(month) if month else timezone.localdate()
    return newsletter.plan_monthly_news(month=newsletter.month_of(day))


@shared_task(acks_late=True)
def send_lost_deliveries(now: str | None = None) -> dict[str, int]:
    """Beat entry point (every 30 minutes): digests and monthly news whose task was lost
    with a killed worker are queued again; sending them stays once-only (the claim)."""
    from datetime import datetime

    from django.db import transaction

    from publicity import deliveries
    from publicity.models import DigestDelivery, NewsletterDelivery

    when = datetime.fromisoformat(now) if now else None
    queued = {}
    for model, task in (
        (DigestDelivery, send_weekly_digest),
        (NewsletterDelivery, send_monthly_news),
    ):
        ids = deliveries.lost_ids(model, now=when)
        for pk in ids:
            transaction.on_commit(lambda pk=pk, task=task: task.delay(pk))
        queued[model._meta.model_name] = len(ids)
    if any(queued.values()):
        logger.warning("queued again after a lost task: %s", queued)
    return queued
